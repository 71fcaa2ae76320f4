"""Starter stubs and plausible wrong answers for the exercises of notebook 04."""


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
