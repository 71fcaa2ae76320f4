"""Many small models run as one computation: the batched twins of the course's models.

The experiments train the same net on several seeds (and, in one go, with and without its skips)
so that the student sees how much one run varies. These nets are so small that a training step
costs mostly the fixed overhead of each operation, not arithmetic: with every model's weights
stacked along a new first dimension, one `torch.baddbmm` runs a layer of all the models at once,
and n models cost little more than one.

Each batched module is built FROM the ordinary modules (`MLPStack`, `TinyTransformer`), so model
m of a batch is exactly the model its seed builds on its own (tests/test_batched.py checks the
outputs model by model). Layout: every activation is (n_models, M, C), M rows (samples or tokens)
per model.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .blocks import MLPStack
from .transformer import TinyTransformer


def _stack(tensors: Sequence[torch.Tensor]) -> nn.Parameter:
    return nn.Parameter(torch.stack([t.detach() for t in tensors]).contiguous())


def _same(values: Sequence, what: str):
    if len(set(values)) != 1:
        raise ValueError(f"models batched together must share their {what}, got {sorted(set(values))}")
    return values[0]


class BatchedLinear(nn.Module):
    """y_m = x_m W_m^T + b_m for every model m at once: (n, M, d_in) -> (n, M, d_out).

    Attributes:
        weight: (n, d_in, d_out), each model's nn.Linear weight transposed (what bmm needs).
        bias: (n, 1, d_out), or None.
    """

    def __init__(self, weights: Sequence[torch.Tensor], biases: Sequence[torch.Tensor] | None):
        super().__init__()
        self.weight = _stack([w.T for w in weights])
        self.bias = None if biases is None else _stack([b.unsqueeze(0) for b in biases])

    @classmethod
    def from_linears(cls, linears: Sequence[nn.Linear]) -> BatchedLinear:
        biases = None if linears[0].bias is None else [m.bias for m in linears]
        return cls([m.weight for m in linears], biases)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.bias is None:
            return torch.bmm(x, self.weight)
        return torch.baddbmm(self.bias, x, self.weight)

    @torch.no_grad()
    def write_row(self, m: int, linear: nn.Linear) -> None:
        """Copy model m's weights into `linear`."""
        linear.weight.copy_(self.weight[m].T)
        if self.bias is not None:
            linear.bias.copy_(self.bias[m, 0])


_NORM_KINDS = ((nn.BatchNorm1d, "batch"), (nn.LayerNorm, "layer"), (nn.GroupNorm, "group"),
               (nn.RMSNorm, "rms"))


def _norm_kind(module: nn.Module) -> str:
    for module_type, kind in _NORM_KINDS:
        if isinstance(module, module_type):
            return kind
    raise TypeError(f"no batched twin for {type(module).__name__}")


