"""Starter stubs and plausible wrong answers for the exercises of notebook 04."""

import torch
import torch.nn.functional as F
from torch import nn


def post_norm_stub(x, sublayer, norm):
    raise NotImplementedError


def pre_norm_stub(x, sublayer, norm):
    raise NotImplementedError


def deepnorm_stub(x, sublayer, norm, alpha):
    raise NotImplementedError


def mha_stub(d_model, n_heads):
    raise NotImplementedError


def post_norm_in_place(x, sublayer, norm):
    x += sublayer(x)                     # fails on backward in a real model
    return norm(x)


def pre_norm_in_place(x, sublayer, norm):
    x += sublayer(norm(x))
    return x


def deepnorm_in_place(x, sublayer, norm, alpha):
    x *= alpha
    return norm(x + sublayer(x / alpha))


def builds_attention(d_model, n_heads):
    import torch.nn as nn
    return sum(p.numel() for p in nn.MultiheadAttention(d_model, n_heads).parameters())


STUBS = {"post_norm_sublayer": post_norm_stub, "pre_norm_sublayer": pre_norm_stub,
         "deepnorm_sublayer": deepnorm_stub, "mha_param_count": mha_stub}

WRONG = {
    "post_norm_sublayer": [
        (lambda x, F, N: x + F(N(x)), "that is pre-norm, the norm inside the branch. Post-norm adds first"),
        (lambda x, F, N: N(F(x)), "the `x +` is missing"),
        (lambda x, F, N: x + N(F(x)), "normalises the branch's OUTPUT"),
        (post_norm_in_place, "changed its input `x` in place"),
        (lambda x, F, N: None, "returned None"),
        (lambda x, F, N: N(x + F(x))[0], "returned shape"),
    ],
    "pre_norm_sublayer": [
        (lambda x, F, N: N(x) + F(N(x)), "a formula some summaries give for pre-norm, and it is wrong"),
        (lambda x, F, N: N(x + F(x)), "that is post-norm, the norm on the main path after the sum. Pre-norm"),
        (pre_norm_in_place, "changed its input `x` in place"),
        (lambda x, F, N: F(N(x)), "the `x +` is missing"),
        (lambda x, F, N: x + F(x), "returned something else"),
        (lambda x, F, N: x + F(N(x)).tolist(), "raised TypeError"),
    ],
    "deepnorm_sublayer": [
        (lambda x, F, N, a: N(x + a * F(x)), "alpha multiplies the branch"),
        (lambda x, F, N, a: a * N(x + F(x)), "alpha scales the whole output"),
        (lambda x, F, N, a: N(x + F(x)), "post-norm without alpha"),
        (lambda x, F, N, a: N(a * (x + F(x))), "LayerNorm removes any common scale. DeepNorm scales the SKIP"),
        (lambda x, F, N, a: x + F(N(x)), "that is pre-norm, the norm inside the branch. DeepNorm"),
        (deepnorm_in_place, "changed its input `x` in place"),
        (lambda x, F, N: N(2 * x + F(x)), "raised TypeError"),
    ],
    "mha_param_count": [
        (lambda d, h: 4 * d * d, "also has a bias"),
        (lambda d, h: 3 * d * d + 3 * d, "output projection W_O"),
        (lambda d, h: h * (4 * d * d + 4 * d), "the heads SPLIT d_model"),
        (lambda d, h: float(4 * d * d + 4 * d), "return an int"),
        (lambda d, h: 4 * d * d + 4 * d + 2 * d, "returned 1,051,648"),
        (lambda d, h: None, "returned None"),
        (builds_attention, "builds an nn.MultiheadAttention"),
    ],
}


# ----------------------------------------------------------------------------- pre_norm_attention

def pre_norm_attention_as_given(x, attention, gamma, beta, eps=1e-5):   # the notebook's cell: the bug
    mean = x.mean(dim=1, keepdim=True)
    var = x.var(dim=1, keepdim=True, unbiased=False)
    normed = (x - mean) / torch.sqrt(var + eps) * gamma + beta
    return x + attention(normed)


def over_time_spelt_another_way(x, attention, gamma, beta, eps=1e-5):  # the same bug
    var, mean = torch.var_mean(x, dim=-2, keepdim=True, unbiased=False)
    return x + attention((x - mean) * torch.rsqrt(var + eps) * gamma + beta)


def _norm(x, dims, gamma, beta, eps, unbiased=False):
    mean = x.mean(dim=dims, keepdim=True)
    var = x.var(dim=dims, keepdim=True, unbiased=unbiased)
    return (x - mean) / torch.sqrt(var + eps) * gamma + beta


def over_sequence(x, attention, gamma, beta, eps=1e-5):
    return x + attention(_norm(x, (1, 2), gamma, beta, eps))


def over_batch(x, attention, gamma, beta, eps=1e-5):
    return x + attention(_norm(x, 0, gamma, beta, eps))


def unbiased_variance(x, attention, gamma, beta, eps=1e-5):
    return x + attention(_norm(x, -1, gamma, beta, eps, unbiased=True))


