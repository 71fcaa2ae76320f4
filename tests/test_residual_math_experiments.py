"""The experiments of notebook 02, on small settings: shapes, seeding, and the behaviour each
figure relies on."""

import math

import pytest
import torch
from torch import nn

from course_utils import (block_deleted, end_to_end_singular_values, gradient_on_grid,
                          jacobian_spectra, lag1_autocorrelation, mlp_stack, shattering,
                          shortcut_scaling)
from course_utils.experiments.shortcut_scaling import scaled_init_profile, scaled_stack


def test_scaled_stack_puts_the_gain_on_every_shortcut():
    model = scaled_stack(3, 0.5, seed=0)
    gains = [m.shortcut_gain for m in model.modules() if hasattr(m, "shortcut_gain")]
    assert gains == [0.5, 0.5, 0.5]


def test_the_init_profile_has_one_value_per_layer_and_depends_on_the_gain():
    half, identity = scaled_init_profile(8, 0.5, seed=0), scaled_init_profile(8, 1.0, seed=0)
    assert len(half.gradient_rms) == len(identity.gradient_rms) == 9
    assert half.gradient_rms != identity.gradient_rms
    assert scaled_init_profile(8, 0.5, seed=0).gradient_rms == half.gradient_rms


def test_shortcut_scaling_trains_each_gain_on_each_seed():
    result = shortcut_scaling(gains=(1.0, 0.0), n_blocks=2, steps=5, progress=False, seed=1,
                              n_seeds=2)
    assert set(result.runs) == {1.0, 0.0} and result.seeds == (1, 2)
    assert all(runs.loss.shape == (2, 5) for runs in result.runs.values())
    assert math.isfinite(result.median_final_loss(1.0))
    assert all(g > 0 for g in result.first_layer_gradient[0.0])
    with pytest.raises(ValueError, match="repeat"):
        shortcut_scaling(gains=(1.0, 1.0), steps=1, progress=False)


def test_deleting_a_block_is_temporary_and_keeps_the_skip():
    model = mlp_stack(3, residual=True, norm="none").eval()
    x = torch.randn(4, 2)
    before = model(x)
    with block_deleted(model, 1) as lesioned:
        assert isinstance(lesioned.blocks[1], nn.Identity)
        assert not torch.equal(lesioned(x), before)
    assert torch.equal(model(x), before)
    with pytest.raises(ValueError, match="index"):
        with block_deleted(model, 3):
            pass


def test_lag1_autocorrelation_tells_a_smooth_curve_from_noise():
    x = torch.linspace(0, 6, 256)
    assert lag1_autocorrelation(torch.sin(x)) > 0.95
    assert abs(lag1_autocorrelation(torch.randn(4096, generator=torch.Generator().manual_seed(0)))) < 0.1


def test_gradient_on_grid_is_seeded_and_the_right_shape():
    x, g = gradient_on_grid(4, residual=True, n_points=64, seed=3)
    assert x.shape == g.shape == (64,)
    assert torch.equal(g, gradient_on_grid(4, residual=True, n_points=64, seed=3)[1])


def test_shattering_measures_each_seed_and_states_the_median():
    result = shattering((1, 8), seed=2, n_seeds=3)
    assert result.seeds == (2, 3, 4)
    assert {k: tuple(v.shape) for k, v in result.per_seed.items()} == {"plain": (3, 2), "residual": (3, 2)}
    one = lag1_autocorrelation(gradient_on_grid(8, residual=False, seed=3)[1])
    assert result.per_seed["plain"][1, 1].item() == pytest.approx(one)
    assert result.at("plain", 8) == pytest.approx(result.per_seed["plain"][:, 1].median().item())
    assert result.at("residual", 8) > result.at("plain", 8)


def test_a_residual_jacobian_keeps_its_singular_values_near_one_and_a_plain_one_does_not():
    residual = end_to_end_singular_values(10, residual=True, seed=0)
    plain = end_to_end_singular_values(10, residual=False, seed=0)
    assert residual.min() > 0.05 and plain.max() < 1e-3
    spectra = jacobian_spectra(depths=(1, 2), seed=0)
    assert len(spectra.smallest["plain"]) == len(spectra.largest["residual"]) == 2


def test_zero_blocks_are_refused():
    with pytest.raises(ValueError, match="n_blocks must be at least 1"):
        end_to_end_singular_values(0, residual=True)
