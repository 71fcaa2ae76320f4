import math

import pytest
import torch

from course_utils import History, evaluate, mlp_stack, train, two_spirals


def _model(seed=0, **kwargs):
    torch.manual_seed(seed)
    return mlp_stack(2, width=16, **kwargs)


def test_same_seed_gives_the_same_history():
    X, y = two_spirals(200, seed=0)
    a = train(_model(), X, y, steps=30, seed=5)
    b = train(_model(), X, y, steps=30, seed=5)
    c = train(_model(), X, y, steps=30, seed=6)
    assert a.loss == b.loss and a.accuracy == b.accuracy
    assert a.loss != c.loss


def test_training_lowers_the_loss_on_two_spirals():
    X, y = two_spirals(400, turns=1.0, seed=0)
    history = train(_model(), X, y, steps=300, lr=0.05, seed=0)
    assert len(history.loss) == 300 and not history.diverged
    assert history.final_loss() < 0.5 * sum(history.loss[:20]) / 20
    assert history.final_accuracy() > 0.8
    loss, accuracy = evaluate(_model(), X, y)
    assert math.isfinite(loss) and 0 <= accuracy <= 1


def test_adam_and_warmup_run_and_warmup_starts_small():
    X, y = two_spirals(200, seed=0)
    model = _model()
    seen = []
    original = torch.optim.Adam.step

    def spy(self, *args, **kwargs):
        seen.append(self.param_groups[0]["lr"])
        return original(self, *args, **kwargs)

    torch.optim.Adam.step = spy
    try:
        train(model, X, y, steps=10, optimizer="adam", lr=1e-2, warmup_steps=5, seed=0)
    finally:
        torch.optim.Adam.step = original
    assert seen[:5] == pytest.approx([2e-3, 4e-3, 6e-3, 8e-3, 1e-2]) and seen[5:] == [1e-2] * 5


def test_a_diverging_run_is_flagged_and_stops():
    X, y = two_spirals(200, seed=0)
    history = train(_model(norm="none"), X, y, steps=200, lr=1e6, momentum=0.0, seed=0)
    assert history.diverged and len(history.loss) < 200
    assert history.final_loss() == math.inf


def test_progress_is_advanced_once_per_step():
    class Counter:
        n = 0

        def update(self, n=1):
            self.n += n

    counter = Counter()
    X, y = two_spirals(100, seed=0)
    train(_model(), X, y, steps=12, progress=counter)
    assert counter.n == 12


def test_history_of_an_empty_run_is_nan():
    assert math.isnan(History().final_loss())


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(steps=0), ValueError, "steps must be at least 1"),
    (dict(steps=5, optimizer="rmsprop"), ValueError, "unknown optimizer 'rmsprop'; choose one of 'sgd', 'adam'"),
    (dict(steps=5, lr=-1.0), ValueError, "lr must be at least 0"),
    (dict(steps=5, batch_size=0), ValueError, "batch_size must be at least 1"),
])
def test_train_refuses_bad_arguments(kwargs, error, message):
    X, y = two_spirals(100, seed=0)
    with pytest.raises(error, match=message):
        train(_model(), X, y, **kwargs)


def test_train_refuses_mismatched_or_wrongly_typed_data():
    X, y = two_spirals(100, seed=0)
    with pytest.raises(ValueError, match=r"different numbers of samples: shapes \(100, 2\) and \(50,\)"):
        train(_model(), X, y[:50], steps=1)
    with pytest.raises(TypeError, match="integer class labels"):
        train(_model(), X, y.float(), steps=1)
    with pytest.raises(TypeError, match="X must be a torch.Tensor"):
        train(_model(), X.tolist(), y, steps=1)