def eps_outside_the_root(x, attention, gamma, beta, eps=1e-5):
    mean = x.mean(dim=-1, keepdim=True)
    return x + attention((x - mean) / (x.std(dim=-1, keepdim=True, unbiased=False) + eps) * gamma + beta)


def normalised_skip(x, attention, gamma, beta, eps=1e-5):
    normed = _norm(x, -1, gamma, beta, eps)
    return normed + attention(normed)


def fresh_layer_norm(x, attention, gamma, beta, eps=1e-5):     # nn.LayerNorm's own eps, 1e-5
    return x + attention(nn.LayerNorm(x.shape[-1], elementwise_affine=False)(x) * gamma + beta)


def no_gain_and_shift(x, attention, gamma, beta, eps=1e-5):
    return x + attention(F.layer_norm(x, x.shape[-1:], eps=eps))


def future_from_a_cumulative_mean(x, attention, gamma, beta, eps=1e-5):   # odd statistics
    mean = x.mean(dim=-1, keepdim=True) + 0.1 * x[:, -1:].mean(dim=-1, keepdim=True)
    return x + attention((x - mean) / torch.sqrt(x.var(dim=-1, keepdim=True, unbiased=False) + eps)
                         * gamma + beta)


def centres_in_place(x, attention, gamma, beta, eps=1e-5):
    x -= x.mean(dim=-1, keepdim=True)
    var = x.var(dim=-1, keepdim=True, unbiased=False)
    return x + attention(x / torch.sqrt(var + eps) * gamma + beta)


def functional_layer_norm(x, attention, gamma, beta, eps=1e-5):   # a right answer, spelt otherwise
    return x + attention(F.layer_norm(x, x.shape[-1:], gamma, beta, eps))


# ----------------------------------------------------------------------------- steps_to_loss

def steps_to_loss_stub(runs, level):
    raise NotImplementedError


def _first(curve, level):
    for step, value in enumerate(curve.tolist()):
        if value < level:
            return step
    return None


def by_the_mean(runs, level):
    return _first(runs.loss.mean(dim=0), level)


def first_run_only(runs, level):
    return _first(runs.loss[0], level)


def fastest_run(runs, level):
    return _first(runs.loss.min(dim=0).values, level)


def median_of_each_run_s_step(runs, level):
    steps = [_first(row, level) for row in runs.loss]
    reached = [step for step in steps if step is not None]
    return int(torch.tensor(reached).median()) if reached else None


def counted_from_one(runs, level):
    step = _first(runs.loss.median(dim=0).values, level)
    return None if step is None else step + 1


def minus_one_for_never(runs, level):
    step = _first(runs.loss.median(dim=0).values, level)
    return -1 if step is None else step


def pasted(runs, level):
    return 62


def as_a_float(runs, level):
    step = _first(runs.loss.median(dim=0).values, level)
    return None if step is None else float(step)


def with_torch(runs, level):                       # a right answer, spelt otherwise
    below = (runs.loss.median(dim=0).values < level).nonzero()
    return below[0, 0] if len(below) else None


STUBS.update({"pre_norm_attention": pre_norm_attention_as_given,
              "steps_to_loss": steps_to_loss_stub})
WRONG.update({
    "pre_norm_attention": [
        (over_sequence, "over the whole sequence (dims 1 and 2 together)"),
        (over_batch, "over the batch (dim 0), as BatchNorm does"),
        (unbiased_variance, "divides by C − 1"),
        (eps_outside_the_root, "eps was moved outside the square root"),
        (normalised_skip, "it adds the normalised stream back"),
        (fresh_layer_norm, "it ignores its `eps` argument"),
        (no_gain_and_shift, "gamma and beta are not applied"),
        (future_from_a_cumulative_mean, "Position 0 still sees the future"),
        (centres_in_place, "changed its input `x` in place"),
        (lambda x, attention, gamma, beta, eps=1e-5: attention(_norm(x, -1, gamma, beta, eps)),
         "the `x +` is missing"),
        (lambda x, attention, gamma, beta, eps=1e-5: x + attention(x), "the norm is gone"),
        (lambda x, attention, gamma, beta, eps=1e-5: None, "returned None"),
    ],
    "steps_to_loss": [
        (by_the_mean, "One run diverged: its loss is inf from step 4 on, so the MEAN"),
        (first_run_only, "you followed only the first run"),
        (fastest_run, "ANY run is below the level"),
        (median_of_each_run_s_step, "the first step of the median CURVE"),
        (counted_from_one, "one more than the step's index"),
        (minus_one_for_never, "return None then, not -1"),
        (pasted, "you returned 62"),
        (as_a_float, "returned the float"),
        (lambda runs, level: runs.final_loss(25), "return the step as an int"),
    ],
})
NOT_ATTEMPTED_ALSO = [("pre_norm_attention", over_time_spelt_another_way)]
RIGHT = {"pre_norm_attention": [functional_layer_norm], "steps_to_loss": [with_torch]}
