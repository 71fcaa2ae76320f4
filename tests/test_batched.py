"""The batched twins compute, model by model, what the models compute alone, and batched training
moves each model as `train` would move it alone."""

import math

import pytest
import torch

from course_utils import TinyTransformer, mlp_stack, train, two_spirals
from course_utils.batched import BatchedMLPStack, BatchedOptimizer, BatchedTransformer, batched
from course_utils.experiments.seeds import seed_range, seeded, stacked
from course_utils.training import Runs, evaluate_batched, train_batched


def _each(models, x):
    return torch.stack([m(x[i]) for i, m in enumerate(models)])


@pytest.mark.parametrize("norms", [("batch",) * 3, ("layer",) * 2, ("group",) * 2, ("rms",) * 2,
                                   ("none",) * 2, ("batch", "batch", "group", "layer", "batch")])
def test_a_batched_mlp_stack_is_its_models_in_train_and_eval_mode(norms):
    models = [seeded(lambda: mlp_stack(3, width=16, norm=norm, residual=i % 2 == 0,
                                       shortcut_gain=0.5 if i == 2 else 1.0), i)
              for i, norm in enumerate(norms)]
    twin = batched(models)
    x = torch.randn(len(models), 8, 2, generator=torch.Generator().manual_seed(0))
    for mode in ("train", "eval", "train", "eval"):   # training mode also updates running stats
        getattr(twin, mode)()
        for m in models:
            getattr(m, mode)()
        assert torch.allclose(twin(x), _each(models, x), atol=1e-4)


@pytest.mark.parametrize("norm", ["batch", "none"])
def test_a_batched_preactivation_stack_is_its_models_and_writes_them_back(norm):
    models = [seeded(lambda: mlp_stack(3, width=16, norm=norm, preactivation=True,
                                       residual=i != 1, init="he"), i) for i in range(3)]
    twin = batched(models)
    x = torch.randn(3, 8, 2, generator=torch.Generator().manual_seed(0))
    for mode in ("train", "eval", "train"):
        getattr(twin, mode)()
        for m in models:
            getattr(m, mode)()
        assert torch.allclose(twin(x), _each(models, x), atol=1e-4)
    with torch.no_grad():
        for p in twin.parameters():
            p.add_(0.01)                                # move the batched weights
    twin.eval()
    expected = twin(x)
    assert torch.allclose(torch.stack([twin.unbatched(i).eval()(x[i]) for i in range(3)]), expected,
                          atol=1e-4)
    with pytest.raises(ValueError, match="block kind"):
        batched([mlp_stack(2), mlp_stack(2, preactivation=True)])


@pytest.mark.parametrize("placement", ["post", "pre", "deepnorm"])
def test_a_batched_transformer_is_its_models_with_and_without_skips(placement):
    models = [seeded(lambda: TinyTransformer(n_layers=3, d_model=16, n_heads=4, d_ff=32,
                                             placement=placement, skip=i != 1,
                                             causal=placement == "pre"), i) for i in range(3)]
    tokens = torch.randint(0, 16, (3, 5, 12), generator=torch.Generator().manual_seed(0))
    assert torch.allclose(batched(models)(tokens), _each(models, tokens), atol=1e-5)


def test_batched_training_moves_each_model_as_training_it_alone_would():
    X, y = two_spirals(200, seed=0)
    for optimizer in ("sgd", "adam"):
        alone = [seeded(lambda: mlp_stack(3), s) for s in range(3)]
        together = BatchedMLPStack([seeded(lambda: mlp_stack(3), s) for s in range(3)])
        runs = train_batched(together, X.expand(3, -1, -1), y.expand(3, -1), seeds=[0, 1, 2],
                             steps=30, lr=0.01, optimizer=optimizer, warmup_steps=[0, 10, 20])
        for i, model in enumerate(alone):
            history = train(model, X, y, steps=30, lr=0.01, optimizer=optimizer, seed=i,
                            warmup_steps=[0, 10, 20][i])
            assert runs.loss[i].tolist() == pytest.approx(history.loss, abs=1e-4)
        assert isinstance(runs, Runs) and runs.loss.shape == (3, 30) and not runs.diverged.any()


