"""Residual blocks and the deep MLP stacks the course experiments with."""

from __future__ import annotations

import torch
from torch import nn

from .norms import NORMS, make_norm
from .validation import (check_bool, check_choice, check_float, check_int, check_size,
                         check_tensor, parameter_bytes)

INITS = ("default", "he")
"""Weight initialisations of a stack's linear layers: PyTorch's default for nn.Linear
(Kaiming-uniform with a = sqrt(5): weight variance 1/(3 fan_in)), or He et al.'s (Kaiming
normal with the ReLU gain: weight variance 2/fan_in, zero biases)."""

BRANCH_INITS = ("default", "zero", "fixup")
"""Branch initialisations on top of INITS: as initialised, the branch's last linear layer set to
zero, or Fixup's (Zhang et al. 2019): last layer zero and the first scaled by n_blocks^(-1/2)."""


class Residual(nn.Module):
    """y = x + branch(x): the identity path (the expressway) plus the branch (the ramp).

    With shortcut_gain = lambda != 1, y = lambda * x + branch(x): the scaled shortcut of He et al.
    2016 (Eq. 6), whose direct gradient term over L blocks is lambda^L (Eq. 8).

    Args:
        branch: any module mapping a (..., C) tensor to a tensor of the same shape.
        shortcut_gain: lambda, the factor on the identity path (1: the identity shortcut).
    """

    def __init__(self, branch: nn.Module, *, shortcut_gain: float = 1.0):
        super().__init__()
        if not isinstance(branch, nn.Module):
            raise TypeError(f"branch must be a torch.nn.Module, got {type(branch).__name__}")
        self.branch = branch
        self.shortcut_gain = check_float("shortcut_gain", shortcut_gain)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.branch(check_tensor("x", x, like=self.branch, dtype=None, finite=False))
        if out.shape != x.shape:
            raise ValueError(f"the branch changed the shape from {tuple(x.shape)} to "
                             f"{tuple(out.shape)}; x + branch(x) needs them equal")
        if self.shortcut_gain == 1.0:
            return x + out                      # exactly x + F(x), to the bit
        return self.shortcut_gain * x + out

    def extra_repr(self) -> str:
        return "" if self.shortcut_gain == 1.0 else f"shortcut_gain={self.shortcut_gain}"


def mlp_branch(width: int, *, norm: str = "batch") -> nn.Sequential:
    """F(x) = Norm(W2 ReLU(Norm(W1 x))): He et al. 2015's two-layer branch, as an MLP.

    Args:
        width: features in and out, C for a (B, C) input.
        norm: a name in NORMS ("none", "batch", "layer", ...); the norm follows each linear layer (He et al. Sec. 3.4).
    """
    width = check_int("width", width)
    check_size(f"a branch of width {width}", n_bytes=parameter_bytes(2 * width * width))
    return nn.Sequential(
        nn.Linear(width, width), make_norm(norm, width), nn.ReLU(),
        nn.Linear(width, width), make_norm(norm, width),
    )


def preact_branch(width: int, *, norm: str = "batch") -> nn.Sequential:
    """F(x) = W2 ReLU(Norm(W1 ReLU(Norm(x)))): He et al. 2016's full pre-activation branch, as an
    MLP (Fig. 4e, Eq. 9): norm and ReLU come before each linear layer, nothing after the add.

    Args:
        width: features in and out, C for a (B, C) input.
        norm: a name in NORMS ("none", "batch", "layer", ...).
    """
    width = check_int("width", width)
    check_size(f"a branch of width {width}", n_bytes=parameter_bytes(2 * width * width))
    return nn.Sequential(
        make_norm(norm, width), nn.ReLU(), nn.Linear(width, width),
        make_norm(norm, width), nn.ReLU(), nn.Linear(width, width),
    )


def he_init(module: nn.Module) -> nn.Module:
    """Re-initialise every nn.Linear in `module` as He et al. 2015b did: weights from a normal
    with variance 2/fan_in (Kaiming normal, ReLU gain), biases zero. Returns the module."""
    if not isinstance(module, nn.Module):
        raise TypeError(f"he_init needs a torch.nn.Module, got {type(module).__name__}")
    for layer in module.modules():
        if isinstance(layer, nn.Linear):
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
    return module


