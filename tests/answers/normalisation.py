"""Starter stubs and plausible wrong answers for the exercises of notebook 03."""

import torch


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
