import math
import statistics

import pytest
import torch

from course_utils import (branch_to_stream_ratio, deep_without_norm, degradation, init_profiles, mlp_stack,
                          preactivation_study, relu_after_add_mask, two_spirals)


def test_init_profiles_compares_stacks_with_the_same_initial_weights():
    state = torch.random.get_rng_state()
    result = init_profiles(8, norm="none", n_samples=64, seed=3)
    assert torch.equal(torch.random.get_rng_state(), state)     # global random state untouched
    assert len(result.plain.gradient_rms) == len(result.residual.gradient_rms) == 9
    # x_0 comes from the same stem weights in both stacks
    assert result.plain.activation_rms[0] == result.residual.activation_rms[0]


def test_degradation_returns_every_run_by_name_with_one_row_per_seed():
    result = degradation(n_layers=(4, 6), steps=5, progress=False, seed=1, n_seeds=3)
    assert set(result.runs) == {"plain-4", "residual-4", "plain-6", "residual-6"}
    assert result.seeds == (1, 2, 3) and result.runs["plain-6"].loss.shape == (3, 5)
    assert set(result.branch_ratio) == {"residual-4", "residual-6"}
    assert len(result.branch_ratio["residual-6"]) == 3                 # seeds
    assert len(result.branch_ratio["residual-6"][0]) == 2              # blocks
    assert result.final_loss(residual=True, n_layers=4) == result.runs["residual-4"].final_loss()
    assert result.median_final_loss(True, 4) == statistics.median(result.final_loss(True, 4))


def test_degradation_is_reproducible_and_a_seed_s_run_does_not_depend_on_its_neighbours():
    a = degradation(n_layers=(4,), steps=10, progress=False, seed=2, n_seeds=2)
    b = degradation(n_layers=(4,), steps=10, progress=False, seed=2, n_seeds=2)
    assert torch.equal(a.runs["plain-4"].loss, b.runs["plain-4"].loss)
    alone = degradation(n_layers=(4,), steps=10, progress=False, seed=3, n_seeds=1)
    assert torch.allclose(alone.runs["plain-4"].loss[0], a.runs["plain-4"].loss[1], atol=1e-4)


@pytest.mark.parametrize("depths, message", [((5,), "even"), ((2,), "at least 4")])
def test_degradation_refuses_impossible_depths(depths, message):
    with pytest.raises(ValueError, match=message):
        degradation(n_layers=depths, steps=1, progress=False)


def test_branch_ratio_is_zero_for_zeroed_branches_and_needs_a_residual_stack():
    X, _ = two_spirals(64, seed=0)
    assert branch_to_stream_ratio(mlp_stack(3, branch_init="zero"), X) == [0.0, 0.0, 0.0]
    ratios = branch_to_stream_ratio(mlp_stack(3), X)
    assert statistics.median(ratios) > 0
    with pytest.raises(ValueError, match="residual MLPStack"):
        branch_to_stream_ratio(mlp_stack(3, residual=False), X)


def test_placement_probes_are_seeded_and_sized():
    from course_utils import ffn_gradient_profile, gradients_by_depth, output_change
    profile = ffn_gradient_profile("pre", 3, seed=0)
    assert len(profile) == 3 and profile == ffn_gradient_profile("pre", 3, seed=0)
    result = gradients_by_depth((1, 2), placements=("post",), seed=0)
    assert list(result.last_layer) == ["post"] and len(result.last_layer["post"]) == 2
    full, warm = output_change("post", 2, lr=1e-3), output_change("post", 2, lr=1e-3, warmup_steps=100)
    assert warm < full / 10                # a warm-up's first step is 100 times smaller


def test_warmup_study_trains_every_run_on_every_seed(monkeypatch):
    from course_utils.experiments import placement
    monkeypatch.setitem(placement.WARMUP, "steps", 3)
    result = placement.warmup_study(seed=4, n_seeds=2, progress=False)
    assert set(result.runs) == set(placement.WARMUP_RUNS) and result.seeds == (4, 5)
    assert all(runs.loss.shape == (2, 3) for runs in result.runs.values())
    assert len(result.final_loss("post", True, skip=False)) == 2
    with pytest.raises(ValueError, match="unknown placement"):
        placement.reverser("middle")


def test_output_change_by_depth_has_one_row_per_seed():
    from course_utils import output_change_by_depth
    result = output_change_by_depth((1, 2), placements=("pre",), seed=0, n_seeds=2)
    assert result.change["pre"].shape == (2, 2) and len(result.median("pre")) == 2


def test_init_profiles_take_an_init_and_he_residual_stacks_without_norm_explode():
    default = init_profiles(16, norm="none", seed=0)
    he = init_profiles(16, norm="none", init="he", seed=0)
    zero = init_profiles(16, norm="none", init="zero", seed=0)
    assert he.init == "he" and default.plain.gradient_rms != he.plain.gradient_rms
    assert he.residual.activation_rms[-1] > 100 * he.residual.activation_rms[0]
    # a zero branch: the residual stack is the identity, so its stream keeps its scale exactly
    assert zero.residual.activation_rms[-1] == pytest.approx(zero.residual.activation_rms[0])
    assert zero.plain.gradient_rms == he.plain.gradient_rms       # a plain stack takes "zero" as "he"
    with pytest.raises(ValueError, match="init"):
        init_profiles(4, init="xavier")


def test_deep_without_norm_trains_each_variant_on_each_seed_and_records_the_stream():
    result = deep_without_norm(10, variants=("plain", "fixup"), steps=6, seed=2, n_seeds=2,
                               progress=False)
    assert set(result.runs) == {"plain", "fixup"} and result.seeds == (2, 3)
    assert result.runs["fixup"].loss.shape == (2, 6) and len(result.stream_rms["plain"]) == 2
    assert result.median_final_loss("fixup") == statistics.median(result.final_loss("fixup"))
    exploding = deep_without_norm(110, variants=("residual",), steps=3, n_seeds=2, progress=False)
    assert exploding.runs["residual"].diverged.all()            # He init, no norm: overflow
    assert all(math.isnan(r) for r in exploding.stream_rms["residual"])
    with pytest.raises(ValueError, match="even"):
        deep_without_norm(11, steps=1, progress=False)
    with pytest.raises(ValueError, match="at most once"):
        deep_without_norm(10, variants=("plain", "plain"), steps=1, progress=False)


def test_the_relu_after_the_add_masks_the_stream_and_the_study_reports_it():
    model = mlp_stack(4, width=8)
    X, _ = two_spirals(64, seed=0)
    mask = relu_after_add_mask(model, X)
    assert mask.shape == (4, 64, 8) and mask.dtype == torch.bool
    zeroed = mlp_stack(4, width=8, branch_init="zero")
    # with zero branches every block passes x = ReLU(stem(X)) on: the mask is where x > 0
    stem = zeroed.stem(X)
    assert all(torch.equal(m, stem > 0) for m in relu_after_add_mask(zeroed, X))
    with pytest.raises(ValueError, match="original blocks"):
        relu_after_add_mask(mlp_stack(2, preactivation=True), X)
    result = preactivation_study(10, steps=4, n_seeds=2, progress=False)
    assert set(result.runs) == {"original", "preactivation"}
    assert len(result.zeroed_fraction) == 2 and len(result.zeroed_fraction[0]) == 4
    assert all(0 <= f <= 1 for f in result.surviving_fraction)
    assert all(s <= 1 - max(z) + 1e-6 for s, z in zip(result.surviving_fraction, result.zeroed_fraction))
