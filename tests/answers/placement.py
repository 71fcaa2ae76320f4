"""Starter stubs and plausible wrong answers for the exercises of notebook 04."""

import math

import torch
import torch.nn.functional as F
from torch import nn

import course_utils as cu
from course_utils.transformer import pre_norm_sublayer as imported_pre_norm_sublayer


# ----------------------------------------------------------------------------- pre_norm_stack

def pre_norm_stack_stub(x, sublayers, norms, final_norm):
    raise NotImplementedError


def stack_without_final_norm(x, sublayers, norms, final_norm):
    for sublayer, norm in zip(sublayers, norms):
        x = x + sublayer(norm(x))
    return x


def stack_final_norm_every_time(x, sublayers, norms, final_norm):
    for sublayer, norm in zip(sublayers, norms):
        x = final_norm(x + sublayer(norm(x)))
    return x


def stack_summary_formula(x, sublayers, norms, final_norm):
    for sublayer, norm in zip(sublayers, norms):
        x = norm(x) + sublayer(norm(x))
    return final_norm(x)


def stack_post_norm(x, sublayers, norms, final_norm):
    for sublayer, norm in zip(sublayers, norms):
        x = norm(x + sublayer(x))
    return final_norm(x)


def stack_in_parallel(x, sublayers, norms, final_norm):
    return final_norm(x + sum(sublayer(norm(x)) for sublayer, norm in zip(sublayers, norms)))


def stack_one_norm(x, sublayers, norms, final_norm):
    for sublayer in sublayers:
        x = x + sublayer(norms[0](x))
    return final_norm(x)


def stack_final_norm_as_every_norm(x, sublayers, norms, final_norm):
    for sublayer in sublayers:
        x = x + sublayer(final_norm(x))
    return final_norm(x)


def stack_returns_in_the_loop(x, sublayers, norms, final_norm):
    for sublayer, norm in zip(sublayers, norms):
        x = x + sublayer(norm(x))
        return final_norm(x)


def stack_without_skips(x, sublayers, norms, final_norm):
    for sublayer, norm in zip(sublayers, norms):
        x = sublayer(norm(x))
    return final_norm(x)


def stack_final_norm_first(x, sublayers, norms, final_norm):
    x = final_norm(x)
    for sublayer, norm in zip(sublayers, norms):
        x = x + sublayer(norm(x))
    return x


def stack_skips_the_last(x, sublayers, norms, final_norm):       # off by one
    for i in range(len(sublayers) - 1):
        x = x + sublayers[i](norms[i](x))
    return final_norm(x)


def stack_in_place(x, sublayers, norms, final_norm):
    for sublayer, norm in zip(sublayers, norms):
        x += sublayer(norm(x))
    return final_norm(x)


def stack_with_the_course_s_sublayer(x, sublayers, norms, final_norm):
    for sublayer, norm in zip(sublayers, norms):
        x = cu.pre_norm_sublayer(x, sublayer, norm)
    return final_norm(x)


def stack_with_an_imported_sublayer(x, sublayers, norms, final_norm):
    for sublayer, norm in zip(sublayers, norms):
        x = imported_pre_norm_sublayer(x, sublayer, norm)
    return final_norm(x)


def stack_importing_the_course_inside(x, sublayers, norms, final_norm):
    from course_utils import transformer
    for sublayer, norm in zip(sublayers, norms):
        x = transformer.pre_norm_sublayer(x, sublayer, norm)
    return final_norm(x)


def stack_by_reduce(x, sublayers, norms, final_norm):             # a right answer, spelt otherwise
    import functools
    pairs = zip(sublayers, norms)
    return final_norm(functools.reduce(lambda h, pair: h + pair[0](pair[1](h)), pairs, x))


def stack_by_index(x, sublayers, norms, final_norm):              # a right answer, spelt otherwise
    for i in range(len(sublayers)):
        x = x + sublayers[i](norms[i](x))
    return final_norm(x)


# ----------------------------------------------------------------------------- deepnorm_layer

