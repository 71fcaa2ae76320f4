"""Bad input to the public API gets a clear error naming the parameter, raised before anything
reaches torch: one table of calls, each with the error and message it must raise."""

import math

import pytest
import torch
from torch import nn

import course_utils as cu
from course_utils.experiments.placement import OutputChangeByDepth

X, Y = cu.two_spirals(64, seed=0)
TOKENS = torch.randint(0, 16, (4, 12))


def _model():
    return cu.mlp_stack(2, width=16)


def _sublayer_inputs():
    return torch.randn(2, 5, 8).double(), nn.Linear(8, 8), nn.LayerNorm(8)


CASES = [
    # float64 data: refused with "use float32" before it fails deep inside torch
    (lambda: cu.train(_model(), X.double(), Y, steps=1), TypeError, r"X holds torch.float64 numbers .*pass X.float\(\)"),
    (lambda: cu.evaluate(_model(), X.double(), Y), TypeError, "X holds torch.float64"),
    (lambda: cu.layer_profile(_model(), X.double(), Y), TypeError, "X holds torch.float64"),
    (lambda: _model()(X.double()), TypeError, "x holds torch.float64"),
    (lambda: cu.Residual(nn.Linear(2, 2))(X.double()), TypeError, "x holds torch.float64"),
    (lambda: cu.ZooStack("resnet", 2)(torch.randn(2, 3, 2).double()), TypeError, "x holds torch.float64"),
    (lambda: cu.TransformerBlock(8, 2, 16)(torch.randn(2, 3, 8).double()), TypeError, "x holds torch.float64"),
    (lambda: cu.post_norm_sublayer(*_sublayer_inputs()), TypeError, "x holds torch.float64"),
    (lambda: cu.pre_norm_sublayer(*_sublayer_inputs()), TypeError, "x holds torch.float64"),
    (lambda: cu.deepnorm_sublayer(*_sublayer_inputs(), alpha=2.0), TypeError, "x holds torch.float64"),
    (lambda: cu.branch_to_stream_ratio(_model(), X.double()), TypeError, "x holds torch.float64"),
    # whole numbers: a float is refused, never half-accepted
    (lambda: cu.mlp_stack(4.0), TypeError, r"n_blocks must be a whole number such as 4, got 4.0"),
    (lambda: cu.mlp_stack(2, width=16.0), TypeError, "width must be a whole number"),
    (lambda: cu.TinyTransformer(n_layers=2.0), TypeError, "n_layers must be a whole number"),
    (lambda: cu.init_profiles(2.0), TypeError, "n_blocks must be a whole number"),
    (lambda: cu.two_spirals(100.0), TypeError, "n_points must be a whole number"),
    (lambda: cu.degradation((8.0,), steps=1, n_seeds=1, progress=False), TypeError, "every value of n_layers must be a whole number"),
    (lambda: cu.train(_model(), X, Y, steps=10.0), TypeError, "steps must be a whole number"),
    # seeds: 0 <= seed < 2**63, whole numbers
    *[(lambda call=call, seed=seed: call(seed), error, "seed") for call in (
        lambda s: cu.placement_explorer(seed=s), lambda s: cu.zoo_explorer(seed=s),
        lambda s: cu.ffn_gradient_profile("pre", 2, seed=s), lambda s: cu.output_change("pre", 2, seed=s),
        lambda s: cu.zoo_comparison(2, seed=s), lambda s: cu.end_to_end_singular_values(2, residual=True, seed=s),
        lambda s: cu.two_spirals(seed=s), lambda s: cu.setup(seed=s))
      for seed, error in ((-1, ValueError), (True, TypeError), ("0", TypeError), (1.5, TypeError),
                          (None, TypeError), (2**64, ValueError))],
    # impossible sizes and settings, named
    (lambda: cu.TransformerBlock(8, 0, 16), ValueError, "n_heads must be at least 1"),
    (lambda: cu.TransformerBlock(8, 3, 16), ValueError, r"d_model \(8\) must be divisible by n_heads \(3\)"),
    (lambda: cu.padding_probe("batch", 4, 0, channels=0), ValueError, "channels must be at least 1"),
    (lambda: cu.normalise_sequence(torch.randn(2, 3, 4), "layer", eps=-1), ValueError, "eps must be greater than 0"),
    (lambda: cu.invariance_table(n_examples=1), ValueError, "n_examples must be at least 2"),
    (lambda: cu.mlp_stack(0), ValueError, "n_blocks must be at least 1"),
    (lambda: cu.make_norm("bn", 8), ValueError, "unknown norm 'bn'; choose one of 'none', 'batch'"),
    (lambda: cu.zoo_comparison(2, width=30), ValueError, "divisible by 4"),
    (lambda: cu.small_batch_study(norms=("rms",), progress=False), ValueError, "gain and a bias"),
    # a sequence where one is expected: empty refused, a single value wrapped, a string named
    (lambda: cu.jacobian_spectra(()), ValueError, "depths is empty"),
    (lambda: cu.shattering(()), ValueError, "depths is empty"),
    (lambda: cu.degradation((), steps=1, progress=False), ValueError, "n_layers is empty"),
    (lambda: cu.gradients_by_depth(()), ValueError, "depths is empty"),
    (lambda: cu.output_change_by_depth(()), ValueError, "depths is empty"),
    (lambda: cu.small_batch_study((), progress=False), ValueError, "batch_sizes is empty"),
    (lambda: cu.jacobian_spectra("5"), TypeError, "depths must be a sequence such as"),
    (lambda: cu.warmup_study("post"), TypeError, "positional argument"),
    # models without parameters, NaN and infinite inputs, labels
    (lambda: cu.train(nn.ReLU(), X, Y, steps=1), ValueError, "model .ReLU. has no learnable parameters"),
    (lambda: cu.evaluate(nn.Sequential(), X, Y), ValueError, "has no learnable parameters"),
    (lambda: cu.layer_profile(nn.Linear(2, 2), X, Y), TypeError, "has no blocks"),
    (lambda: cu.evaluate(_model(), X * math.nan, Y), ValueError, "X holds NaN or infinite values"),
    (lambda: cu.train(_model(), X * math.inf, Y, steps=1), ValueError, "X holds NaN or infinite values"),
    (lambda: cu.train(_model(), X, Y.float(), steps=1), TypeError, r"y.long\(\)"),
    (lambda: cu.train(_model(), X[:0], Y[:0], steps=1), ValueError, "X is empty"),
    # sizes that would take hours or gigabytes: refused before starting, saying how much
    (lambda: cu.mlp_stack(10**6), ValueError, "would need about 31.5 GB of memory"),
    (lambda: cu.mlp_stack(2, width=10**6), ValueError, "GB of memory"),
    (lambda: cu.TinyTransformer(d_model=10**5, n_heads=1), ValueError, "GB of memory"),
    (lambda: cu.ZooStack("resnet", 2, width=10**6), ValueError, "GB of memory"),
    (lambda: cu.two_spirals(10**10), ValueError, "GB of memory"),
    (lambda: cu.train(_model(), X, Y, steps=10**9), ValueError, "would take about .* minutes"),
    (lambda: cu.end_to_end_singular_values(10**7, residual=True), ValueError, "GB of memory"),
    # the figures: the right result, or an error naming the function that makes one
    *[(lambda draw=draw: draw(None), TypeError, f"{draw.__name__} draws the result of course_utils.")
      for draw in (cu.draw_degradation, cu.draw_init_profiles, cu.draw_jacobian_spectra, cu.draw_lesion,
                   cu.draw_padding_probe, cu.draw_shortcut_scaling, cu.draw_small_batch,
                   cu.draw_output_change, cu.draw_zoo_comparison)],
    (lambda: cu.draw_warmup(None, chance=1.0), TypeError, "draw_warmup draws the result of course_utils.warmup_study"),
    (lambda: cu.draw_invariance_grid(None), TypeError, "draw_invariance_grid draws the result of"),
    (lambda: cu.draw_gradients_at_init(None), TypeError, "profiles must be a dict"),
    (lambda: cu.draw_placement_probe([1.0], {"post": 1.0}, placement="middle", lr=1e-3, warmup=False), ValueError, "unknown placement 'middle'"),
    (lambda: cu.draw_shattered(None, {}, depth=1), TypeError, "x must be a torch.Tensor"),
    (lambda: cu.draw_lesion(cu.lesion_study(2, steps=1, n_seeds=1, progress=False), deleted=2), ValueError, "deleted must be at least 0 and at most 1"),
    (lambda: cu.draw_zoo_comparison(cu.zoo_comparison(2), highlight="vgg"), ValueError, "unknown highlight 'vgg'"),
    (lambda: cu.draw_norm_axes(("batch", "bn")), ValueError, "unknown norms 'bn'"),
    (lambda: cu.draw_output_change(OutputChangeByDepth((1,), (0,), {})), ValueError, "empty"),
    # initialisations, block kinds and the experiments built on them
    (lambda: cu.mlp_stack(2, init="xavier"), ValueError, "init"),
    (lambda: cu.mlp_stack(2, branch_init="fixed"), ValueError, "branch_init"),
    (lambda: cu.mlp_stack(2, preactivation="yes"), TypeError, "preactivation"),
    (lambda: cu.init_profiles(2, init="kaiming"), ValueError, "init"),
    (lambda: cu.he_init("model"), TypeError, "he_init needs a torch.nn.Module"),
    (lambda: cu.deep_without_norm(11, steps=1, progress=False), ValueError, "must be even"),
    (lambda: cu.deep_without_norm(10, variants=("resnet",), steps=1, progress=False), ValueError, "variant"),
    (lambda: cu.preactivation_study(10.0, steps=1, progress=False), TypeError, "n_layers must be a whole number"),
    (lambda: cu.relu_after_add_mask(cu.mlp_stack(2, preactivation=True), X), ValueError, "original blocks"),
    (lambda: cu.relu_after_add_mask(cu.mlp_stack(2), X.double()), TypeError, "X holds torch.float64"),
    (lambda: cu.draw_deep_without_norm(None), TypeError, "draw_deep_without_norm draws the result of"),
    (lambda: cu.draw_preactivation(None), TypeError, "draw_preactivation draws the result of"),
    # exercises, hints and the quiz by name
    (lambda: cu.predict("plain_56", 0.5), ValueError, "no exercise called 'plain_56'; the exercises are: .*plain_56_loss"),
    (lambda: cu.predict(["plain_56_loss"], 0.5), TypeError, "name the exercise with a str"),
    (lambda: cu.predict("residual_block", 0.5), ValueError, "'residual_block' is a write exercise, not a prediction"),
    (lambda: cu.hint("residual_block", "2"), ValueError, "level must be a whole number from 1 to 3"),
    (lambda: cu.hint("residual_block", 2.0), ValueError, "level must be a whole number"),
    (lambda: cu.hint(["residual_block"]), TypeError, "name the exercise with a str"),
    (lambda: cu.solution("nope"), ValueError, "no exercise called 'nope'"),
    (lambda: cu.quiz(3), ValueError, "no quiz for 3"),
    # results asked for something they do not hold
    (lambda: cu.shattering((1,)).at("plain", 2), ValueError, "unknown depth 2; choose one of 1"),
    (lambda: cu.lesion_study(2, steps=1, n_seeds=1, progress=False).drops("Res"), ValueError, "unknown kind 'Res'"),
    (lambda: cu.progress(export_to=3), TypeError, "export_to must be a file name"),
    (lambda: cu.progress(import_from=["a.json"]), TypeError, "import_from must be a file name"),
    (lambda: cu.Table("ab", [[1, 2]]), TypeError, "header must be a non-empty list"),
    (lambda: cu.Explorer(lambda: 0, lambda data: None, {"depth": 3}), TypeError, "knob 'depth' must be an ipywidgets value widget"),
]


