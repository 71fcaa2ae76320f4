"""Starter stubs and plausible wrong answers for the exercises of notebook 03."""

import copy

import torch

import course_utils as cu


def layer_norm_stub(x, gamma, beta, eps=1e-5):
    raise NotImplementedError


def batch_norm_train_stub(x, gamma, beta, eps=1e-5):
    raise NotImplementedError


def _norm(dim, *, unbiased=False, eps_inside=True, affine=True, detach=False):
    def norm(x, gamma, beta, eps=1e-5):
        mean = x.mean(dim=dim, keepdim=True)
        var = x.var(dim=dim, unbiased=unbiased, keepdim=True)
        scale = torch.sqrt(var + eps) if eps_inside else torch.sqrt(var) + eps
        out = (x - mean) / scale
        if detach:
            out = out.detach()
        return gamma * out + beta if affine else out
    return norm


def zeroes_beta_then_leaves_it_out(x, gamma, beta, eps=1e-5):
    beta.zero_()                                   # the old checker then compared with beta = 0
    mean, var = x.mean(-1, keepdim=True), x.var(-1, unbiased=False, keepdim=True)
    return gamma * (x - mean) / torch.sqrt(var + eps)


def sets_gamma_to_one_then_leaves_it_out(x, gamma, beta, eps=1e-5):
    gamma.fill_(1)
    mean, var = x.mean(0, keepdim=True), x.var(0, unbiased=False, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) + beta


STUBS = {"layer_norm": layer_norm_stub, "batch_norm_train": batch_norm_train_stub,
         "reduced_dims": {"batch": ..., "layer": ...}}

WRONG = {
    "layer_norm": [
        (_norm(-1, unbiased=True), "unbiased variance"),
        (lambda x, g, b, eps=1e-5: torch.nn.functional.layer_norm(x, x.shape[-1:], g, b, eps=1e-5),
         "ignores the eps it is given"),                                   # ignores the eps it is given
        (_norm(-1, eps_inside=False), "eps is added after the square root"),
        (_norm(0), "wrong dimension"),
        (_norm(-1, affine=False), "gamma and beta are ignored"),
        (_norm(-1, detach=True), "cut off from autograd"),
        (lambda x, g, b, eps=1e-5: g * (x - x.mean()) / torch.sqrt(x.var(unbiased=False) + eps) + b,
         "over ALL values at once, not per token"),
        (lambda x, g, b, eps=1e-5: None, "returned None"),
        (lambda x, g, b, eps=1e-5: x[0], "returned shape"),
        (lambda x, g, b: x, "raised TypeError"),        # forgot the eps argument
        (zeroes_beta_then_leaves_it_out, "changed its input `beta` in place"),
    ],
    "batch_norm_train": [
        (_norm(0, unbiased=True), "unbiased variance"),
        (_norm(0, eps_inside=False), "eps is added after the square root"),
        (_norm(-1), "wrong dimension"),
        (_norm(0, affine=False), "gamma and beta are ignored"),
        (lambda x, g, b, eps=1e-5: g * (x - x.mean(0)) / torch.sqrt(x.var(0, unbiased=False) + eps),
         "beta is ignored"),
        (lambda x, g, b, eps=1e-5: x.detach().numpy(), "returned a ndarray"),
        (sets_gamma_to_one_then_leaves_it_out, "changed its input `gamma` in place"),
    ],
    "reduced_dims": [
        ({"batch": (2,), "layer": (0, 1)}, "swapped"),
        ({"batch": (0,), "layer": (2,)}, "over the batch AND over time"),
        ({"batch": (0, 1), "layer": (1, 2)}, "never across time"),
        ({"batch": (0, 1)}, "no entry for ['layer']"),
        ({"batch": (0, 3), "layer": (2,)}, "only has dims 0, 1, 2"),
        ([(0, 1), (2,)], "Expected a dict"),
    ],
}

RIGHT = {   # other ways of writing the right answer, which must pass
    "reduced_dims": [{"batch": [0, 1], "layer": -1}, {"batch": (-3, -2), "layer": [2]},
                     {"batch": {0, 1}, "layer": (2,), "rms": (2,)}],
    "layer_norm": [lambda x, g, b, eps=1e-5: torch.nn.functional.layer_norm(x, x.shape[-1:], g, b,
                                                                            eps=eps),
                   lambda x, g, b, eps=1e-5: _norm(-1)(x, g, b, eps).float()],   # float32 out
}