class DeepNormLayerStub(nn.Module):                  # the notebook's cell, untouched
    def __init__(self, d_model, n_heads, d_ff, n_layers):
        super().__init__()
        self.attention = nn.MultiheadAttention(d_model, n_heads, batch_first=True)
        self.fc1, self.fc2 = nn.Linear(d_model, d_ff), nn.Linear(d_ff, d_model)
        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        weights = (self.attention.in_proj_weight, self.attention.out_proj.weight,
                   self.fc1.weight, self.fc2.weight)
        biases = (self.attention.in_proj_bias, self.attention.out_proj.bias,
                  self.fc1.bias, self.fc2.bias)
        with torch.no_grad():                       # Xavier-normal weights, zero biases
            for weight, bias in zip(weights, biases):
                nn.init.xavier_normal_(weight)
                nn.init.zeros_(bias)
        # YOUR CODE HERE: DeepNorm's alpha, and beta on the right weights

    def forward(self, x):                           # x: (B, T, d_model)
        raise NotImplementedError  # YOUR CODE HERE


def _deepnorm_class(name="DeepNormRight", *, alpha=lambda n: (2 * n) ** 0.25,
                    beta=lambda n: (8 * n) ** -0.25, scale=("v", "o", "fc1", "fc2"),
                    sublayer=None, ffn=None, no_grad=True):
    """A DeepNormLayer as the stub starts it, with one thing changed: how alpha or beta is
    computed, which weights beta scales, what each sub-layer computes."""
    sublayer = sublayer or (lambda a, h, branch, norm: norm(a * h + branch(h)))
    ffn = ffn or (lambda layer, h: layer.fc2(torch.relu(layer.fc1(h))))

    class Layer(DeepNormLayerStub):
        def __init__(self, d_model, n_heads, d_ff, n_layers):
            super().__init__(d_model, n_heads, d_ff, n_layers)
            self.alpha, b = alpha(n_layers), beta(n_layers)
            w, d = self.attention.in_proj_weight, d_model
            rows = {"q": slice(0, d), "k": slice(d, 2 * d), "v": slice(2 * d, 3 * d)}
            others = {"o": self.attention.out_proj.weight, "fc1": self.fc1.weight,
                      "fc2": self.fc2.weight, "norm1": self.norm1.weight}
            with torch.no_grad() if no_grad else torch.enable_grad():
                for name in scale:
                    target = w[rows[name]] if name in rows else others[name]
                    target.mul_(b)

        def forward(self, x):
            attention = lambda h: self.attention(h, h, h, need_weights=False)[0]  # noqa: E731
            x = sublayer(self.alpha, x, attention, self.norm1)
            return sublayer(self.alpha, x, lambda h: ffn(self, h), self.norm2)

    Layer.__name__ = Layer.__qualname__ = name
    return Layer


class DeepNormRedrawn(DeepNormLayerStub):            # Xavier with gain beta: new random weights
    def __init__(self, d_model, n_heads, d_ff, n_layers):
        super().__init__(d_model, n_heads, d_ff, n_layers)
        self.alpha, beta = (2 * n_layers) ** 0.25, (8 * n_layers) ** -0.25
        with torch.no_grad():
            nn.init.xavier_normal_(self.attention.in_proj_weight[2 * d_model:], gain=beta)
            for linear in (self.attention.out_proj, self.fc1, self.fc2):
                nn.init.xavier_normal_(linear.weight, gain=beta)

    def forward(self, x):
        x = self.norm1(self.alpha * x + self.attention(x, x, x)[0])
        return self.norm2(self.alpha * x + self.fc2(torch.relu(self.fc1(x))))


class DeepNormForgetsTheTuple(_deepnorm_class()):
    def forward(self, x):
        x = self.norm1(self.alpha * x + self.attention(x, x, x))
        return self.norm2(self.alpha * x + self.fc2(torch.relu(self.fc1(x))))


class DeepNormFromTheCourse(cu.TransformerBlock):
    def __init__(self, d_model, n_heads, d_ff, n_layers):
        super().__init__(d_model, n_heads, d_ff, placement="deepnorm",
                         alpha=cu.deepnorm_constants(n_layers)[0])