class BatchedNorm(nn.Module):
    """n models' norm layers on (n, M, C), each model normalised by its own kind of norm with its
    own gain and bias: nn.BatchNorm1d (each channel over the model's M rows, with running
    statistics), nn.LayerNorm (each row over its C features), nn.GroupNorm (each row's groups)
    or nn.RMSNorm. Models of one kind that sit next to each other are normalised together, so a
    batch may mix BatchNorm, LayerNorm and GroupNorm models at the cost of one call per kind.
    """

    def __init__(self, norms: Sequence[nn.Module]):
        super().__init__()
        kinds = [_norm_kind(m) for m in norms]
        if "rms" in kinds and len(set(kinds)) > 1:
            raise ValueError("RMSNorm has no bias: batch RMSNorm models only with each other")
        self.segments: list[tuple[str, int, int]] = []          # (kind, first row, end row)
        for row, kind in enumerate(kinds):
            if self.segments and self.segments[-1][0] == kind:
                self.segments[-1] = (kind, self.segments[-1][1], row + 1)
            else:
                self.segments.append((kind, row, row + 1))
        for module in norms:
            if isinstance(module, nn.BatchNorm1d) and (
                    module.momentum is None or not module.affine or not module.track_running_stats):
                raise ValueError("batched BatchNorm takes BatchNorm1d layers with the defaults "
                                 "(affine, running statistics, a momentum)")
        self.eps = [m.eps for m in norms]
        self.groups = [getattr(m, "num_groups", 1) for m in norms]
        self.momentum = next((m.momentum for m in norms if isinstance(m, nn.BatchNorm1d)), 0.1)
        self.weight = _stack([m.weight.unsqueeze(0) for m in norms])                  # (n, 1, C)
        self.bias = (None if kinds[0] == "rms"
                     else _stack([m.bias.unsqueeze(0) for m in norms]))
        batch = [m for m in norms if isinstance(m, nn.BatchNorm1d)]
        self.register_buffer("running_mean", torch.cat([m.running_mean for m in batch])
                             if batch else None)
        self.register_buffer("running_var", torch.cat([m.running_var for m in batch])
                             if batch else None)

    def _normalise(self, kind: str, x: torch.Tensor, first: int, stats: slice) -> torch.Tensor:
        n, M, C = x.shape
        eps = self.eps[first]
        if kind == "batch":                     # per channel over the rows: one BatchNorm1d call
            flat = x.transpose(0, 1).reshape(M, n * C)                  # (M, n*C)
            out = F.batch_norm(flat, self.running_mean[stats], self.running_var[stats],
                               training=self.training, momentum=self.momentum, eps=eps)
            return out.view(M, n, C).transpose(0, 1)
        if kind == "layer":
            return F.layer_norm(x, (C,), eps=eps)
        if kind == "group":
            grouped = x.reshape(n, M, self.groups[first], -1)
            return F.layer_norm(grouped, grouped.shape[-1:], eps=eps).reshape(n, M, C)
        return F.rms_norm(x, (C,), eps=eps)

    @torch.no_grad()
    def write_row(self, m: int, norm: nn.Module) -> None:
        """Copy model m's gain, bias and (BatchNorm) running statistics into `norm`."""
        norm.weight.copy_(self.weight[m, 0])
        if self.bias is not None:
            norm.bias.copy_(self.bias[m, 0])
        if isinstance(norm, nn.BatchNorm1d):
            before = sum(min(end, m) - first for kind, first, end in self.segments
                         if kind == "batch" and first < m)
            rows = slice(before * norm.num_features, (before + 1) * norm.num_features)
            norm.running_mean.copy_(self.running_mean[rows])
            norm.running_var.copy_(self.running_var[rows])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        parts, batch_rows = [], 0
        for kind, first, end in self.segments:
            stats = slice(batch_rows * x.shape[2], (batch_rows + end - first) * x.shape[2])
            parts.append(self._normalise(kind, x[first:end], first, stats))
            batch_rows += (end - first) if kind == "batch" else 0
        normed = parts[0] if len(parts) == 1 else torch.cat(parts)
        if self.bias is None:
            return normed * self.weight
        return torch.addcmul(self.bias, normed, self.weight)


def batched_norm(norms: Sequence[nn.Module]) -> nn.Module:
    """The batched twin of n models' norm layers: nn.Identity if none of them normalises."""
    identities = [isinstance(m, nn.Identity) for m in norms]
    if all(identities):
        return nn.Identity()
    if any(identities):
        raise ValueError("batch models with a norm and models without one separately")
    return BatchedNorm(norms)


def _batched_layer(layers: Sequence[nn.Module]) -> nn.Module:
    """The batched twin of one position of n models' nn.Sequential: Linear, a norm, or ReLU."""
    if isinstance(layers[0], nn.Linear):
        return BatchedLinear.from_linears(layers)
    if isinstance(layers[0], nn.ReLU):
        return nn.ReLU()
    return batched_norm(layers)