@pytest.mark.parametrize("call, error, message", CASES)
def test_bad_input_is_refused_by_name(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_names_are_case_insensitive_where_it_is_kind():
    assert cu.make_norm("LayerNorm".replace("Norm", ""), 4).__class__ is nn.LayerNorm
    assert cu.TinyTransformer(placement="Post", n_layers=1).placement == "post"
    fig = cu.draw_zoo_comparison(cu.zoo_comparison(2), highlight="ReZero")
    assert "ReZero" in fig._suptitle.get_text()
    cu.draw_placement_probe([0.5], {"post": 1.0, "pre": 0.5}, placement="Post", lr=1e-3, warmup=False)
    assert len(cu.draw_norm_axes("batch").axes) == 1                # one name is one norm


@pytest.mark.parametrize("norm", ["rms", "group", "layer", "none", "batch"])
def test_every_norm_s_profiles_can_be_drawn(norm):
    fig = cu.draw_init_profiles(cu.init_profiles(2, norm=norm, width=16))
    assert cu.NORM_LABELS[norm] in fig._suptitle.get_text()


def test_a_single_depth_is_one_depth():
    assert cu.jacobian_spectra(5).depths == (5,) and cu.shattering(5).depths == (5,)
    assert cu.degradation(8, steps=1, n_seeds=1, progress=False).n_layers == (8,)