# ----------------------------------------------------------------------------- batched_accuracy

def batched_accuracy_as_given(model, X, y, batch_size=50):     # the notebook's cell: the bug
    correct = 0
    with torch.no_grad():
        for start in range(0, len(X), batch_size):
            logits = model(X[start:start + batch_size])
            correct += (logits.argmax(dim=-1) == y[start:start + batch_size]).sum().item()
    return correct / len(X)


def accuracy_eval_without_parentheses(model, X, y, batch_size=50):   # the same bug, another way
    model.eval
    return batched_accuracy_as_given(model, X, y, batch_size)


def accuracy_left_in_eval(model, X, y, batch_size=50):
    model.eval()
    return batched_accuracy_as_given(model, X, y, batch_size)


def accuracy_always_back_to_train(model, X, y, batch_size=50):
    model.eval()
    accuracy = batched_accuracy_as_given(model, X, y, batch_size)
    model.train()
    return accuracy


def accuracy_one_batch(model, X, y, batch_size=50):
    return batched_accuracy_as_given(model, X, y, len(X))


def accuracy_eval_after_the_loop(model, X, y, batch_size=50):
    accuracy = batched_accuracy_as_given(model, X, y, batch_size)
    model.eval()
    return accuracy


def accuracy_on_a_copy(model, X, y, batch_size=50):           # the model is safe; the number is not
    return batched_accuracy_as_given(copy.deepcopy(model), X, y, batch_size)


def accuracy_by_the_course(model, X, y, batch_size=50):
    return cu.evaluate(model, X, y)[1]


def accuracy_in_percent(model, X, y, batch_size=50):
    was_training = model.training
    model.eval()
    accuracy = batched_accuracy_as_given(model, X, y, batch_size)
    model.train(was_training)
    return 100 * accuracy


def accuracy_counts(model, X, y, batch_size=50):
    was_training = model.training
    model.eval()
    accuracy = batched_accuracy_as_given(model, X, y, batch_size)
    model.train(was_training)
    return round(accuracy * len(X))


def accuracy_after_a_look(model, X, y, batch_size=50):        # a forward pass before eval()
    was_training = model.training
    with torch.no_grad():
        model(X[:batch_size])
    model.eval()
    accuracy = batched_accuracy_as_given(model, X, y, batch_size)
    model.train(was_training)
    return accuracy


