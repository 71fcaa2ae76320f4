"""Starter stubs and plausible wrong answers for the exercises of notebook 04."""


def post_norm_stub(x, sublayer, norm):
    raise NotImplementedError


def pre_norm_stub(x, sublayer, norm):
    raise NotImplementedError


def deepnorm_stub(x, sublayer, norm, alpha):
    raise NotImplementedError


def mha_stub(d_model, n_heads):
    raise NotImplementedError


STUBS = {"post_norm_sublayer": post_norm_stub, "pre_norm_sublayer": pre_norm_stub,
         "deepnorm_sublayer": deepnorm_stub, "mha_param_count": mha_stub}

WRONG = {
    "post_norm_sublayer": [
        (lambda x, F, N: x + F(N(x)), "that is PRE-norm"),
        (lambda x, F, N: N(F(x)), "the `x +` is missing"),
        (lambda x, F, N: x + N(F(x)), "normalises the branch's OUTPUT"),
        (lambda x, F, N: None, "returned None"),
        (lambda x, F, N: N(x + F(x))[0], "returned shape"),
    ],
    "pre_norm_sublayer": [
        (lambda x, F, N: N(x) + F(N(x)), "the formula our source document gives"),
        (lambda x, F, N: N(x + F(x)), "that is POST-norm"),
        (lambda x, F, N: F(N(x)), "the `x +` is missing"),
        (lambda x, F, N: x + F(x), "returned something else"),
        (lambda x, F, N: x + F(N(x)).tolist(), "raised TypeError"),
    ],
    "deepnorm_sublayer": [
        (lambda x, F, N, a: N(x + a * F(x)), "alpha multiplies the branch"),
        (lambda x, F, N, a: a * N(x + F(x)), "alpha scales the whole output"),
        (lambda x, F, N, a: N(x + F(x)), "that is POST-norm"),
        (lambda x, F, N: N(2 * x + F(x)), "raised TypeError"),
    ],
    "mha_param_count": [
        (lambda d, h: 4 * d * d, "also has a bias"),
        (lambda d, h: 3 * d * d + 3 * d, "output projection W_O"),
        (lambda d, h: h * (4 * d * d + 4 * d), "the heads SPLIT d_model"),
        (lambda d, h: float(4 * d * d + 4 * d), "return an int"),
        (lambda d, h: 4 * d * d + 4 * d + 2 * d, "returned 1,051,648"),
        (lambda d, h: None, "returned None"),
    ],
}
