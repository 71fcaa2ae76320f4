"""Per-layer probes: how big the signal is going forward, and the gradient coming back."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .validation import check_labels, check_module, check_tensor


@dataclass
class LayerProfile:
    """Per-layer scales of the residual stream, input -> output.

    Index 0 is the stem's output x_0; index l is the output x_l of block l.

    Attributes:
        activation_rms: RMS of x_l over the batch and features.
        gradient_rms: RMS of dL/dx_l, the gradient the loss sends back to x_l.
    """

    activation_rms: list[float]
    gradient_rms: list[float]

    def gradient_ratio(self) -> float:
        """RMS gradient at the input end (x_0) divided by that at the output end (x_L)."""
        return self.gradient_rms[0] / self.gradient_rms[-1]


def layer_profile(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> LayerProfile:
    """Run one forward and backward pass of `model` on (X, y) and record each layer's scales.

    The model must have `blocks` (a sequence of modules, input to output) and may have a
    `stem` before them; the loss is cross-entropy of the model's logits. The model's mode is
    left as it is (at initialisation: training mode, so BatchNorm uses the batch's statistics),
    and the gradients it accumulates are cleared afterwards.
    """
    model = check_module("model", model, needs=("blocks",))
    if not isinstance(X, torch.Tensor) or X.is_floating_point():   # token ids may be integers
        check_tensor("X", X, like=model)
    check_labels("y", y, samples=X.shape[0])
    probed = ([model.stem] if hasattr(model, "stem") else []) + list(model.blocks)
    stream: list[torch.Tensor] = []

    def keep(module: nn.Module, inputs: tuple, output: torch.Tensor) -> None:
        output.retain_grad()
        stream.append(output)

    hooks = [m.register_forward_hook(keep) for m in probed]
    try:
        device = next(model.parameters()).device
        logits = model(X.to(device))
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.to(device).reshape(-1))
        loss.backward()
    finally:
        for hook in hooks:
            hook.remove()
    profile = LayerProfile(   # in float64: the square of a 1e-29 gradient underflows float32
        activation_rms=[x.detach().double().pow(2).mean().sqrt().item() for x in stream],
        gradient_rms=[x.grad.double().pow(2).mean().sqrt().item() for x in stream],
    )
    model.zero_grad(set_to_none=True)
    return profile
