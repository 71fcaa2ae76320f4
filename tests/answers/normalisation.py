"""Starter stubs and plausible wrong answers for the exercises of notebook 03."""

import copy
import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.functional import group_norm as imported_group_norm

import course_utils as cu


# ----------------------------------------------------------------------------------- group_norm

def group_norm_stub(x, num_groups, gamma, beta, eps=1e-5):
    raise NotImplementedError


def _per_channel(t, x):                           # (C,) -> (1, C, 1, ...), lined up with dim 1
    return t.reshape(1, -1, *[1] * (x.dim() - 2))


def _grouped(view, dims, *, unbiased=False, eps_inside=True, affine=True, detach=False):
    """A group_norm that normalises x.reshape(view(x, G)) over `dims`: the right answer for
    view (N, G, -1) over -1, and each classic slip otherwise."""
    def norm(x, num_groups, gamma, beta, eps=1e-5):
        v = x.reshape(view(x, num_groups))
        mean = v.mean(dim=dims, keepdim=True)
        var = v.var(dim=dims, unbiased=unbiased, keepdim=True)
        scale = torch.sqrt(var + eps) if eps_inside else torch.sqrt(var) + eps
        out = ((v - mean) / scale).reshape(x.shape)
        if detach:
            out = out.detach()
        return _per_channel(gamma, x) * out + _per_channel(beta, x) if affine else out
    return norm


