"""Starter stubs and plausible wrong answers for the exercises of notebook 05."""

from types import SimpleNamespace

import torch
import torch.nn.functional as F
from torch import nn

from course_utils.zoo import HighwayBlock, PreActResNetBlock, ReZeroBlock


def general_highway_stub(x, transform, transform_gate, carry_gate):
    raise NotImplementedError


def _sig(gate, x):
    return torch.sigmoid(gate(x))


def highway_by_the_course(x, transform, transform_gate, carry_gate):    # section 1's block, fixed
    block = HighwayBlock(x.shape[-1])
    block.transform, block.gate = transform, transform_gate
    return block(x) - (1 - _sig(transform_gate, x)) * x + _sig(carry_gate, x) * x


def highway_by_the_course_unbuilt(x, transform, transform_gate, carry_gate):   # forward alone
    carried = _sig(carry_gate, x) * x
    coupled = HighwayBlock.forward(SimpleNamespace(transform=transform, gate=transform_gate), x)
    return coupled - (1 - _sig(transform_gate, x)) * x + carried


def highway_detached_gate(x, transform, transform_gate, carry_gate):
    return transform(x) * _sig(transform_gate, x).detach() + x * _sig(carry_gate, x)


def highway_clamped(x, transform, transform_gate, carry_gate):     # right on ordinary gates only
    t = _sig(transform_gate, x).clamp(0.001, 0.999)
    return transform(x) * t + x * _sig(carry_gate, x).clamp(0.001, 0.999)


def highway_with_functional(x, transform, transform_gate, carry_gate):   # right, spelt otherwise
    t = F.linear(x, transform_gate.weight, transform_gate.bias).sigmoid()
    c = 1 / (1 + torch.exp(-carry_gate(x)))
    return torch.addcmul(x * c, transform(x), t)


def unet_stub(encoder, upsampled):
    raise NotImplementedError


def zoo_model_stub():
    raise NotImplementedError


class _PerToken(nn.Module):
    """Blocks that never let tokens see each other: they cannot learn to reverse."""

    def __init__(self, blocks, width=32):
        super().__init__()
        self.embed = nn.Embedding(16, width)
        self.position = nn.Parameter(torch.randn(12, width))
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Linear(width, 16)

    def forward(self, tokens):
        return self.head(self.blocks(self.embed(tokens) + self.position))


class NoForward(nn.Module):                  # a zoo model whose forward was never written
    def __init__(self):
        super().__init__()
        self.blocks = nn.Sequential(ReZeroBlock(32), PreActResNetBlock(32), ReZeroBlock(32),
                                    PreActResNetBlock(32))


STUBS = {"general_highway_block": general_highway_stub, "unet_merge": unet_stub,
         "zoo_model": zoo_model_stub}

