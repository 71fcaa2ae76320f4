"""Exercises of notebook 05: the highway block's gated skip, U-Net's crop-and-concatenate merge,
and the capstone: a model assembled from zoo blocks that must learn to reverse sequences."""

from __future__ import annotations

import inspect
from typing import Any

import torch
from torch import nn

from ..data import reverse_task
from ..progress_bars import progress_bar
from ..training import evaluate, train
from ..transformer import TransformerBlock
from ..zoo import (HighwayBlock, PreActResNetBlock, ReZeroBlock, ResNetBasicBlock, RWKVBlock,
                   UNetBlock)
from .framework import (Exercise, Incorrect, call_student, close, expect_function, expect_tensor,
                        heartbeat, seeded_modules)

# ---------------------------------------------------------------------------------------------
# Reference solutions: `solution()` shows exactly this code.


def highway_block(x: torch.Tensor, transform: nn.Module, gate: nn.Module) -> torch.Tensor:
    # T(x) decides, per feature, how much of the transform to let through; the rest carries x
    t = torch.sigmoid(gate(x))
    return t * transform(x) + (1 - t) * x


def unet_merge(encoder: torch.Tensor, upsampled: torch.Tensor) -> torch.Tensor:
    # encoder: (B, C1, L1), upsampled: (B, C2, L2) with L1 >= L2. Crop the encoder map to the
    # centre L2 positions (unpadded convolutions lost its border), then concatenate channels.
    start = (encoder.shape[-1] - upsampled.shape[-1]) // 2
    cropped = encoder[..., start:start + upsampled.shape[-1]]
    return torch.cat([cropped, upsampled], dim=1)


class CapstoneModel(nn.Module):
    # token ids (B, T) -> logits (B, T, vocab): embeddings, four zoo blocks, a final LayerNorm
    def __init__(self, vocab: int = 16, seq_len: int = 12, width: int = 32):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.position = nn.Parameter(torch.randn(seq_len, width))
        self.blocks = nn.Sequential(
            TransformerBlock(width, 4, 2 * width, placement="pre"),   # moves tokens around
            PreActResNetBlock(width),                                 # per-token processing
            TransformerBlock(width, 4, 2 * width, placement="pre"),
            ReZeroBlock(width))
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, vocab)

    def forward(self, tokens):
        x = self.embed(tokens) + self.position[:tokens.shape[1]]
        return self.head(self.norm(self.blocks(x)))


def build_capstone() -> nn.Module:
    return CapstoneModel()


# ---------------------------------------------------------------------------------------------
# Checkers.


def _check_highway(answer: Any) -> str:
    expect_function(answer, "highway_block(x, transform, gate)")
    def make() -> tuple[torch.Tensor, nn.Module, nn.Module]:
        x = torch.randn(6, 8)
        transform = nn.Sequential(nn.Linear(8, 8), nn.ReLU())
        gate = nn.Linear(8, 8)
        nn.init.normal_(gate.bias, 0.0, 1.0)         # gates far from 0.5, so mistakes show
        return x, transform, gate

    x, transform, gate = seeded_modules(make)
    t = torch.sigmoid(gate(x)).detach()
    h = transform(x).detach()
    got = expect_tensor(call_student(answer, x, transform, gate, what="highway_block",
                                     names=("x", "transform", "gate")),
                        shape=x.shape, what="highway_block")
    got = got.detach()
    if close(got, t * h + (1 - t) * x):
        return ("y = T·H(x) + (1 − T)·x: where the gate is closed (T ≈ 0) the block carries x "
                "unchanged, the highway's version of the identity path.")
    if close(got, (1 - t) * h + t * x):
        raise Incorrect("The gate is the wrong way round: T(x) multiplies the TRANSFORM H(x), "
                        "and the carry 1 − T(x) multiplies x.")
    g = gate(x).detach()
    if close(got, g * h + (1 - g) * x):
        raise Incorrect("The gate needs a sigmoid: T(x) = sigmoid(gate(x)), a number between 0 "
                        "and 1 for each feature.")
    if close(got, t * h + x) or close(got, h + x):
        raise Incorrect("That adds x in full: a highway block CARRIES (1 − T(x))·x, so the gate "
                        "trades the transform against the input.")
    if close(got, t * h):
        raise Incorrect("The carry term (1 − T(x))·x is missing.")
    if close(got, t * h + t * x):
        raise Incorrect("The carry uses T(x) where it needs 1 − T(x): the gate splits each "
                        "feature between the transform (T) and the input (1 − T), so where the "
                        "gate is closed (T ≈ 0) the block passes x through.")
    raise Incorrect("highway_block returned something else. y = T(x)·H(x) + (1 − T(x))·x with "
                    "T(x) = torch.sigmoid(gate(x)) and H(x) = transform(x).")


