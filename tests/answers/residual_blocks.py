"""Starter stubs and plausible wrong answers for the exercises of notebook 01."""

import torch
from torch import nn

# ----------------------------------------------------------------------------- residual_block


class ResidualStub(nn.Module):          # the notebook's starter cell, untouched
    def __init__(self, branch):
        super().__init__()

    def forward(self, x):
        raise NotImplementedError


class _Stored(nn.Module):
    def __init__(self, branch):
        super().__init__()
        self.branch = branch


class BranchOnly(_Stored):
    def forward(self, x):
        return self.branch(x)


class SkipOnly(_Stored):
    def forward(self, x):
        return x


class TwiceX(_Stored):
    def forward(self, x):
        return x + x


class Subtracts(_Stored):
    def forward(self, x):
        return x - self.branch(x)


class Raises(_Stored):
    def forward(self, x):
        raise RuntimeError("shapes do not match")


class ReturnsNone(_Stored):
    def forward(self, x):
        x + self.branch(x)


class ReturnsNaN(_Stored):
    def forward(self, x):
        return (x + self.branch(x)) / 0 * 0


class WrongShape(_Stored):
    def forward(self, x):
        return (x + self.branch(x)).sum(-1)


class InPlace(_Stored):
    def forward(self, x):
        x += self.branch(x)
        return x


class NotRegistered(nn.Module):
    def __init__(self, branch):
        super().__init__()
        self.branches = [branch]        # a list hides the branch from .parameters()

    def forward(self, x):
        return x + self.branches[0](x)


class ExtraParameters(_Stored):
    def __init__(self, branch):
        super().__init__(branch)
        self.scale = nn.Parameter(torch.ones(1))

    def forward(self, x):
        return x * self.scale + self.branch(x)


class InitRaises(nn.Module):
    def __init__(self, branch):
        raise TypeError("forgot an argument")

    def forward(self, x):
        return x


class MisspeltForward(_Stored):          # `foward`: nn.Module never calls it
    def foward(self, x):
        return x + self.branch(x)


class MisspeltProjection(nn.Module):
    def __init__(self, branch, d_in, d_out):
        super().__init__()
        self.branch = branch

    def forwrad(self, x):
        return x + self.branch(x)


# ----------------------------------------------------------------------------- zero_init_branch


def zero_init_stub(width):
    branch = nn.Sequential(nn.Linear(width, width), nn.ReLU(), nn.Linear(width, width))
    raise NotImplementedError


def _default(width):
    return nn.Sequential(nn.Linear(width, width), nn.ReLU(), nn.Linear(width, width))


def unchanged(width):
    return _default(width)


def all_zero(width):
    branch = _default(width)
    for p in branch.parameters():
        nn.init.zeros_(p)
    return branch


def only_weight_zeroed(width):
    branch = _default(width)
    nn.init.zeros_(branch[-1].weight)
    return branch


def tiny_not_zero(width):
    branch = _default(width)
    with torch.no_grad():
        branch[-1].weight.mul_(1e-5)
        branch[-1].bias.mul_(1e-5)
    return branch


class _TimesZero(nn.Module):
    def forward(self, x):
        return 0 * x


def no_parameters(width):
    return _TimesZero()


def changes_width(width):
    return nn.Linear(width, width + 1)


def forgets_return(width):
    nn.init.zeros_(_default(width)[-1].weight)


# ----------------------------------------------------------------------------- projection


class ProjectionStub(nn.Module):
    def __init__(self, branch, d_in, d_out):
        super().__init__()

    def forward(self, x):
        raise NotImplementedError


class AlwaysProjects(nn.Module):
    def __init__(self, branch, d_in, d_out):
        super().__init__()
        self.branch, self.shortcut = branch, nn.Linear(d_in, d_out, bias=False)

    def forward(self, x):
        return self.shortcut(x) + self.branch(x)


class DropsShortcutWhenWide(nn.Module):
    def __init__(self, branch, d_in, d_out):
        super().__init__()
        self.branch, self.same = branch, d_in == d_out

    def forward(self, x):
        return x + self.branch(x) if self.same else self.branch(x)


class ShortcutWithBias(nn.Module):
    def __init__(self, branch, d_in, d_out):
        super().__init__()
        self.branch = branch
        self.shortcut = nn.Identity() if d_in == d_out else nn.Linear(d_in, d_out)

    def forward(self, x):
        return self.shortcut(x) + self.branch(x)


class FixedRandomProjection(nn.Module):
    def __init__(self, branch, d_in, d_out):
        super().__init__()
        self.branch = branch
        self.matrix = None if d_in == d_out else torch.randn(d_in, d_out)

    def forward(self, x):
        return (x if self.matrix is None else x @ self.matrix) + self.branch(x)