WRONG = {
    "general_highway_block": [
        (lambda x, H, T, C: H(x) * _sig(T, x) + x * (1 - _sig(T, x)), "section 1's coupled block"),
        (lambda x, H, T, C: H(x) * (1 - _sig(C, x)) + x * _sig(C, x),
         "coupled block driven by the carry gate"),
        (lambda x, H, T, C: H(x) * _sig(C, x) + x * _sig(T, x), "The gates are swapped"),
        (lambda x, H, T, C: H(x) * _sig(T, x) + x * C(x), "The carry gate needs a sigmoid too"),
        (lambda x, H, T, C: H(x) * T(x) + x * C(x), "Both gates need a sigmoid"),
        (lambda x, H, T, C: H(x) * _sig(T, x) + x * (1 - _sig(C, x)), "not by 1 − C(x)"),
        (lambda x, H, T, C: H(x) * _sig(T, x) + x, "adds x in full"),
        (lambda x, H, T, C: H(x) * _sig(T, x), "The carry term x·C(x) is missing"),
        (lambda x, H, T, C: H(x) + x * _sig(C, x), "The transform gets in ungated"),
        (lambda x, H, T, C: H(x), "returned other values (off by up to"),
        (highway_by_the_course, "Your code builds cu.zoo.HighwayBlock, the course's own code"),
        (highway_by_the_course_unbuilt,
         "Your code runs cu.zoo.HighwayBlock, the course's own code"),
        (highway_detached_gate, "the gradient for transform_gate's weights is missing or wrong"),
        (highway_clamped, "not on two special cases"),
        (lambda x, H, T, C: (H(x) * _sig(T, x) + x * _sig(C, x))[0], "returned shape (8,)"),
        (lambda x, H, T, C: None, "returned None"),
    ],
    "unet_merge": [
        (lambda e, u: e[..., :u.shape[-1]] + u, "CONCATENATES"),
        (lambda e, u: torch.cat([e[..., :u.shape[-1]], u], dim=1), "crops the CENTRE"),
        (lambda e, u: torch.cat([u, e[..., (e.shape[-1] - u.shape[-1]) // 2:][..., :u.shape[-1]]],
                                dim=1), "order is swapped"),
        (lambda e, u: torch.cat([e, u], dim=1), "raised RuntimeError"),
        (lambda e, u: torch.cat([e[..., :u.shape[-1]], u], dim=2), "returned shape"),
    ],
    "zoo_model": [
        (lambda: None, "returned None"),
        (lambda: "model", "returned a str"),
        (NoForward, "has no `forward` method"),
        (lambda: nn.Sequential(nn.Embedding(16, 32), nn.Linear(32, 16)), "holds 0 zoo blocks"),
        (lambda: _PerToken([ReZeroBlock(32) for _ in range(4)]), "of 1 kind(s)"),
        (lambda: _PerToken([ReZeroBlock(32), PreActResNetBlock(32), ReZeroBlock(32),
                            PreActResNetBlock(32)]), "needs 95%"),
        (lambda: nn.Sequential(nn.Embedding(16, 32), ReZeroBlock(32), PreActResNetBlock(32),
                               ReZeroBlock(32), PreActResNetBlock(32)), "expected (4, 12, 16)"),
    ],
}


# ----------------------------------------------------------------------------- rezero_block

def rezero_as_given(x, branch, alpha):              # the notebook's cell, untouched: the bug
    return alpha * x + branch(x)


def rezero_bug_spelt_otherwise(x, branch, alpha):   # the same bug
    return torch.addcmul(branch(x), x, alpha)


def alpha_on_the_sum(x, branch, alpha):
    return alpha * (x + branch(x))


def alpha_dropped(x, branch, alpha):
    return x + branch(x)


def gated(x, branch, alpha):
    return (1 - alpha) * x + alpha * branch(x)


def alpha_as_a_number(x, branch, alpha):
    return x + alpha.item() * branch(x)


def skip_detached(x, branch, alpha):
    return x.detach() + alpha * branch(x)


def branch_detached(x, branch, alpha):
    return x + alpha * branch(x).detach()


def skip_only(x, branch, alpha):
    return x + 0 * branch(x)


def rezero_in_place(x, branch, alpha):
    x += alpha * branch(x)
    return x


def branch_times_alpha_squared(x, branch, alpha):
    return x + alpha * alpha * branch(x)


def rezero_with_torch(x, branch, alpha):          # a right answer, spelt otherwise
    return torch.addcmul(x, branch(x), alpha)


# ----------------------------------------------------------------------------- kept_within

def kept_within_stub(comparison, factor=2):
    raise NotImplementedError


def _keep(comparison, keep):
    return [arch for arch, g in comparison.gradient.items() if keep(g)]


def forgets_to_call_ratio(comparison, factor=2):
    return [arch for arch in comparison.gradient if 1 / factor <= comparison.ratio <= factor]


def by_ratio(comparison, factor=2):
    return [arch for arch in comparison.gradient if 1 / factor <= comparison.ratio(arch) <= factor]


def skips_the_input_end(comparison, factor=2):
    return _keep(comparison, lambda g: all(1 / factor <= v <= factor for v in g[1:]))


def only_shrinking(comparison, factor=2):
    return _keep(comparison, lambda g: min(g) >= 1 / factor)


def only_growing(comparison, factor=2):
    return _keep(comparison, lambda g: max(g) <= factor)


def spread(comparison, factor=2):
    return _keep(comparison, lambda g: max(g) / min(g) <= factor)


def the_strays(comparison, factor=2):
    return _keep(comparison, lambda g: not all(1 / factor <= v <= factor for v in g))


def display_names(comparison, factor=2):
    import course_utils as cu
    kept = _keep(comparison, lambda g: all(1 / factor <= v <= factor for v in g))
    return [cu.ZOO[arch].name for arch in kept]


def pasted_list(comparison, factor=2):
    return ["deepnorm", "rezero", "rwkv"]


def as_a_dict(comparison, factor=2):
    return {arch: all(1 / factor <= v <= factor for v in g) for arch, g in comparison.gradient.items()}


def kept_as_a_set(comparison, factor=2):           # a right answer, spelt otherwise
    return {arch for arch, g in comparison.gradient.items() if max(max(g), 1 / min(g)) <= factor}


STUBS.update({"rezero_block": rezero_as_given, "kept_within": kept_within_stub})
WRONG.update({
    "rezero_block": [
        (alpha_on_the_sum, "alpha scales the whole sum"),
        (alpha_dropped, "it ignores alpha"),
        (gated, "a gate in the style of a highway block"),
        (alpha_as_a_number, "alpha gets no gradient"),
        (skip_detached, "no longer flows back through the skip"),
        (skip_only, "it returns x whatever alpha is"),
        (branch_detached, "The branch's weights get no (or the wrong) gradient"),
        (rezero_in_place, "changed its input `x` in place"),
        (branch_times_alpha_squared, "At alpha = 0 your block returns x, as it should"),
        (lambda x, branch, alpha: None, "returned None"),
    ],
    "kept_within": [
        (by_ratio, "you judged each stack by its input end only"),
        (skips_the_input_end, "you skipped comparison.gradient[arch][0]"),
        (only_shrinking, "you tested only for a gradient that SHRINKS"),
        (only_growing, "you tested only for a gradient that GROWS"),
        (spread, "compared the largest and the smallest gradient"),
        (the_strays, "whose gradient STRAYS"),
        (display_names, "returned the display name"),
        (pasted_list, "your list is wrong"),
        (as_a_dict, "return a list of the architectures' keys"),
        (lambda comparison, factor=2: None, "returned None"),
        (forgets_to_call_ratio, "raised TypeError"),
    ],
})
NOT_ATTEMPTED_ALSO = [("rezero_block", rezero_bug_spelt_otherwise)]
RIGHT = {"general_highway_block": [highway_with_functional], "rezero_block": [rezero_with_torch],
         "kept_within": [kept_as_a_set]}