class BatchedMLPBlock(nn.Module):
    """Block l of n `MLPStack`s: ReLU(g_m x + F_m(x)), with g_m model m's shortcut gain (1 for
    the identity skip, lambda for a scaled one, 0 for a plain stack: ReLU(F_m(x))); for
    pre-activation stacks g_m x + F_m(x), with no ReLU after the add."""

    def __init__(self, branches: Sequence[nn.Sequential], gains: torch.Tensor, *,
                 relu_after_add: bool = True):
        super().__init__()
        # a branch is Linear -> Norm -> ReLU -> Linear -> Norm (course_utils.mlp_branch) or
        # Norm -> ReLU -> Linear -> Norm -> ReLU -> Linear (course_utils.preact_branch)
        self.branch = nn.Sequential(*(_batched_layer(layers) for layers in zip(*branches)))
        self.relu_after_add = relu_after_add
        self.register_buffer("gain", gains.reshape(-1, 1, 1).clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.addcmul(self.branch(x), x, self.gain)                # g x + F(x)
        return torch.relu(out) if self.relu_after_add else out


class BatchedMLPStack(nn.Module):
    """n `MLPStack`s of one shape (depth, width, norm, block kind) run as one: (n, B, d_in) ->
    (n, B, n_classes). They may differ in their weights and in their skips (residual or plain,
    and the shortcut gain)."""

    def __init__(self, models: Sequence[MLPStack]):
        super().__init__()
        if not models or not all(isinstance(m, MLPStack) for m in models):
            raise TypeError("BatchedMLPStack needs a non-empty list of MLPStack models")
        self.n_models = len(models)
        self.n_blocks = _same([m.n_blocks for m in models], "number of blocks")
        self.d_in = _same([m.d_in for m in models], "input width")
        preactivation = _same([m.preactivation for m in models], "block kind (pre-activation or not)")
        gains = torch.tensor([float(m.blocks[0][0].shortcut_gain) if m.residual else 0.0
                              for m in models])
        self.stem = nn.Sequential(BatchedLinear.from_linears([m.stem[0] for m in models]),
                                  batched_norm([m.stem[1] for m in models]), nn.ReLU())
        self.blocks = nn.ModuleList(
            BatchedMLPBlock([self._branch(m, i) for m in models], gains,
                            relu_after_add=not preactivation) for i in range(self.n_blocks))
        self.final = (nn.Sequential(batched_norm([m.final[0] for m in models]), nn.ReLU())
                      if preactivation else nn.Identity())
        self.head = BatchedLinear.from_linears([m.head for m in models])
        self._models = list(models)             # not submodules: written back on request only

    @staticmethod
    def _branch(model: MLPStack, i: int) -> nn.Sequential:
        return model.blocks[i][0].branch if model.residual else model.blocks[i][0]

    def unbatched(self, m: int) -> MLPStack:
        """Model m as an ordinary MLPStack, with the weights and statistics it has now (the
        module it was built from, updated in place)."""
        model = self._models[m]
        pairs = [(self.stem[0], model.stem[0]), (self.stem[1], model.stem[1]),
                 (self.head, model.head)]
        if model.preactivation:
            pairs.append((self.final[0], model.final[0]))
        for i, block in enumerate(self.blocks):
            pairs += list(zip(block.branch, self._branch(model, i)))
        for batched_module, module in pairs:
            if hasattr(batched_module, "write_row"):
                batched_module.write_row(m, module)
        return model.train(self.training)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)                        # (n, B, width)
        for block in self.blocks:
            x = block(x)                        # (n, B, width)
        return self.head(self.final(x))         # (n, B, n_classes)


class BatchedAttention(nn.Module):
    """n models' nn.MultiheadAttention (self-attention, no dropout) at once, on (n, B*T, C)."""

    def __init__(self, attentions: Sequence[nn.MultiheadAttention], *, causal: bool):
        super().__init__()
        self.in_proj = BatchedLinear([a.in_proj_weight for a in attentions],
                                     [a.in_proj_bias for a in attentions])
        self.out_proj = BatchedLinear.from_linears([a.out_proj for a in attentions])
        self.n_heads, self.causal = attentions[0].num_heads, causal

    def forward(self, x: torch.Tensor, batch: int) -> torch.Tensor:
        n, M, C = x.shape
        T, H = M // batch, self.n_heads
        qkv = self.in_proj(x).view(n * batch, T, 3, H, C // H).permute(2, 0, 3, 1, 4)
        out = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], is_causal=self.causal)
        return self.out_proj(out.transpose(1, 2).reshape(n, M, C))       # heads back together