class AddsWithoutProjecting(nn.Module):
    def __init__(self, branch, d_in, d_out):
        super().__init__()
        self.branch = branch

    def forward(self, x):
        return x + self.branch(x)


class SubclassesResidual(__import__("course_utils").Residual):
    pass


def zeroed_by_the_course(width):
    import course_utils as cu
    return cu.zero_last_linear(nn.Sequential(nn.Linear(width, width), nn.ReLU(), nn.Linear(width, width)))


WRONG = {
    "residual_block": [
        (__import__("course_utils").Residual, "ResidualBlock is cu.Residual, the course's own code"),
        (SubclassesResidual, "ResidualBlock subclasses cu.Residual"),
        (BranchOnly, "identity path is missing"),
        (SkipOnly, "ignores the branch"),
        (TwiceX, "x is added twice"),
        (Subtracts, "subtracts the branch"),
        (Raises, "forward(x) raised RuntimeError: shapes do not match"),
        (ReturnsNone, "returned None: did you forget a `return`"),
        (ReturnsNaN, "NaN or infinite"),
        (WrongShape, "returned shape (4,), expected (4, 8)"),
        (InPlace, "changed its input `x` in place"),
        (NotRegistered, "does not include the branch's parameters"),
        (ExtraParameters, "adds 1 parameters of its own"),
        (InitRaises, "ResidualBlock(branch) raised TypeError: forgot an argument"),
        (MisspeltForward, "has no `forward` method (it has foward)"),
        (BranchOnly(nn.Identity()), "Pass the class itself"),
        ("ResidualBlock", "subclasses torch.nn.Module"),
    ],
    "zero_init_branch": [
        (zeroed_by_the_course, "Your code calls cu.zero_last_linear, the course's own code"),
        (unchanged, "changes x by up to"),
        (all_zero, "never get a gradient: 0.weight, 0.bias, 2.weight"),
        (only_weight_zeroed, "changes x by up to"),
        (tiny_not_zero, "Close, but not exactly the identity"),
        (no_parameters, "has no parameters"),
        (changes_width, "changed the shape from (32, 16) to (32, 17)"),
        (forgets_return, "returned NoneType"),
        (lambda width: 1 / 0, "raised ZeroDivisionError"),
        (42, "Expected a function"),
    ],
    "projection_shortcut": [
        (AlwaysProjects, "the shortcut must be the identity"),
        (DropsShortcutWhenWide, "drops the shortcut"),
        (ShortcutWithBias, "The shortcut is not linear"),
        (FixedRandomProjection, "no learnable parameters"),
        (AddsWithoutProjecting, "they cannot be added. When d_in != d_out, project the shortcut"),
        (MisspeltProjection, "has no `forward` method (it has forwrad)"),
    ],
}
STUBS = {"residual_block": ResidualStub, "zero_init_branch": zero_init_stub,
         "projection_shortcut": ProjectionStub}


# ----------------------------------------------------------------------------- quick_residual

class _Quick(nn.Module):
    def __init__(self, branch):
        super().__init__()
        self.branch = branch


class QuickAsGiven(_Quick):                 # the notebook's cell, untouched: the bug
    def forward(self, x):
        x += self.branch(x)
        return x


class QuickAddsInPlaceToo(_Quick):          # the same bug, spelt differently
    def forward(self, x):
        return x.add_(self.branch(x))


class QuickUnderNoGrad(_Quick):             # backward runs, but the branch never learns
    def forward(self, x):
        with torch.no_grad():
            return x + self.branch(x)


class QuickDetachesTheSkip(_Quick):         # backward runs, but the skip carries no gradient
    def forward(self, x):
        return x.detach() + self.branch(x)


class QuickDropsTheSkip(_Quick):            # "fixed" by removing the add
    def forward(self, x):
        return self.branch(x)


class QuickRenamesTheBranch(nn.Module):
    def __init__(self, branch):
        super().__init__()
        self.f = branch

    def forward(self, x):
        return x + self.f(x)


class QuickOnACopy(_Quick):                 # a right answer: in place, on a copy nobody kept
    def forward(self, x):
        y = x.clone()
        y += self.branch(x)
        return y


def _counted_from_input(profile, factor=10):
    last = profile.gradient_rms[-1]
    for l, g in enumerate(profile.gradient_rms):
        if g < last / factor or g > last * factor:
            return l
    return None


def _only_vanishing(profile, factor=10):
    last = profile.gradient_rms[-1]
    for back, g in enumerate(reversed(profile.gradient_rms)):
        if g < last / factor:
            return back
    return None


def _layer_index(profile, factor=10):
    last, n = profile.gradient_rms[-1], len(profile.gradient_rms)
    for back, g in enumerate(reversed(profile.gradient_rms)):
        if g < last / factor or g > last * factor:
            return n - 1 - back
    return None