class DeepNormWithTheCourseConstants(DeepNormLayerStub):
    def __init__(self, d_model, n_heads, d_ff, n_layers):
        super().__init__(d_model, n_heads, d_ff, n_layers)
        self.alpha, beta = cu.deepnorm_constants(n_layers)
        with torch.no_grad():
            for weight in (self.attention.in_proj_weight[2 * d_model:],
                           self.attention.out_proj.weight, self.fc1.weight, self.fc2.weight):
                weight.mul_(beta)

    def forward(self, x):
        x = self.norm1(self.alpha * x + self.attention(x, x, x)[0])
        return self.norm2(self.alpha * x + self.fc2(torch.relu(self.fc1(x))))


class DeepNormWithTheCourseSublayer(_deepnorm_class()):
    def forward(self, x):
        attention = lambda h: self.attention(h, h, h)[0]            # noqa: E731
        x = cu.deepnorm_sublayer(x, attention, self.norm1, alpha=self.alpha)
        return cu.deepnorm_sublayer(x, lambda h: self.fc2(torch.relu(self.fc1(h))), self.norm2,
                                    alpha=self.alpha)


class DeepNormWrappingTheCourseBlock(nn.Module):
    def __init__(self, d_model, n_heads, d_ff, n_layers):
        super().__init__()
        self.block = cu.transformer.TransformerBlock(d_model, n_heads, d_ff, placement="deepnorm",
                                                     alpha=(2 * n_layers) ** 0.25)

    def forward(self, x):
        return self.block(x)


class DeepNormRenamed(nn.Module):                    # its own module names: the check cannot read them
    def __init__(self, d_model, n_heads, d_ff, n_layers):
        super().__init__()
        self.attn = nn.MultiheadAttention(d_model, n_heads, batch_first=True)
        self.ffn = nn.Sequential(nn.Linear(d_model, d_ff), nn.ReLU(), nn.Linear(d_ff, d_model))
        self.ln1, self.ln2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.alpha = (2 * n_layers) ** 0.25

    def forward(self, x):
        x = self.ln1(self.alpha * x + self.attn(x, x, x)[0])
        return self.ln2(self.alpha * x + self.ffn(x))


class DeepNormInPlaceForward(_deepnorm_class()):
    def forward(self, x):
        x *= self.alpha
        return super().forward(x / self.alpha)


def deepnorm_as_a_function(d_model, n_heads, d_ff, n_layers):
    return nn.Identity()


class DeepNormScalingData(DeepNormLayerStub):       # a right answer, spelt otherwise
    def __init__(self, d_model, n_heads, d_ff, n_layers):
        super().__init__(d_model, n_heads, d_ff, n_layers)
        self.alpha = math.pow(2 * n_layers, 1 / 4)
        beta = 1 / math.pow(8 * n_layers, 1 / 4)
        self.attention.in_proj_weight.data[2 * d_model:] *= beta
        for linear in (self.attention.out_proj, self.fc1, self.fc2):
            linear.weight.data *= beta

    def forward(self, x):
        a, _ = self.attention(x, x, x)
        x = self.norm1(x * self.alpha + a)
        return self.norm2(x * self.alpha + self.fc2(F.relu(self.fc1(x))))


def _pasted_into_the_notebook(name):
    """The reference, pasted into a namespace like notebook 04's, whose globals hold the course's
    objects under the names its cells gave them (`attention`, `block`, `norm`)."""
    import inspect
    namespace = {"torch": torch, "nn": nn, "F": F, "cu": cu, "norm": nn.LayerNorm(8),
                 "attention": cu.transformer.SelfAttention(8, 2, causal=True),
                 "block": cu.TransformerBlock(8, 2, 16, placement="pre")}
    reference = cu.EXERCISES[name].reference
    exec(inspect.getsource(reference), namespace)
    return namespace[reference.__name__]


# ----------------------------------------------------------------------------- layer_param_count

def layer_count_stub(d_model, n_heads, d_ff):
    raise NotImplementedError


def builds_the_layer(d_model, n_heads, d_ff):
    import torch.nn as nn
    return sum(p.numel() for p in nn.TransformerEncoderLayer(d_model, n_heads, d_ff).parameters())


def _right(d, h, f):
    return 4 * d * d + 4 * d + 2 * d * f + f + d + 4 * d