class BatchedTransformerBlock(nn.Module):
    """Layer l of n `TinyTransformer`s of one placement. Every sub-layer is
    norm(g_m x + F(x)) (post-norm, DeepNorm) or g_m x + F(norm(x)) (pre-norm), with g_m model
    m's skip gain: 1, DeepNorm's alpha, or 0 for a model built with skip=False.

    With a `connection` (a function (x, sublayer, norm, placement) -> y, such as a student's
    residual wrapper), every sub-layer is connection(x, F, norm, placement) instead; it may only
    stand in for gains of 1."""

    def __init__(self, blocks: Sequence[nn.Module], gains: torch.Tensor,
                 connection: Callable | None = None):
        super().__init__()
        first = blocks[0]
        self.placement = first.placement
        self.attention = BatchedAttention([b.attention.attention for b in blocks],
                                          causal=first.attention.causal)
        self.fc1 = BatchedLinear.from_linears([b.feed_forward.fc1 for b in blocks])
        self.fc2 = BatchedLinear.from_linears([b.feed_forward.fc2 for b in blocks])
        self.norm1 = batched_norm([b.norm1 for b in blocks])
        self.norm2 = batched_norm([b.norm2 for b in blocks])
        self.register_buffer("gain", gains.reshape(-1, 1, 1).clone())
        self.connection = connection

    def _sublayer(self, x, sublayer, norm, trace):
        if trace is not None:                 # the stream's size, the branch's size
            branch = sublayer(norm(x) if self.placement == "pre" else x)
            trace.append((rms(x), rms(branch)))
        if self.connection is not None:
            return self.connection(x, sublayer, norm, self.placement)
        if self.placement == "pre":
            return torch.addcmul(sublayer(norm(x)), x, self.gain)      # g x + F(LN(x))
        return norm(torch.addcmul(sublayer(x), x, self.gain))          # LN(g x + F(x))

    def forward(self, x: torch.Tensor, batch: int, trace: list | None = None) -> torch.Tensor:
        """x: (n, B*T, C). If `trace` is a list, append (RMS of x, RMS of F) per model, (n,)
        each, for each of the two sub-layers."""
        x = self._sublayer(x, lambda v: self.attention(v, batch), self.norm1, trace)
        return self._sublayer(x, lambda v: self.fc2(torch.relu(self.fc1(v))), self.norm2, trace)


def rms(x: torch.Tensor) -> torch.Tensor:
    """(n,) root mean square of each model's slice of an (n, ...) tensor."""
    return x.detach().pow(2).flatten(1).mean(dim=1).sqrt()


class BatchedTransformer(nn.Module):
    """n `TinyTransformer`s of one shape and placement run as one: token ids (n, B, T) ->
    logits (n, B, T, n_out). They may differ in their weights and in skip=True / False."""

    def __init__(self, models: Sequence[TinyTransformer], *, connection: Callable | None = None):
        super().__init__()
        if not models or not all(isinstance(m, TinyTransformer) for m in models):
            raise TypeError("BatchedTransformer needs a non-empty list of TinyTransformer models")
        # post-norm and DeepNorm compute the same norm(g x + F(x)); only g and the init differ
        _same(["pre" if m.placement == "pre" else "post" for m in models],
              "placement (pre-norm, or post-norm and DeepNorm)")
        _same([m.n_layers for m in models], "number of layers")
        if any(b.dropout.p for m in models for b in m.blocks):
            raise ValueError("BatchedTransformer runs without dropout; build the models with dropout=0")
        self.n_models, self.vocab, self.seq_len = len(models), models[0].vocab, models[0].seq_len
        self.token_embedding = _stack([m.token_embedding.weight for m in models])   # (n, V, C)
        self.position_embedding = _stack([m.position_embedding for m in models])     # (n, T, C)
        self.blocks = nn.ModuleList()
        for i in range(models[0].n_layers):
            layer = [m.blocks[i] for m in models]
            gains = torch.tensor([float(b.alpha) if b.skip else 0.0 for b in layer])
            if connection is not None and (bool((gains != 1).any()) or
                                           layer[0].placement == "deepnorm"):
                raise ValueError("a connection function stands in for post-norm and pre-norm "
                                 "sub-layers with skips; DeepNorm and skip=False models use the "
                                 "course's own")
            self.blocks.append(BatchedTransformerBlock(layer, gains, connection))
        self.final_norm = batched_norm([m.final_norm for m in models])
        self.head = BatchedLinear.from_linears([m.head for m in models])

    def forward(self, tokens: torch.Tensor, trace: list | None = None) -> torch.Tensor:
        """Token ids (n, B, T) -> logits (n, B, T, n_out). If `trace` is a list, every sub-layer
        appends (RMS of its input x, RMS of its branch F), (n,) each, input to output."""
        n, B, T = tokens.shape
        rows = torch.arange(n).unsqueeze(1)
        x = self.token_embedding[rows, tokens.reshape(n, B * T)]          # (n, B*T, C)
        x = (x.view(n, B, T, -1) + self.position_embedding[:, None, :T]).reshape(n, B * T, -1)
        for block in self.blocks:
            x = block(x, B, trace)                                        # (n, B*T, C)
        return self.head(self.final_norm(x)).view(n, B, T, -1)           # (n, B, T, n_out)