def test_per_model_warmup_scales_only_that_model_s_first_steps():
    params = [torch.nn.Parameter(torch.zeros(2, 3))]
    optimiser = BatchedOptimizer(params, kind="sgd", momentum=0.0)
    params[0].grad = torch.ones(2, 3)
    optimiser.step(torch.tensor([1.0, 0.1]))
    assert params[0][0].tolist() == [-1.0] * 3 and params[0][1].tolist() == pytest.approx([-0.1] * 3)


def test_a_model_that_diverges_is_recorded_and_the_others_train_on():
    X, y = stacked([two_spirals(200, seed=s) for s in (0, 1)])
    models = [seeded(lambda: mlp_stack(2, width=16, norm="none"), s) for s in (0, 1)]
    with torch.no_grad():
        models[1].head.weight.fill_(float("nan"))
    runs = train_batched(BatchedMLPStack(models), X, y, seeds=[0, 1], steps=20, lr=0.01)
    assert runs.diverged.tolist() == [False, True]
    assert math.isfinite(runs.final_loss()[0]) and runs.final_loss()[1] == math.inf
    assert runs.history(1).diverged and len(runs.history(0).loss) == 20


def test_evaluation_is_per_model_in_eval_mode():
    X, y = stacked([two_spirals(100, seed=s) for s in (0, 1)])
    model = BatchedMLPStack([seeded(lambda: mlp_stack(2), s) for s in (0, 1)])
    accuracy = evaluate_batched(model, X, y)
    assert accuracy.shape == (2,) and ((0 <= accuracy) & (accuracy <= 1)).all() and model.training


def test_models_of_different_shapes_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="must share their number of blocks"):
        BatchedMLPStack([mlp_stack(2), mlp_stack(3)])
    with pytest.raises(ValueError, match="must share their placement"):
        BatchedTransformer([TinyTransformer(placement="pre"), TinyTransformer(placement="post")])
    with pytest.raises(ValueError, match="with a norm and models without one separately"):
        BatchedMLPStack([mlp_stack(2, norm="none"), mlp_stack(2, norm="layer")])
    with pytest.raises(TypeError, match="list of MLPStack"):
        BatchedMLPStack([torch.nn.Linear(2, 2)])
    X, y = stacked([two_spirals(100, seed=s) for s in (0, 1)])
    with pytest.raises(ValueError, match="give one of each per model"):
        train_batched(BatchedMLPStack([mlp_stack(2), mlp_stack(2)]), X, y, seeds=[0], steps=1)


def test_seed_ranges_are_consecutive_and_bounded():
    assert seed_range(3, 4) == (3, 4, 5, 6)
    with pytest.raises(ValueError, match="n_seeds must be at least 1"):
        seed_range(0, 0)
    with pytest.raises(ValueError, match="at most 20"):
        seed_range(0, 21)
    with pytest.raises(ValueError, match="seed must be at least 0"):
        seed_range(-1, 2)


def test_a_trained_model_comes_back_as_an_ordinary_stack():
    X, y = stacked([two_spirals(200, seed=s) for s in range(3)])
    models = [seeded(lambda: mlp_stack(3, norm=norm, residual=s != 1), s)
              for s, norm in zip(range(3), ("batch", "layer", "batch"))]
    together = BatchedMLPStack(models)
    train_batched(together, X, y, seeds=[0, 1, 2], steps=20, lr=0.02)
    together.eval()
    outputs = together(X)
    for m in range(3):
        single = together.unbatched(m).eval()
        assert single is models[m]
        assert torch.allclose(single(X[m]), outputs[m], atol=1e-4)