def zero_last_linear(branch: nn.Module) -> nn.Module:
    """Set the weight and bias of the branch's last nn.Linear to zero, so branch(x) == 0."""
    if not isinstance(branch, nn.Module):
        raise TypeError(f"branch must be a torch.nn.Module, got {type(branch).__name__}")
    linears = [m for m in branch.modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise ValueError("the branch has no nn.Linear layer to zero")
    with torch.no_grad():
        linears[-1].weight.zero_()
        if linears[-1].bias is not None:
            linears[-1].bias.zero_()
    return branch


class MLPStack(nn.Module):
    """stem -> n_blocks blocks -> head, each block ReLU(lambda x + F(x)) (lambda = 1 by default) or,
    with no residual, ReLU(F(x)); with preactivation, x + F(x) with F a `preact_branch`.

    The residual block is He et al. 2015's (Eq. 1, second ReLU after the addition) with linear
    layers in place of convolutions; the pre-activation block is He et al. 2016's (nothing after
    the addition, and a final Norm -> ReLU before the head). A block holds two weight layers, so
    the stack has 2 * n_blocks + 2 layers, the count He et al. use to name their nets.

    Attributes:
        stem: Linear(d_in, width) -> Norm -> ReLU, giving the stream x_0.
        blocks: nn.ModuleList of the n_blocks blocks, input to output; blocks[l][0] is the
            Residual (or, in a plain stack, the branch).
        final: Norm -> ReLU for a pre-activation stack, nn.Identity otherwise.
        head: Linear(width, n_classes), giving the logits.
    """

    def __init__(self, n_blocks: int, *, d_in: int = 2, width: int = 32, n_classes: int = 2,
                 residual: bool = True, norm: str = "batch", init: str = "default",
                 branch_init: str = "default", shortcut_gain: float = 1.0,
                 preactivation: bool = False):
        super().__init__()
        self.n_blocks = check_int("n_blocks", n_blocks)
        self.d_in = d_in = check_int("d_in", d_in)
        width = check_int("width", width)
        n_classes = check_int("n_classes", n_classes, minimum=2)
        init = check_choice("init", init, INITS)
        branch_init = check_choice("branch_init", branch_init, BRANCH_INITS)
        norm = check_choice("norm", norm, NORMS)
        self.preactivation = check_bool("preactivation", preactivation)
        check_size(f"a stack of {n_blocks} blocks of width {width}",
                   n_bytes=parameter_bytes(n_blocks * 2 * width * (width + 1)
                                           + (d_in + n_classes) * width))
        self.residual, self.norm = check_bool("residual", residual), norm
        self.stem = nn.Sequential(nn.Linear(d_in, width), make_norm(norm, width), nn.ReLU())
        blocks = []
        for _ in range(n_blocks):
            branch = (preact_branch if preactivation else mlp_branch)(width, norm=norm)
            inner = Residual(branch, shortcut_gain=shortcut_gain) if residual else branch
            # the original block applies a ReLU after the add; pre-activation applies none
            blocks.append(nn.Sequential(inner) if preactivation else nn.Sequential(inner, nn.ReLU()))
        self.blocks = nn.ModuleList(blocks)
        self.final = (nn.Sequential(make_norm(norm, width), nn.ReLU()) if preactivation
                      else nn.Identity())
        self.head = nn.Linear(width, n_classes)
        if init == "he":
            he_init(self)
        if branch_init != "default":
            for block in self.blocks:
                branch = block[0].branch if residual else block[0]
                zero_last_linear(branch)
                if branch_init == "fixup":   # Zhang et al. 2019: L^(-1/(2m-2)), m = 2 layers
                    first = next(m for m in branch if isinstance(m, nn.Linear))
                    with torch.no_grad():
                        first.weight.mul_(n_blocks ** -0.5)

    @property
    def n_layers(self) -> int:
        """Weight layers: two per block, plus the stem and the head."""
        return 2 * self.n_blocks + 2

    def check_input(self, x: torch.Tensor) -> torch.Tensor:
        """Raise a clear error for an input this stack cannot take; return it otherwise."""
        check_tensor("x", x, ndim=2, last_dim=self.d_in, like=self)
        if self.training and self.norm == "batch" and x.shape[0] < 2:
            raise ValueError("BatchNorm in training mode needs at least 2 samples per batch to "
                             "compute a variance; pass a larger batch or call model.eval()")
        return x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(self.check_input(x))      # (B, width)
        for block in self.blocks:
            x = block(x)                        # (B, width)
        return self.head(self.final(x))         # (B, n_classes)


def mlp_stack(n_blocks: int, *, d_in: int = 2, width: int = 32, n_classes: int = 2,
              residual: bool = True, norm: str = "batch", init: str = "default",
              branch_init: str = "default", shortcut_gain: float = 1.0,
              preactivation: bool = False) -> MLPStack:
    """Build a deep MLP of n_blocks blocks, ReLU(lambda x + F(x)) if residual else ReLU(F(x)),
    or with preactivation x + F(x), F = W2 ReLU(Norm(W1 ReLU(Norm(x)))) (He et al. 2016).

    Args:
        n_blocks: number of blocks (>= 1); the stack has 2 * n_blocks + 2 weight layers.
        d_in: input features; width: features of the stream; n_classes: logits out.
        residual: keep the identity path (True) or drop it (a plain net).
        norm: a name in NORMS: "none", "batch", "layer", "group" or "rms".
        init: "default" (PyTorch's nn.Linear init) or "he" (Kaiming normal, zero biases).
        branch_init: "default" (as `init` left it), "zero" (each branch's last linear set to 0)
            or "fixup" (that, and each branch's first linear scaled by n_blocks^(-1/2)).
        shortcut_gain: lambda on each identity path (He et al. 2016, Eq. 6); 1 by default.
        preactivation: He et al. 2016's full pre-activation blocks instead of the original ones.
    """
    return MLPStack(n_blocks, d_in=d_in, width=width, n_classes=n_classes, residual=residual,
                    norm=norm, init=init, branch_init=branch_init, shortcut_gain=shortcut_gain,
                    preactivation=preactivation)