STUBS = {"pre_norm_stack": pre_norm_stack_stub, "deepnorm_layer": DeepNormLayerStub,
         "layer_param_count": layer_count_stub}

_SKIP_AND_NORM = {     # one sub-layer h -> ..., with the skip weight a, the branch and the norm
    "DeepNormAlphaOnBranch": lambda a, h, branch, norm: norm(h + a * branch(h)),
    "DeepNormAlphaOutside": lambda a, h, branch, norm: a * norm(h + branch(h)),
    "DeepNormNormInTheBranch": lambda a, h, branch, norm: a * h + branch(norm(h)),
    "DeepNormAsPreNorm": lambda a, h, branch, norm: h + branch(norm(h)),
    "DeepNormWithoutSkip": lambda a, h, branch, norm: norm(branch(h)),
}
_WRONG_SUBLAYER = {name: _deepnorm_class(name, sublayer=f) for name, f in _SKIP_AND_NORM.items()}
_BETA_ON = {      # which weights beta scales
    "DeepNormWithoutBeta": (),
    "DeepNormBetaOnAllOfInProj": ("q", "k", "v", "o", "fc1", "fc2"),
    "DeepNormBetaOnQueries": ("q", "o", "fc1", "fc2"),
    "DeepNormBetaOnTheFFNOnly": ("fc1", "fc2"),
    "DeepNormBetaMissesWO": ("v", "fc1", "fc2"),
    "DeepNormBetaOnANorm": ("v", "o", "fc1", "fc2", "norm1"),
}
_WRONG_SCALE = {name: _deepnorm_class(name, scale=scale) for name, scale in _BETA_ON.items()}

