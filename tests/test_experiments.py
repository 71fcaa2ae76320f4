import statistics

import pytest
import torch

from course_utils import branch_to_stream_ratio, degradation, init_profiles, mlp_stack, two_spirals


def test_init_profiles_compares_stacks_with_the_same_initial_weights():
    state = torch.random.get_rng_state()
    result = init_profiles(8, norm="none", n_samples=64, seed=3)
    assert torch.equal(torch.random.get_rng_state(), state)     # global random state untouched
    assert len(result.plain.gradient_rms) == len(result.residual.gradient_rms) == 9
    # x_0 comes from the same stem weights in both stacks
    assert result.plain.activation_rms[0] == result.residual.activation_rms[0]


def test_degradation_returns_every_run_by_name():
    result = degradation(n_layers=(4, 6), steps=5, progress=False, seed=1)
    assert set(result.histories) == {"plain-4", "residual-4", "plain-6", "residual-6"}
    assert set(result.branch_ratio) == {"residual-4", "residual-6"}
    assert len(result.branch_ratio["residual-6"]) == 2
    assert result.final_loss(residual=True, n_layers=4) == result.histories["residual-4"].final_loss()


def test_degradation_is_reproducible():
    a = degradation(n_layers=(4,), steps=10, progress=False, seed=2)
    b = degradation(n_layers=(4,), steps=10, progress=False, seed=2)
    assert a.histories["plain-4"].loss == b.histories["plain-4"].loss


@pytest.mark.parametrize("depths, message", [((5,), "even"), ((2,), "at least 4")])
def test_degradation_refuses_impossible_depths(depths, message):
    with pytest.raises(ValueError, match=message):
        degradation(n_layers=depths, steps=1, progress=False)


def test_branch_ratio_is_zero_for_zeroed_branches_and_needs_a_residual_stack():
    X, _ = two_spirals(64, seed=0)
    assert branch_to_stream_ratio(mlp_stack(3, branch_init="zero"), X) == [0.0, 0.0, 0.0]
    ratios = branch_to_stream_ratio(mlp_stack(3), X)
    assert statistics.median(ratios) > 0
    with pytest.raises(ValueError, match="residual stack"):
        branch_to_stream_ratio(mlp_stack(3, residual=False), X)


def test_placement_probes_are_seeded_and_sized():
    from course_utils import ffn_gradient_profile, gradients_by_depth, output_change
    profile = ffn_gradient_profile("pre", 3, seed=0)
    assert len(profile) == 3 and profile == ffn_gradient_profile("pre", 3, seed=0)
    result = gradients_by_depth((1, 2), placements=("post",), seed=0)
    assert list(result.last_layer) == ["post"] and len(result.last_layer["post"]) == 2
    full, warm = output_change("post", 2, lr=1e-3), output_change("post", 2, lr=1e-3, warmup_steps=100)
    assert warm < full / 10                # a warm-up's first step is 100 times smaller


def test_warmup_study_trains_each_placement_with_and_without_warmup(monkeypatch):
    from course_utils.experiments import placement
    monkeypatch.setitem(placement.WARMUP, "steps", 3)
    result = placement.warmup_study(placements=("pre",), progress=False)
    assert set(result.histories) == {("pre", 0), ("pre", placement.WARMUP["warmup_steps"])}
    assert all(len(h.loss) == 3 for h in result.histories.values())
    with pytest.raises(ValueError, match="unknown placement"):
        placement.train_reverser("middle", warmup=False)