def batched(models: Sequence[nn.Module]) -> nn.Module:
    """The batched twin of a list of `MLPStack`s or `TinyTransformer`s."""
    if models and isinstance(models[0], TinyTransformer):
        return BatchedTransformer(models)
    return BatchedMLPStack(models)


class BatchedOptimizer:
    """SGD with momentum, or Adam, over stacked parameters with a learning rate PER MODEL.

    The arithmetic is torch.optim.SGD's / torch.optim.Adam's (L2 weight decay added to the
    gradient), element by element, so model m's slice moves as if it were optimised alone; only
    the learning rate may differ from model to model (a warm-up on some of them). Every tensor
    the optimiser keeps is one flat vector over all parameters, so a step is a dozen operations
    whatever the number of layers (these nets are small: the count of operations is the cost).
    """

    def __init__(self, params: Sequence[torch.Tensor], *, kind: str, momentum: float = 0.9,
                 betas: tuple[float, float] = (0.9, 0.98), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        self.params = [p for p in params if p.requires_grad]
        n = self.params[0].shape[0]
        if any(p.shape[0] != n for p in self.params):
            raise ValueError("every parameter of a batched model has the models along dim 0")
        self.kind, self.momentum, self.betas, self.eps = kind, momentum, betas, eps
        self.weight_decay, self.t = weight_decay, 0
        self.sizes = [p.numel() for p in self.params]
        # which model each entry of the flat vector belongs to: model m's slice of every tensor
        self.owner = torch.cat([torch.arange(n).repeat_interleave(p[0].numel())
                                for p in self.params])
        size = sum(self.sizes)
        # every vector the step needs, allocated once: fresh megabyte-sized tensors each step
        # would cost more (page faults) than the arithmetic
        self.grad, self.work = torch.zeros(size), torch.zeros(size)
        self.state = [torch.zeros(size) for _ in range(1 if kind == "sgd" else 2)]

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self, lr: torch.Tensor) -> None:
        """One update; lr has one entry per model."""
        self.t += 1
        grad, work = self.grad, self.work
        torch.cat([(p.grad if p.grad is not None else torch.zeros_like(p)).reshape(-1)
                   for p in self.params], out=grad)
        if self.weight_decay:
            torch.cat([p.reshape(-1) for p in self.params], out=work)
            grad.add_(work, alpha=self.weight_decay)
        if self.kind == "sgd":
            (update,) = self.state
            if self.t == 1:
                update.copy_(grad)
            else:
                update.mul_(self.momentum).add_(grad)
            work.copy_(update)
        else:
            exp_avg, exp_avg_sq = self.state
            beta1, beta2 = self.betas
            exp_avg.lerp_(grad, 1 - beta1)
            exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            torch.sqrt(exp_avg_sq, out=work)
            work.div_(math.sqrt(1 - beta2 ** self.t)).add_(self.eps)
            torch.div(exp_avg, work, out=work)                      # the update direction
            lr = lr / (1 - beta1 ** self.t)
        if bool((lr == lr[0]).all()):
            work.mul_(-float(lr[0]))
        else:
            work.mul_(-lr[self.owner])
        torch._foreach_add_(self.params, [chunk.view_as(p) for chunk, p in
                                          zip(work.split(self.sizes), self.params)])
