"""Residual blocks and the deep MLP stacks the course experiments with."""

from __future__ import annotations

import torch
from torch import nn

from .norms import NORMS, make_norm
from .validation import (check_bool, check_choice, check_float, check_int, check_size,
                         check_tensor, parameter_bytes)

BRANCH_INITS = ("default", "zero")
"""Branch initialisations: PyTorch's default, or the branch's last linear layer set to zero."""


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
    with no residual, ReLU(F(x)).

    The residual block is He et al. 2015's (Eq. 1, second ReLU after the addition) with linear
    layers in place of convolutions. A block holds two weight layers, so the stack has
    2 * n_blocks + 2 layers, the count He et al. use to name their nets.

    Attributes:
        stem: Linear(d_in, width) -> Norm -> ReLU, giving the stream x_0.
        blocks: nn.ModuleList of the n_blocks blocks, input to output.
        head: Linear(width, n_classes), giving the logits.
    """

    def __init__(self, n_blocks: int, *, d_in: int = 2, width: int = 32, n_classes: int = 2,
                 residual: bool = True, norm: str = "batch", branch_init: str = "default",
                 shortcut_gain: float = 1.0):
        super().__init__()
        self.n_blocks = check_int("n_blocks", n_blocks)
        self.d_in = d_in = check_int("d_in", d_in)
        width = check_int("width", width)
        n_classes = check_int("n_classes", n_classes, minimum=2)
        branch_init = check_choice("branch_init", branch_init, BRANCH_INITS)
        norm = check_choice("norm", norm, NORMS)
        check_size(f"a stack of {n_blocks} blocks of width {width}",
                   n_bytes=parameter_bytes(n_blocks * 2 * width * (width + 1)
                                           + (d_in + n_classes) * width))
        self.residual, self.norm = check_bool("residual", residual), norm
        self.stem = nn.Sequential(nn.Linear(d_in, width), make_norm(norm, width), nn.ReLU())
        blocks = []
        for _ in range(n_blocks):
            branch = mlp_branch(width, norm=norm)
            if branch_init == "zero":
                zero_last_linear(branch)
            inner = Residual(branch, shortcut_gain=shortcut_gain) if residual else branch
            blocks.append(nn.Sequential(inner, nn.ReLU()))
        self.blocks = nn.ModuleList(blocks)
        self.head = nn.Linear(width, n_classes)

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
        return self.head(x)                     # (B, n_classes)


def mlp_stack(n_blocks: int, *, d_in: int = 2, width: int = 32, n_classes: int = 2,
              residual: bool = True, norm: str = "batch", branch_init: str = "default",
              shortcut_gain: float = 1.0) -> MLPStack:
    """Build a deep MLP of n_blocks blocks, ReLU(lambda x + F(x)) if residual else ReLU(F(x)).

    Args:
        n_blocks: number of blocks (>= 1); the stack has 2 * n_blocks + 2 weight layers.
        d_in: input features; width: features of the stream; n_classes: logits out.
        residual: keep the identity path (True) or drop it (a plain net).
        norm: a name in NORMS: "none", "batch", "layer", "group" or "rms".
        branch_init: "default" (PyTorch's init) or "zero" (each branch's last linear set to 0).
        shortcut_gain: lambda on each identity path (He et al. 2016, Eq. 6); 1 by default.
    """
    return MLPStack(n_blocks, d_in=d_in, width=width, n_classes=n_classes, residual=residual,
                    norm=norm, branch_init=branch_init, shortcut_gain=shortcut_gain)