_GROUPS = lambda x, g: (x.shape[0], g, -1)                               # noqa: E731  right
_PER_POSITION = lambda x, g: (x.shape[0], g, x.shape[1] // g, -1)        # noqa: E731
_INTERLEAVED = lambda x, g: (x.shape[0], x.shape[1] // g, g, -1)         # noqa: E731
_GROUP_SIZE = lambda x, g: (x.shape[0], x.shape[1] // g, -1)             # noqa: E731
_ONE_GROUP = lambda x, g: (x.shape[0], 1, -1)                            # noqa: E731
_INSTANCE = lambda x, g: (x.shape[0], x.shape[1], -1)                    # noqa: E731


def group_norm_affine_on_last_dim(x, num_groups, gamma, beta, eps=1e-5):
    grouped = x.reshape(x.shape[0], num_groups, -1)
    mean, var = grouped.mean(-1, keepdim=True), grouped.var(-1, unbiased=False, keepdim=True)
    x_hat = ((grouped - mean) / torch.sqrt(var + eps)).reshape(x.shape)
    return gamma * x_hat + beta                     # (C,) lines up with the LAST dim of x


def group_norm_for_sequences_only(x, num_groups, gamma, beta, eps=1e-5):    # (N, C, L) only
    N, C, L = x.shape[0], x.shape[1], x.shape[2]
    grouped = x.reshape(N, num_groups, C // num_groups * L)
    mean, var = grouped.mean(-1, keepdim=True), grouped.var(-1, unbiased=False, keepdim=True)
    x_hat = ((grouped - mean) / torch.sqrt(var + eps)).reshape(N, C, L)
    return gamma.view(1, -1, 1) * x_hat + beta.view(1, -1, 1)


def group_norm_by_torch(x, num_groups, gamma, beta, eps=1e-5):
    return F.group_norm(x, num_groups, gamma, beta, eps)


def group_norm_by_a_module(x, num_groups, gamma, beta, eps=1e-5):
    norm = nn.GroupNorm(num_groups, x.shape[1], eps=eps).to(x.dtype)
    with torch.no_grad():
        norm.weight.copy_(gamma), norm.bias.copy_(beta)
    return norm(x)


def group_norm_by_layer_norm(x, num_groups, gamma, beta, eps=1e-5):     # LayerNorm per group
    grouped = x.reshape(x.shape[0], num_groups, -1)
    x_hat = F.layer_norm(grouped, grouped.shape[-1:], eps=eps).reshape(x.shape)
    return _per_channel(gamma, x) * x_hat + _per_channel(beta, x)


def group_norm_imported(x, num_groups, gamma, beta, eps=1e-5):   # F's function, imported by name
    return imported_group_norm(x, num_groups, gamma, beta, eps)


def group_norm_by_the_course(x, num_groups, gamma, beta, eps=1e-5):
    return cu.make_norm("group", x.shape[1])(x)


def group_norm_in_place(x, num_groups, gamma, beta, eps=1e-5):
    grouped = x.view(x.shape[0], num_groups, -1)
    mean, var = grouped.mean(-1, keepdim=True), grouped.var(-1, unbiased=False, keepdim=True)
    grouped -= mean                                  # changes the caller's x
    x_hat = (grouped / torch.sqrt(var + eps)).reshape(x.shape)
    return _per_channel(gamma, x) * x_hat + _per_channel(beta, x)


def group_norm_unflattened(x, num_groups, gamma, beta, eps=1e-5):    # right, spelt otherwise
    grouped = x.unflatten(1, (num_groups, -1))                        # (N, G, C // G, *)
    dims = tuple(range(2, grouped.dim()))
    mean = grouped.mean(dim=dims, keepdim=True)
    var = ((grouped - mean) ** 2).mean(dim=dims, keepdim=True)
    x_hat = ((grouped - mean) * torch.rsqrt(var + eps)).flatten(1, 2)
    return (x_hat * _per_channel(gamma, x) + _per_channel(beta, x)).float()      # float32 out


# ---------------------------------------------------------------------------- masked_batch_norm

def masked_batch_norm_stub(x, mask, gamma, beta, eps=1e-5):
    raise NotImplementedError


def _masked(dims=(0, 1), *, weights="real", divide_by="real", var_weights=None, unbiased=False,
            eps_inside=True, fixed_eps=None):
    """A masked_batch_norm with sums over `dims` weighted by `weights` ("real", "padding",
    "every"), divided by the count of `divide_by` ("real" or "every"): the right answer with
    the defaults, each classic slip otherwise."""
    def norm(x, mask, gamma, beta, eps=1e-5):
        eps = eps if fixed_eps is None else fixed_eps
        real = mask.unsqueeze(-1).to(x.dtype)
        pick = {"real": real, "padding": 1 - real, "every": torch.ones_like(real)}
        w, vw = pick[weights], pick[var_weights or weights]
        count = (pick[divide_by] if divide_by == "every" else w).sum(dim=dims, keepdim=True)
        var_count = (pick[divide_by] if divide_by == "every" else vw).sum(dim=dims, keepdim=True)
        mean = (x * w).sum(dim=dims, keepdim=True) / count
        var = ((x - mean) ** 2 * vw).sum(dim=dims, keepdim=True) / (var_count - int(unbiased))
        scale = torch.sqrt(var + eps) if eps_inside else torch.sqrt(var) + eps
        return gamma * (x - mean) / scale + beta
    return norm


def masked_padding_zeroed(x, mask, gamma, beta, eps=1e-5):
    x = x * mask.unsqueeze(-1)                      # zeros at the padding, still counted
    mean, var = x.mean(dim=(0, 1)), x.var(dim=(0, 1), unbiased=False)
    return gamma * (x - mean) / torch.sqrt(var + eps) + beta


def masked_mask_not_lined_up(x, mask, gamma, beta, eps=1e-5):
    real = mask.to(x.dtype)                         # (B, T): does not line up with (B, T, C)
    mean = (x * real).sum(dim=(0, 1)) / real.sum()
    var = ((x - mean) ** 2 * real).sum(dim=(0, 1)) / real.sum()
    return gamma * (x - mean) / torch.sqrt(var + eps) + beta


def masked_by_torch(x, mask, gamma, beta, eps=1e-5):       # BatchNorm of the real tokens only
    out = torch.zeros_like(x)
    out[mask] = F.batch_norm(x[mask], None, None, gamma, beta, training=True, eps=eps)
    return out


def masked_by_a_module(x, mask, gamma, beta, eps=1e-5):
    norm = nn.BatchNorm1d(x.shape[-1], eps=eps).to(x.dtype)
    with torch.no_grad():
        norm.weight.copy_(gamma), norm.bias.copy_(beta)
    out = torch.zeros_like(x)
    out[mask] = norm(x[mask])
    return out


def masked_by_the_course(x, mask, gamma, beta, eps=1e-5):
    return gamma * cu.normalise_sequence(x, "batch", eps=eps) + beta


def masked_nan_at_padding(x, mask, gamma, beta, eps=1e-5):
    y = _masked()(x, mask, gamma, beta, eps)
    return torch.where(mask.unsqueeze(-1), y, torch.full_like(y, math.nan))


def masked_zeroes_the_padding_in_place(x, mask, gamma, beta, eps=1e-5):
    x[~mask] = 0.0                                  # changes the caller's x
    count = mask.sum()
    mean = x.sum(dim=(0, 1)) / count
    var = ((x - mean) ** 2 * mask.unsqueeze(-1)).sum(dim=(0, 1)) / count
    return gamma * (x - mean) / torch.sqrt(var + eps) + beta


def masked_real_tokens_by_hand(x, mask, gamma, beta, eps=1e-5):   # right: BN of the real tokens
    tokens = x[mask]                                                 # (number of real tokens, C)
    mean, var = tokens.mean(dim=0), tokens.var(dim=0, unbiased=False)
    out = x.clone()                                                  # padding: left as it was
    out[mask] = gamma * (tokens - mean) / torch.sqrt(var + eps) + beta
    return out


def masked_zero_padding_out(x, mask, gamma, beta, eps=1e-5):      # right: zeros at the padding
    y = _masked()(x, mask, gamma, beta, eps)
    return torch.where(mask.unsqueeze(-1), y, torch.zeros_like(y))


STUBS = {"group_norm": group_norm_stub, "masked_batch_norm": masked_batch_norm_stub,
         "reduced_dims": {"batch": ..., "layer": ..., "instance": ...}}

WRONG = {
    "group_norm": [
        (_grouped(_GROUPS, -1, unbiased=True), "unbiased variance"),
        (_grouped(_GROUPS, -1, eps_inside=False), "eps is added after the square root"),
        (lambda x, G, g, b, eps=1e-5: _grouped(_GROUPS, -1)(x, G, g, b, 1e-5),
         "ignores the eps it is given"),
        (_grouped(_GROUPS, -1, affine=False), "gamma and beta are ignored"),
        (_grouped(_GROUPS, -1, detach=True), "cut off from autograd"),
        (_grouped(_PER_POSITION, 2), "at each position separately"),
        (_grouped(_INTERLEAVED, (1, 3)), "every num_groups-th channel"),
        (_grouped(_GROUP_SIZE, -1), "groups of num_groups channels"),
        (_grouped(_ONE_GROUP, -1), "ignores num_groups"),
        (_grouped(_INSTANCE, -1), "one channel per group (InstanceNorm)"),
        (_grouped(_GROUPS, (0, 2)), "also run over the batch"),
        (group_norm_affine_on_last_dim, "to line up with dim 1 of x, not with its last dim"),
        (group_norm_for_sequences_only, "It was right on an input of shape (3, 6, 5)"),
        (group_norm_by_torch, "calls F.group_norm, PyTorch's own normalisation"),
        (group_norm_by_a_module, "calls F.group_norm"),
        (group_norm_by_layer_norm, "calls F.layer_norm"),
        (group_norm_imported, "calls torch.group_norm"),
        (group_norm_by_the_course, "calls cu.make_norm, the course's own norm"),
        (group_norm_in_place, "changed its input `x` in place"),
        (lambda x, G, g, b, eps=1e-5: None, "returned None"),
        (lambda x, g, b, eps=1e-5: x, "raised TypeError"),          # forgot num_groups
    ],
    "masked_batch_norm": [
        (_masked(weights="every"), "the padded positions are counted"),
        (masked_padding_zeroed, "set to zero but still counted"),
        (_masked(divide_by="every"), "divided by B * T"),
        (_masked(weights="padding"), "the statistics come from the padded positions"),
        (_masked(dims=(1,)), "each sequence gets its own statistics"),
        (_masked(dims=(0,)), "each time step gets its own statistics"),
        (_masked(var_weights="every"), "the variance does not"),
        (_masked(unbiased=True), "unbiased variance"),
        (_masked(eps_inside=False), "eps is added after the square root"),
        (_masked(fixed_eps=1e-5), "ignores the eps it is given"),
        (lambda x, m, g, b, eps=1e-5: _masked()(x, m, g, b, eps) - b, "beta is ignored"),
        (masked_mask_not_lined_up, "mask.unsqueeze(-1)"),
        (masked_by_torch, "calls F.batch_norm, PyTorch's own normalisation"),
        (masked_by_a_module, "calls F.batch_norm"),
        (masked_by_the_course, "calls cu.normalise_sequence, the course's own norm"),
        (masked_nan_at_padding, "NaN or infinite values at the padded positions"),
        (lambda x, m, g, b, eps=1e-5: _masked()(x, m, g, b, eps)[m], "returned shape (17, 5)"),
        (lambda x, m, g, b, eps=1e-5: _masked()(x, m, g, b, eps).detach(),
         "cut off from autograd"),
        (masked_zeroes_the_padding_in_place, "changed its input `x` in place"),
    ],
    "reduced_dims": [
        ({"batch": (0, 1), "layer": (2,), "instance": (1,)}, "the answer for a (B, T, C) sequence"),
        ({"batch": (0, 2, 3), "layer": (2, 3), "instance": (1, 2, 3)}, "are swapped"),
        ({"batch": (0,), "layer": (1, 2, 3), "instance": (2, 3)}, "over every pixel (H and W)"),
        ({"batch": (0, 2, 3), "layer": (1,), "instance": (2, 3)}, "per-pixel LayerNorm"),
        ({"batch": (0, 2, 3), "layer": (-1,), "instance": (2, 3)}, "one dim of pixels"),
        ({"batch": (0, 2, 3), "layer": (0, 1, 2, 3), "instance": (2, 3)}, "never mix images"),
        ({"batch": (0, 1, 2, 3), "layer": (1, 2, 3), "instance": (2, 3)},
         "never taken ACROSS channels"),
        ({"batch": (0, 2, 3), "layer": (1, 2, 3), "instance": (3,)}, "one statistic per channel "
         "of each image, so it averages over every other dim"),
        ({"batch": (0, 2, 3), "layer": (1, 2, 3)}, "no entry for ['instance']"),
        ({"batch": (0, 4), "layer": (1, 2, 3), "instance": (2, 3)}, "only has dims 0, 1, 2, 3"),
        ([(0, 2, 3), (1, 2, 3), (2, 3)], "Expected a dict"),
    ],
}

RIGHT = {   # other ways of writing the right answer, which must pass
    "reduced_dims": [{"batch": [0, 2, 3], "layer": [1, 2, 3], "instance": (-2, -1)},
                     {"batch": (-4, -2, -1), "layer": (-3, 2, 3), "instance": [2, 3]},
                     {"batch": {0, 2, 3}, "layer": (1, 2, 3), "instance": (2, 3), "group": 1}],
    "group_norm": [group_norm_unflattened],
    "masked_batch_norm": [masked_real_tokens_by_hand, masked_zero_padding_out],
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