def _check_unet_merge(answer: Any) -> str:
    expect_function(answer, "unet_merge(encoder, upsampled)")
    gen = torch.Generator().manual_seed(0)
    for (c1, l1), (c2, l2) in (((4, 12), (4, 8)), ((3, 9), (5, 5)), ((2, 6), (2, 6))):
        encoder = torch.randn(2, c1, l1, generator=gen)
        upsampled = torch.randn(2, c2, l2, generator=gen)
        got = call_student(answer, encoder, upsampled, what="unet_merge",
                           names=("encoder", "upsampled"))
        if isinstance(got, torch.Tensor) and got.shape == upsampled.shape and c1 == c2:
            raise Incorrect("U-Net CONCATENATES the encoder's map with the upsampled one (along "
                            "channels); adding them is a later variant (e.g. FPN-style skips).")
        got = expect_tensor(got, shape=(2, c1 + c2, l2), what=f"unet_merge on encoder "
                            f"{tuple(encoder.shape)} and upsampled {tuple(upsampled.shape)}")
        start = (l1 - l2) // 2
        if close(got, torch.cat([encoder[..., start:start + l2], upsampled], dim=1)):
            continue
        if close(got, torch.cat([encoder[..., :l2], upsampled], dim=1)):
            raise Incorrect("The crop takes the FIRST positions; U-Net crops the CENTRE of the "
                            "encoder map (it lost its border to unpadded convolutions).")
        if close(got, torch.cat([upsampled, encoder[..., start:start + l2]], dim=1)):
            raise Incorrect("The order is swapped: the encoder's (cropped) map comes first, then "
                            "the upsampled one, as in the paper's Fig. 1.")
        raise Incorrect("unet_merge returned the right shape but other values: crop the encoder "
                        "to the centre L2 positions, then torch.cat([cropped, upsampled], dim=1).")
    return "Centre crop, then concatenate along channels: (B, C1 + C2, L2)."


ZOO_BLOCKS = (TransformerBlock, PreActResNetBlock, ResNetBasicBlock, HighwayBlock, ReZeroBlock,
              RWKVBlock, UNetBlock)
CAPSTONE_STEPS, CAPSTONE_TARGET = 300, 0.95


def _check_capstone(answer: Any) -> str:
    expect_function(answer, "build_capstone() returning a model")
    model = seeded_modules(lambda: call_student(answer, what="build_capstone()"))
    if model is None:
        raise Incorrect("build_capstone() returned None: did you forget a `return`?")
    if not isinstance(model, nn.Module):
        raise Incorrect(f"build_capstone() returned a {type(model).__name__}; return an "
                        "nn.Module.")
    blocks = [m for m in model.modules() if isinstance(m, ZOO_BLOCKS)]
    kinds = {type(b).__name__ for b in blocks}
    if len(blocks) < 4 or len(kinds) < 2:
        raise Incorrect(f"The model holds {len(blocks)} zoo blocks of {len(kinds)} kind(s) "
                        f"({', '.join(sorted(kinds)) or 'none'}): use at least 4 blocks of at "
                        "least 2 kinds from course_utils.zoo / course_utils.TransformerBlock.")
    X, y = reverse_task(4096, seed=0)
    X_test, y_test = reverse_task(512, seed=1)
    probe = call_student(model, X[:4], what="your model on a (4, 12) batch of token ids")
    expect_tensor(probe, shape=(4, 12, 16), what="your model")
    with progress_bar(CAPSTONE_STEPS, "capstone: training your model") as bar:
        history = call_student(lambda: train(model, X, y, steps=CAPSTONE_STEPS, batch_size=32,
                                             lr=3e-3, optimizer="adam", warmup_steps=50,
                                             weight_decay=0.0, seed=0, progress=heartbeat(bar)),
                               what="training", timed=False)
    if history.diverged:
        raise Incorrect("Training diverged (the loss became NaN or infinite). Is there a norm "
                        "on the stream, and a final LayerNorm before the head?")
    accuracy = evaluate(model, X_test, y_test)[1]
    if accuracy < CAPSTONE_TARGET:
        raise Incorrect(f"After {CAPSTONE_STEPS} steps the model reverses {accuracy:.0%} of the "
                        f"held-out tokens; it needs {CAPSTONE_TARGET:.0%}. Reversing needs "
                        "tokens to see each other: include attention blocks (pre-norm ones are the "
                        "forgiving choice), and positions in the input.")
    return (f"{len(blocks)} blocks ({', '.join(sorted(kinds))}) reverse {accuracy:.1%} of the "
            f"held-out tokens after {CAPSTONE_STEPS} steps.")


EXERCISES = (
    Exercise("highway_block",
             "write highway_block(x, transform, gate) -> T(x)·H(x) + (1 − T(x))·x with "
             "T(x) = sigmoid(gate(x)), H(x) = transform(x)",
             _check_highway,
             ("Compute the gate once: t = torch.sigmoid(gate(x)).",
              "The gate lets t of the transform through and carries 1 − t of the input.",
              "return t * transform(x) + (1 - t) * x"),
             highway_block),
    Exercise("unet_merge",
             "write unet_merge(encoder, upsampled): centre-crop the (B, C1, L1) encoder map to "
             "L2 and concatenate it with the (B, C2, L2) upsampled map along channels",
             _check_unet_merge,
             ("The crop starts at (L1 - L2) // 2.",
              "encoder[..., start:start + L2] has the upsampled map's length.",
              "return torch.cat([cropped, upsampled], dim=1)"),
             unet_merge),
    Exercise("capstone",
             "write build_capstone() returning a model of at least 4 zoo blocks (2+ kinds) that "
             "maps (B, 12) token ids to (B, 12, 16) logits and learns to reverse sequences",
             _check_capstone,
             ("Start from embeddings plus a learned position vector per position.",
              "Reversing needs tokens to see each other: TransformerBlock(width, 4, 2 * width, "
              "placement='pre') does that; add per-token blocks such as PreActResNetBlock.",
              "End with nn.LayerNorm(width) and nn.Linear(width, 16). See cu.solution('capstone')."),
             build_capstone, reference_source=inspect.getsource(CapstoneModel) + "\n\n"
             + inspect.getsource(build_capstone),
             imports="from course_utils import TransformerBlock\n"
                     "from course_utils.zoo import PreActResNetBlock, ReZeroBlock",
             seconds=30.0),
)
