"""Transformer blocks whose only difference is where the LayerNorm sits: post-norm (Vaswani et
al. 2017), pre-norm (Baevski & Auli 2018, GPT-2 2019; analysed by Xiong et al. 2020) and DeepNorm (Wang et al. 2022)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from .validation import (check_bool, check_callable, check_choice, check_float, check_int,
                         check_size, check_tensor, parameter_bytes)

PLACEMENTS = ("post", "pre", "deepnorm")
"""Where the LayerNorm sits in each sub-layer: after the sum, inside the branch, or after a sum
whose skip is scaled by alpha."""

Sublayer = Callable[[torch.Tensor], torch.Tensor]


def _check_sublayer_inputs(x: Any, sublayer: Any, norm: Any, dropout: Any) -> None:
    check_callable("sublayer", sublayer, "a module or function mapping x to a tensor of its shape")
    check_callable("norm", norm, "a norm layer such as nn.LayerNorm(d_model)")
    check_callable("dropout", dropout, "a module such as nn.Dropout(p) or nn.Identity()")
    like = next((m for m in (sublayer, norm) if isinstance(m, nn.Module)
                 and next(m.parameters(), None) is not None), None)
    check_tensor("x", x, like=like, dtype=None, finite=False)
    for name, module in (("norm", norm), ("sublayer", sublayer)):
        width = (module.normalized_shape[-1] if isinstance(module, nn.LayerNorm) else
                 module.in_features if isinstance(module, nn.Linear) else None)
        if width is not None and x.shape[-1] != width:
            raise ValueError(f"x has {x.shape[-1]} features in its last dimension but {name} "
                             f"takes {width}: x must be (..., {width})")


def post_norm_sublayer(x: torch.Tensor, sublayer: Sublayer, norm: Sublayer,
                       dropout: Sublayer = nn.Identity()) -> torch.Tensor:
    """Post-norm: y = LN(x + Dropout(F(x))). The LayerNorm sits on the main path, after the sum."""
    _check_sublayer_inputs(x, sublayer, norm, dropout)
    return norm(x + dropout(sublayer(x)))


def pre_norm_sublayer(x: torch.Tensor, sublayer: Sublayer, norm: Sublayer,
                      dropout: Sublayer = nn.Identity()) -> torch.Tensor:
    """Pre-norm: y = x + Dropout(F(LN(x))). The skip carries x itself, un-normalised."""
    _check_sublayer_inputs(x, sublayer, norm, dropout)
    return x + dropout(sublayer(norm(x)))


def deepnorm_sublayer(x: torch.Tensor, sublayer: Sublayer, norm: Sublayer, *, alpha: float,
                      dropout: Sublayer = nn.Identity()) -> torch.Tensor:
    """DeepNorm: y = LN(alpha * x + Dropout(F(x))). alpha multiplies the SKIP, not the branch."""
    _check_sublayer_inputs(x, sublayer, norm, dropout)
    alpha = check_float("alpha", alpha, positive=True)
    return norm(alpha * x + dropout(sublayer(x)))


def deepnorm_constants(n_layers: int) -> tuple[float, float]:
    """(alpha, beta) of DeepNorm for an encoder-only (or decoder-only) stack of N layers:
    alpha = (2N)^(1/4) on the skip, beta = (8N)^(-1/4) as the init gain of the FFN, value and
    output projections (Wang et al. 2022)."""
    n_layers = check_int("n_layers", n_layers, maximum=1_000_000)
    return (2 * n_layers) ** 0.25, (8 * n_layers) ** -0.25


class SelfAttention(nn.Module):
    """nn.MultiheadAttention as a function of one (B, T, C) input: queries, keys and values all
    come from x. Causal (each token sees itself and the past) if `causal`."""

    def __init__(self, d_model: int, n_heads: int, *, causal: bool = False, dropout: float = 0.0):
        super().__init__()
        d_model, n_heads = check_int("d_model", d_model), check_int("n_heads", n_heads)
        dropout = check_float("dropout", dropout, minimum=0.0, maximum=0.99)
        if d_model % n_heads:
            raise ValueError(f"d_model ({d_model}) must be divisible by n_heads ({n_heads})")
        self.attention = nn.MultiheadAttention(d_model, n_heads, dropout=dropout, batch_first=True)
        self.causal = check_bool("causal", causal)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_tensor("x", x, ndim=3, last_dim=self.attention.embed_dim, like=self, finite=False)
        mask = None
        if self.causal:
            T = x.shape[1]
            mask = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)
        return self.attention(x, x, x, attn_mask=mask, need_weights=False)[0]


class FeedForward(nn.Module):
    """Linear(C, d_ff) -> ReLU -> Linear(d_ff, C), applied to each token."""

    def __init__(self, d_model: int, d_ff: int):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(d_model, d_ff), nn.Linear(d_ff, d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(torch.relu(self.fc1(x)))


class TransformerBlock(nn.Module):
    """Self-attention then feed-forward, each a residual sub-layer with its own LayerNorm, placed
    as `placement` says ("post", "pre" or "deepnorm" with skip gain `alpha`).

    skip=False drops the `x +` (the first of the two sub-layer pitfalls): post-norm and DeepNorm become
    LN(F(x)), pre-norm F(LN(x)). It exists to show what goes wrong."""

    def __init__(self, d_model: int, n_heads: int, d_ff: int, *, placement: str = "pre",
                 alpha: float = 1.0, causal: bool = False, dropout: float = 0.0,
                 skip: bool = True):
        super().__init__()
        d_model, n_heads, d_ff = (check_int("d_model", d_model), check_int("n_heads", n_heads),
                                  check_int("d_ff", d_ff))
        check_size(f"a transformer block of width {d_model}",
                   n_bytes=parameter_bytes(4 * d_model * d_model + 2 * d_model * d_ff))
        self.placement = check_choice("placement", placement, PLACEMENTS)
        self.alpha = check_float("alpha", alpha, minimum=0.0)
        self.skip = check_bool("skip", skip)
        self.attention = SelfAttention(d_model, n_heads, causal=causal, dropout=dropout)
        self.feed_forward = FeedForward(d_model, d_ff)
        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def _sublayer(self, x: torch.Tensor, sublayer: nn.Module, norm: nn.Module) -> torch.Tensor:
        if not self.skip:
            if self.placement == "pre":
                return self.dropout(sublayer(norm(x)))
            return norm(self.dropout(sublayer(x)))
        if self.placement == "post":
            return post_norm_sublayer(x, sublayer, norm, self.dropout)
        if self.placement == "pre":
            return pre_norm_sublayer(x, sublayer, norm, self.dropout)
        return deepnorm_sublayer(x, sublayer, norm, alpha=self.alpha, dropout=self.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self._sublayer(x, self.attention, self.norm1)
        return self._sublayer(x, self.feed_forward, self.norm2)


def init_block(block: TransformerBlock, *, beta: float = 1.0) -> TransformerBlock:
    """Xavier-normal weights and zero biases (Xiong et al. 2020, Sec. 3.3); the FFN, value and
    output projections get gain `beta` (DeepNorm's beta; 1 otherwise), W^Q and W^K gain 1."""
    attention = block.attention.attention
    d = attention.embed_dim
    with torch.no_grad():
        nn.init.xavier_normal_(attention.in_proj_weight[:2 * d])             # W^Q, W^K
        nn.init.xavier_normal_(attention.in_proj_weight[2 * d:], gain=beta)  # W^V
        nn.init.xavier_normal_(attention.out_proj.weight, gain=beta)
        nn.init.zeros_(attention.in_proj_bias), nn.init.zeros_(attention.out_proj.bias)
        for linear in (block.feed_forward.fc1, block.feed_forward.fc2):
            nn.init.xavier_normal_(linear.weight, gain=beta)
            nn.init.zeros_(linear.bias)
    return block


class TinyTransformer(nn.Module):
    """Token and position embeddings, `n_layers` TransformerBlocks, and a linear head giving
    logits (B, T, n_out) for every position. A pre-norm stack has a final LayerNorm before the
    head (GPT-2); post-norm and DeepNorm stacks end in a LayerNorm already.

    Init: Xavier-normal weights, zero biases (Xiong et al. 2020, Sec. 3.3); for DeepNorm the FFN,
    value and output projections get Xavier gain beta and every skip is scaled by alpha
    (`deepnorm_constants`).
    """

    def __init__(self, *, vocab: int = 16, seq_len: int = 12, d_model: int = 64,
                 n_heads: int = 4, d_ff: int = 256, n_layers: int = 6, placement: str = "pre",
                 n_out: int | None = None, causal: bool = False, dropout: float = 0.0,
                 skip: bool = True):
        super().__init__()
        self.vocab, self.seq_len = check_int("vocab", vocab, minimum=2), check_int("seq_len", seq_len)
        self.n_layers = n_layers = check_int("n_layers", n_layers)
        d_model, d_ff = check_int("d_model", d_model), check_int("d_ff", d_ff)
        n_out = vocab if n_out is None else check_int("n_out", n_out)
        check_size(f"a transformer of {n_layers} layers of width {d_model}",
                   n_bytes=parameter_bytes(n_layers * (4 * d_model * d_model + 2 * d_model * d_ff)
                                           + (vocab + seq_len + n_out) * d_model))
        self.placement = placement = check_choice("placement", placement, PLACEMENTS)
        alpha, beta = deepnorm_constants(n_layers) if placement == "deepnorm" else (1.0, 1.0)
        self.token_embedding = nn.Embedding(vocab, d_model)
        self.position_embedding = nn.Parameter(torch.zeros(seq_len, d_model))
        self.blocks = nn.ModuleList(
            TransformerBlock(d_model, n_heads, d_ff, placement=placement, alpha=alpha,
                             causal=causal, dropout=dropout, skip=skip) for _ in range(n_layers))
        self.final_norm = nn.LayerNorm(d_model) if placement == "pre" else nn.Identity()
        self.head = nn.Linear(d_model, n_out)
        self._init_weights(beta)

    def _init_weights(self, beta: float) -> None:
        nn.init.normal_(self.token_embedding.weight, std=1.0)
        nn.init.normal_(self.position_embedding, std=1.0)
        for block in self.blocks:
            init_block(block, beta=beta)
        nn.init.xavier_normal_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def zero_queries_and_keys(self) -> TinyTransformer:
        """Set W^Q = W^K = 0, so attention is uniform: the setting of Xiong et al.'s theory."""
        with torch.no_grad():
            for block in self.blocks:
                attention = block.attention.attention
                attention.in_proj_weight[:2 * attention.embed_dim].zero_()
        return self

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        if not isinstance(tokens, torch.Tensor) or tokens.dtype != torch.long:
            raise TypeError("tokens must be a tensor of integer ids (torch.long), got "
                            f"{getattr(tokens, 'dtype', type(tokens).__name__)}")
        if tokens.ndim != 2:
            raise ValueError(f"tokens must have shape (B, T), got {tuple(tokens.shape)}")
        if tokens.shape[1] > self.seq_len:
            raise ValueError(f"sequences of {tokens.shape[1]} tokens, but the model has "
                             f"positions for {self.seq_len}")
        if tokens.numel() and (tokens.min() < 0 or tokens.max() >= self.vocab):
            raise ValueError(f"token ids must lie in 0..{self.vocab - 1}")
        x = self.token_embedding(tokens) + self.position_embedding[:tokens.shape[1]]
        for block in self.blocks:
            x = block(x)                          # (B, T, d_model)
        return self.head(self.final_norm(x))      # (B, T, n_out)


def to_torch_encoder_layer(block: TransformerBlock) -> nn.TransformerEncoderLayer:
    """PyTorch's own nn.TransformerEncoderLayer with `block`'s weights copied in: norm_first=True
    for a pre-norm block, False for post-norm. Both then compute the same function."""
    if block.placement not in ("post", "pre") or not block.skip:
        raise ValueError("only post-norm and pre-norm blocks with skips have a PyTorch twin")
    attention = block.attention.attention
    layer = nn.TransformerEncoderLayer(attention.embed_dim, attention.num_heads,
                                       block.feed_forward.fc1.out_features, dropout=0.0,
                                       batch_first=True, norm_first=block.placement == "pre")
    layer.self_attn.load_state_dict(attention.state_dict())
    layer.linear1.load_state_dict(block.feed_forward.fc1.state_dict())
    layer.linear2.load_state_dict(block.feed_forward.fc2.state_dict())
    layer.norm1.load_state_dict(block.norm1.state_dict())
    layer.norm2.load_state_dict(block.norm2.state_dict())
    return layer