def accuracy_drops_the_last_batch(model, X, y, batch_size=50):
    was_training, correct = model.training, 0
    model.eval()
    with torch.no_grad():
        for i in range(len(X) // batch_size):
            s = slice(i * batch_size, (i + 1) * batch_size)
            correct += (model(X[s]).argmax(-1) == y[s]).sum().item()
    model.train(was_training)
    return correct / len(X)


def accuracy_all_at_once(model, X, y, batch_size=50):          # right: batch_size is only chunking
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            return (model(X).argmax(-1) == y).float().mean()
    finally:
        model.train(was_training)


def accuracy_train_false(model, X, y, batch_size=50):           # right: eval() is train(False)
    mode = model.training
    model.train(False)
    try:
        return batched_accuracy_as_given(model, X, y, batch_size)
    finally:
        model.train(mode)


# ------------------------------------------------------------------------ batchnorm_falls_behind

def batchnorm_falls_behind_stub(result, points=5.0):
    raise NotImplementedError


def _largest(sizes):
    return max(sizes) if sizes else None


def behind_mean(result, points=5.0):
    bn, ln = result.error["batch"].mean(0), result.error["layer"].mean(0)
    return _largest([s for s, b, l in zip(result.batch_sizes, bn, ln) if b - l >= points])


def behind_any_seed(result, points=5.0):
    gaps = result.error["batch"] - result.error["layer"]           # (seeds, sizes)
    return _largest([s for i, s in enumerate(result.batch_sizes) if (gaps[:, i] >= points).any()])


def behind_batch_statistics(result, points=5.0):
    bn = result.median_batch_stat_error()
    return _largest([s for s, b, l in zip(result.batch_sizes, bn, result.median("layer"))
                     if b - l >= points])


def behind_smallest(result, points=5.0):
    bn, ln = result.median("batch"), result.median("layer")
    sizes = [s for s, b, l in zip(result.batch_sizes, bn, ln) if b - l >= points]
    return min(sizes) if sizes else None


def behind_index(result, points=5.0):
    for i, (b, l) in enumerate(zip(result.median("batch"), result.median("layer"))):
        if b - l >= points:
            return i
    return None


def behind_its_own_best(result, points=5.0):
    bn = result.median("batch")
    return _largest([s for s, b in zip(result.batch_sizes, bn) if b - bn[0] >= points])


def behind_group_norm(result, points=5.0):
    return _largest([s for s, b, g in zip(result.batch_sizes, result.median("batch"),
                                          result.median("group")) if b - g >= points])


def behind_zero_for_never(result, points=5.0):
    return batchnorm_falls_behind_paired(result, points) or 0


def behind_as_a_ratio(result, points=5.0):         # `points` read as "times", not a difference
    bn, ln = result.median("batch"), result.median("layer")
    behind = [size for size, b, l in zip(result.batch_sizes, bn, ln) if b >= points * l]
    return max(behind) if behind else None


def behind_strictly(result, points=5.0):           # > where "at least" means >=
    bn, ln = result.median("batch"), result.median("layer")
    behind = [size for size, b, l in zip(result.batch_sizes, bn, ln) if b - l > points]
    return max(behind) if behind else None


def batchnorm_falls_behind_paired(result, points=5.0):   # right: the median of per-seed gaps
    gaps = (result.error["batch"] - result.error["layer"]).median(dim=0).values
    return _largest([s for s, g in zip(result.batch_sizes, gaps.tolist()) if g >= points])


STUBS.update({"batched_accuracy": batched_accuracy_as_given,
              "batchnorm_falls_behind": batchnorm_falls_behind_stub})
WRONG.update({
    "batched_accuracy": [
        (accuracy_left_in_eval, "leaves in eval mode"),
        (accuracy_always_back_to_train, "came in eval mode and leaves in training mode"),
        (accuracy_one_batch, "One batch of the whole test set"),
        (accuracy_eval_after_the_loop, "switches to eval mode only after the forward passes"),
        (accuracy_on_a_copy, "still lets BatchNorm normalise each batch with that batch's own"),
        (accuracy_by_the_course, "calls cu.evaluate"),
        (accuracy_in_percent, "a percentage"),
        (accuracy_counts, "the number of points classified correctly"),
        (accuracy_after_a_look, "The call changed the model's BatchNorm running statistics"),
        (accuracy_drops_the_last_batch, "leaves out the last 8 points"),
        (lambda model, X, y, batch_size=50: accuracy_all_at_once(model, X, y) - 0.25,
         "returned 0.75; the fraction of the 200 points the model classifies correctly"),
        (lambda model, X, y, batch_size=50: None, "returned None"),
        (lambda model, X, y, batch_size=50: "100%", "returned str"),
        (lambda model, X, y: 1.0, "raised TypeError"),
    ],
    "batchnorm_falls_behind": [
        (behind_mean, "You averaged over the seeds (mean)"),
        (behind_any_seed, "as soon as ONE seed's BatchNorm run fell behind"),
        (behind_batch_statistics, "You used batch_stat_error"),
        (behind_as_a_ratio, "You compared a RATIO"),
        (behind_strictly, "use >=, not >"),
        (behind_smallest, "You returned the SMALLEST batch size"),
        (behind_index, "a position in result.batch_sizes"),
        (behind_its_own_best, "its own error at the largest batch"),
        (behind_group_norm, "You compared BatchNorm with GroupNorm"),
        (behind_zero_for_never, "return None, not 0"),
        (lambda result, points=5.0: 8, "You returned 8 for every study"),
        (lambda result, points=5.0: 16.0, "returned 16.0 (float)"),
        (lambda result, points=5.0: result.median("batchnorm"), "raised ValueError"),
    ],
})
RIGHT.update({
    "batched_accuracy": [accuracy_all_at_once, accuracy_train_false],
    "batchnorm_falls_behind": [batchnorm_falls_behind_paired],
})
NOT_ATTEMPTED_ALSO = [("batched_accuracy", accuracy_eval_without_parentheses)]