def _activations(profile, factor=10):
    last = profile.activation_rms[-1]
    for back, a in enumerate(reversed(profile.activation_rms)):
        if a < last / factor or a > last * factor:
            return back
    return None


def _never_none(profile, factor=10):
    last = profile.gradient_rms[-1]
    for back, g in enumerate(reversed(profile.gradient_rms)):
        if g < last / factor or g > last * factor:
            return back
    return -1


def _pasted(profile, factor=10):
    return 3


def blocks_until_changed_stub(profile, factor=10):
    raise NotImplementedError


class QuickClonesThenAddsInPlace(_Quick):   # the half-fix: the branch kept the copy it was given
    def forward(self, x):
        x = x.clone()
        x += self.branch(x)
        return x


def _only_growing(profile, factor=10):
    last = profile.gradient_rms[-1]
    for back, g in enumerate(reversed(profile.gradient_rms)):
        if g > last * factor:
            return back
    return None


def _off_by_one(profile, factor=10):
    last = profile.gradient_rms[-1]
    for back, g in enumerate(reversed(profile.gradient_rms)):
        if g < last / factor or g > last * factor:
            return back + 1
    return None


WRONG.update({
    "quick_residual": [
        (QuickClonesThenAddsInPlace, "the branch's first layer kept the input it received"),
        (QuickUnderNoGrad, "no torch.no_grad() and no .data"),
        (QuickDetachesTheSkip, "no longer flows back through the skip"),
        (QuickDropsTheSkip, "no longer returns x + branch(x)"),
        (QuickRenamesTheBranch, "Keep the branch as `self.branch`"),
    ],
    "blocks_until_changed": [
        (_counted_from_input, "the first layer from the INPUT end"),
        (_only_vanishing, "GROW towards the input"),
        (_layer_index, "You returned the layer's index l"),
        (_activations, "compare profile.gradient_rms, not activation_rms"),
        (_never_none, "return None, not -1"),
        (_pasted, "You returned 3 for every profile"),
        (_only_growing, "SHRINK towards the input"),
        (_off_by_one, "One off"),
    ],
})
STUBS.update({"quick_residual": QuickAsGiven, "blocks_until_changed": blocks_until_changed_stub})
NOT_ATTEMPTED_ALSO = [("quick_residual", QuickAddsInPlaceToo)]
RIGHT = {"quick_residual": [QuickOnACopy]}


# ----------------------------------------------------------------------------- tame (design)
# Every answer here is also swept (benchmarks/design_sweep.py): its verdict must hold on seeds
# 0-19 under three CPU roundings.

def tame_stub(model):
    raise NotImplementedError


def tame_unchanged(model):                  # runs, changes nothing: overflows as given
    pass


def tame_zero_everything(model):            # every branch silent, and dead: never learns
    for block in model.blocks:
        for layer in (block[0].branch[0], block[0].branch[3]):
            nn.init.zeros_(layer.weight)
            nn.init.zeros_(layer.bias)


def tame_zero_first(model):                 # the wrong layer zeroed: the branch never learns
    for block in model.blocks:
        nn.init.zeros_(block[0].branch[0].weight)
        nn.init.zeros_(block[0].branch[0].bias)


def tame_by_copying(model):                 # delegates the design to the course
    import course_utils as cu
    model.load_state_dict(cu.mlp_stack(20, norm="none", init="he", branch_init="fixup").state_dict())


def tame_adds_a_norm(model):                # changes the architecture, not the initialisation
    for block in model.blocks:
        block[0].branch[1] = nn.LayerNorm(32)


def tame_returns_another(model):
    return nn.Linear(2, 2)


def tame_nan(model):
    with torch.no_grad():
        model.head.weight.fill_(float("nan"))


def tame_zero_last(model):                  # a right answer: each block starts as the identity
    for block in model.blocks:
        nn.init.zeros_(block[0].branch[3].weight)
        nn.init.zeros_(block[0].branch[3].bias)


TAME_TRAINED = {                            # answers whose verdict comes from training: swept
    "reference": ("tame", None), "zero_last": (tame_zero_last, None),
    "unchanged": (tame_unchanged, "overflowed"),
    "zero_everything": (tame_zero_everything, "no branch ever learned"),
    "zero_first": (tame_zero_first, "no branch ever learned"),
}
WRONG["tame"] = [(tame_unchanged, "overflowed"), (tame_zero_everything, "no branch ever learned"),
                 (tame_zero_first, "no branch ever learned"), (tame_by_copying, "builds a course model"),
                 (tame_adds_a_norm, "changed the architecture"),
                 (tame_returns_another, "returned another model"),
                 (tame_nan, "NaN or infinite"), (42, "Expected a function")]
STUBS["tame"] = tame_stub
RIGHT["tame"] = [tame_zero_last]