WRONG = {
    "pre_norm_stack": [
        (stack_without_final_norm, "it returns the stream as the last sub-layer leaves it"),
        (stack_final_norm_every_time, "it applies final_norm to the stream after every sub-layer"),
        (stack_summary_formula, "LN(x) + F(LN(x)), the wrong formula of section 2"),
        (stack_post_norm, "that is post-norm, the norm on the main path after the sum"),
        (stack_in_parallel, "every sub-layer reads the stack's INPUT x"),
        (stack_one_norm, "every sub-layer uses norms[0]"),
        (stack_final_norm_as_every_norm, "every sub-layer normalises its input with final_norm"),
        (stack_returns_in_the_loop, "is the `return` inside the loop?"),
        (stack_without_skips, "the `x +` is missing"),
        (stack_final_norm_first, "The final norm sits at the END"),
        (stack_skips_the_last, "returned something else"),
        (stack_in_place, "changed its input `x` in place"),
        (stack_with_the_course_s_sublayer, "Your code calls cu.pre_norm_sublayer, the course's"),
        (stack_with_an_imported_sublayer, "Your code uses cu.pre_norm_sublayer, the course's"),
        (stack_importing_the_course_inside, "Your code calls cu.pre_norm_sublayer, the course's"),
        (cu.pre_norm_sublayer, "pre_norm_stack is cu.pre_norm_sublayer, the course's own code"),
        (lambda x, sublayers, norms, final_norm: None, "returned None"),
        (lambda x, sublayers, norms, final_norm: [final_norm(x)], "returned a list"),
    ],
    "deepnorm_layer": [
        (_WRONG_SUBLAYER["DeepNormAlphaOnBranch"], "alpha multiplies the BRANCH"),
        (_WRONG_SUBLAYER["DeepNormAlphaOutside"], "alpha scales the whole output"),
        (_WRONG_SUBLAYER["DeepNormNormInTheBranch"], "the norm sits inside the branch, as in pre-norm"),
        (_WRONG_SUBLAYER["DeepNormAsPreNorm"], "that is pre-norm"),
        (_WRONG_SUBLAYER["DeepNormWithoutSkip"], "the `alpha * x +` is missing"),
        (_deepnorm_class("DeepNormWithoutAlpha", alpha=lambda n: 1.0), "post-norm without alpha"),
        (_deepnorm_class("DeepNormWithoutReLU", ffn=lambda layer, h: layer.fc2(layer.fc1(h))),
         "no ReLU between fc1 and fc2"),
        (_deepnorm_class("DeepNormAlphaIsOneOverBeta", alpha=lambda n: (8 * n) ** 0.25),
         "the skip is scaled by (8N)^(1/4), 1 / beta"),
        (_deepnorm_class("DeepNormAlphaIsBeta", alpha=lambda n: (8 * n) ** -0.25),
         "the skip is scaled by beta"),
        (_deepnorm_class("DeepNormAlphaForSixLayers", alpha=lambda n: 12 ** 0.25),
         "the skip is scaled by alpha for n_layers = 6; for an encoder of N = 16 layers"),
        (_WRONG_SCALE["DeepNormWithoutBeta"], "no weight was scaled by beta"),
        (_WRONG_SCALE["DeepNormBetaOnAllOfInProj"], "You scaled all of in_proj_weight"),
        (_WRONG_SCALE["DeepNormBetaOnQueries"], "which are W^Q"),
        (_WRONG_SCALE["DeepNormBetaOnTheFFNOnly"], "W^V is not scaled"),
        (_WRONG_SCALE["DeepNormBetaMissesWO"], "W^O is not scaled"),
        (_WRONG_SCALE["DeepNormBetaOnANorm"], "norm1's gain or shift changed"),
        (_deepnorm_class("DeepNormBetaIsOneOverAlpha", beta=lambda n: (2 * n) ** -0.25),
         "was multiplied by 0.537; beta = (8N)^(-1/4) = 0.380"),
        (_deepnorm_class("DeepNormBetaInverted", beta=lambda n: (8 * n) ** 0.25),
         "was multiplied by 2.632"),
        (_deepnorm_class("DeepNormBetaForSixLayers", beta=lambda n: 48 ** -0.25),
         "With n_layers = 16, W^V was multiplied by 0.380"),
        (_deepnorm_class("DeepNormScalesUnderAutograd", no_grad=False),
         "scale the weights inside `with torch.no_grad():`"),
        (DeepNormRedrawn, "holds new random weights, not the given ones scaled"),
        (DeepNormForgetsTheTuple, "nn.MultiheadAttention returns a pair"),
        (DeepNormFromTheCourse, "DeepNormLayer subclasses cu.TransformerBlock, the course's own block"),
        (DeepNormWithTheCourseConstants, "Your code calls cu.deepnorm_constants, the course's own"),
        (DeepNormWithTheCourseSublayer, "Your code calls cu.deepnorm_sublayer, the course's own"),
        (DeepNormWrappingTheCourseBlock, "Your code builds cu.TransformerBlock, the course's own"),
        (DeepNormRenamed, "DeepNormLayer has no MultiheadAttention called `self.attention`"),
        (DeepNormInPlaceForward, "changed its input `x` in place"),
        (deepnorm_as_a_function, "Expected a class that subclasses torch.nn.Module"),
    ],
    "layer_param_count": [
        (lambda d, h, f: 4 * d * d + 4 * d, "that is the attention (section 3)"),
        (lambda d, h, f: 4 * d * d + 4 * d + 2 * d, "that is the attention (section 3)"),
        (lambda d, h, f: _right(d, h, f) - 2 * d, "one LayerNorm is missing"),
        (lambda d, h, f: _right(d, h, f) - f - d, "the feed-forward network's two biases"),
        (lambda d, h, f: _right(d, h, f) - 4 * d, "the LayerNorms are missing"),
        (lambda d, h, f: 4 * d * d + 4 * d + 2 * d * d + 2 * d + 4 * d, "use d_ff for its hidden width"),
        (lambda d, h, f: h * _right(d, h, f), "the heads SPLIT d_model"),
        (lambda d, h, f: float(_right(d, h, f)), "return an int"),
        (lambda d, h, f: None, "returned None"),
        (builds_the_layer, "builds PyTorch's layer or attention"),
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
RIGHT = {"pre_norm_attention": [functional_layer_norm], "steps_to_loss": [with_torch],
         "pre_norm_stack": [stack_by_reduce, stack_by_index,
                            _pasted_into_the_notebook("pre_norm_stack")],
         "deepnorm_layer": [DeepNormScalingData, _pasted_into_the_notebook("deepnorm_layer")]}
