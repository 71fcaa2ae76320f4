"""The architecture zoo: one small block per skip pattern, all mapping a (B, T, C) stream to a
(B, T, C) stream so that any of them can be stacked to the same depth and probed alike.

Convolutions become per-token linear layers (1x1 convolutions over time): the skip patterns, not
the receptive fields, are what the zoo compares.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .probes import layer_profile
from .transformer import TransformerBlock, deepnorm_constants, init_block
from .runtime import seeded
from .validation import check_choice, check_int, check_seed, check_size, check_tensor, parameter_bytes
from .run_log import note_run


class ChannelBatchNorm(nn.BatchNorm1d):
    """BatchNorm over every position of a (..., C) tensor, one statistic per channel (what
    nn.BatchNorm2d does for an image; here the positions are tokens)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x.reshape(-1, x.shape[-1])).reshape(x.shape)


def basic_branch(width: int) -> nn.Sequential:
    """W1 -> BN -> ReLU -> W2 -> BN: the branch of a ResNet basic block (He et al. 2015)."""
    return nn.Sequential(nn.Linear(width, width), ChannelBatchNorm(width), nn.ReLU(),
                         nn.Linear(width, width), ChannelBatchNorm(width))


class PlainBlock(nn.Module):
    """No skip: y = ReLU(BN(W2 ReLU(BN(W1 x)))), the reference point."""

    def __init__(self, width: int):
        super().__init__()
        self.body = basic_branch(width)

    def forward(self, x):
        return torch.relu(self.body(x))


class ResNetBasicBlock(nn.Module):
    """He et al. 2015: y = ReLU(x + BN(W2 ReLU(BN(W1 x)))). Both weight layers sit in ONE branch."""

    def __init__(self, width: int):
        super().__init__()
        self.branch = basic_branch(width)

    def forward(self, x):
        return torch.relu(x + self.branch(x))


class PreActResNetBlock(nn.Module):
    """He et al. 2016: y = x + W2 ReLU(BN(W1 ReLU(BN(x)))). Nothing after the sum: a clean
    identity path."""

    def __init__(self, width: int):
        super().__init__()
        self.branch = nn.Sequential(ChannelBatchNorm(width), nn.ReLU(), nn.Linear(width, width),
                                    ChannelBatchNorm(width), nn.ReLU(), nn.Linear(width, width))

    def forward(self, x):
        return x + self.branch(x)


class HighwayBlock(nn.Module):
    """Srivastava et al. 2015: y = T(x) * H(x) + (1 - T(x)) * x with the gate T = sigmoid(W_T x +
    b_T). The gate's bias starts negative (-2), so the block starts by mostly carrying x."""

    def __init__(self, width: int, *, gate_bias: float = -2.0):
        super().__init__()
        self.transform = nn.Sequential(nn.Linear(width, width), nn.ReLU())
        self.gate = nn.Linear(width, width)
        nn.init.constant_(self.gate.bias, gate_bias)

    def forward(self, x):
        t = torch.sigmoid(self.gate(x))
        return t * self.transform(x) + (1 - t) * x


class ReZeroBlock(nn.Module):
    """Bachlechner et al. 2020: y = x + alpha * F(x), alpha a learned scalar that starts at 0, so
    every block is the identity at initialisation. No normalisation."""

    def __init__(self, width: int):
        super().__init__()
        self.branch = nn.Sequential(nn.Linear(width, width), nn.ReLU(), nn.Linear(width, width))
        self.alpha = nn.Parameter(torch.zeros(()))

    def forward(self, x):
        return x + self.alpha * self.branch(x)


class DenseLayer(nn.Module):
    """Huang et al. 2017: x_l = H_l([x_0, ..., x_{l-1}]). Takes the concatenation of everything
    before it (in_width channels) and returns it with `growth` new channels appended."""

    def __init__(self, in_width: int, growth: int):
        super().__init__()
        self.h = nn.Sequential(ChannelBatchNorm(in_width), nn.ReLU(), nn.Linear(in_width, growth))

    def forward(self, features):
        return torch.cat([features, self.h(features)], dim=-1)


class UNetBlock(nn.Module):
    """One level of a U-Net (Ronneberger et al. 2015): encode, go down (halve T), process, come
    up (double T), then CONCATENATE the encoder's map with the upsampled one and decode:
    d = Dec([crop(e), up(mid(down(e)))]). Per-token layers keep T, so the crop is a no-op here."""

    def __init__(self, width: int):
        super().__init__()
        self.encode = nn.Sequential(nn.Linear(width, width), nn.ReLU())
        self.middle = nn.Sequential(nn.Linear(width, width), nn.ReLU())
        self.decode = nn.Sequential(nn.Linear(2 * width, width), nn.ReLU(),
                                    nn.Linear(width, width), nn.ReLU())

    def forward(self, x):
        e = self.encode(x)                                             # (B, T, C)
        down = F.avg_pool1d(e.transpose(1, 2), 2, ceil_mode=True)      # (B, C, T/2)
        up = self.middle(down.transpose(1, 2)).repeat_interleave(2, dim=1)[:, :e.shape[1]]
        return self.decode(torch.cat([e, up], dim=-1))                 # concat, not add


def token_shift(x: torch.Tensor) -> torch.Tensor:
    """The previous token's vector at every position (zeros at t = 0): RWKV's 'time shift'."""
    return F.pad(x, (0, 0, 1, -1))


class RWKVTimeMix(nn.Module):
    """RWKV-4's time mixing: token-shifted inputs mixed by learned mu, then the WKV recurrence,
    wkv_t = (sum_{i<t} e^{-(t-1-i)w + k_i} v_i + e^{u + k_t} v_t) / (same sums without v),
    gated by sigmoid(r) and projected out."""

    def __init__(self, width: int):
        super().__init__()
        self.mu = nn.Parameter(torch.full((3, width), 0.5))           # for k, v, r
        self.key, self.value, self.receptance, self.output = (
            nn.Linear(width, width, bias=False) for _ in range(4))
        self.decay = nn.Parameter(torch.linspace(-1.0, 1.0, width))   # w = exp(decay) > 0
        self.bonus = nn.Parameter(torch.zeros(width))                 # u

    def forward(self, x):
        shifted = token_shift(x)
        k, v, r = (layer(x * mu + shifted * (1 - mu)) for layer, mu in
                   zip((self.key, self.value, self.receptance), self.mu))
        w = self.decay.exp()
        numerator = torch.zeros_like(x[:, 0])
        denominator = torch.zeros_like(x[:, 0])
        out = []
        for t in range(x.shape[1]):
            now = torch.exp(self.bonus + k[:, t])
            out.append((numerator + now * v[:, t]) / (denominator + now))
            numerator = torch.exp(-w) * numerator + torch.exp(k[:, t]) * v[:, t]
            denominator = torch.exp(-w) * denominator + torch.exp(k[:, t])
        return self.output(torch.sigmoid(r) * torch.stack(out, dim=1))


class RWKVChannelMix(nn.Module):
    """RWKV-4's channel mixing: sigmoid(W_r x_r) * W_v ReLU(W_k x_k)^2, on token-shifted mixes."""

    def __init__(self, width: int, hidden: int | None = None):
        super().__init__()
        hidden = hidden or 4 * width
        self.mu = nn.Parameter(torch.full((2, width), 0.5))
        self.key = nn.Linear(width, hidden, bias=False)
        self.value = nn.Linear(hidden, width, bias=False)
        self.receptance = nn.Linear(width, width, bias=False)

    def forward(self, x):
        shifted = token_shift(x)
        xk = x * self.mu[0] + shifted * (1 - self.mu[0])
        xr = x * self.mu[1] + shifted * (1 - self.mu[1])
        return torch.sigmoid(self.receptance(xr)) * self.value(torch.relu(self.key(xk)) ** 2)


class RWKVBlock(nn.Module):
    """Peng et al. 2023, as the official RWKV-LM code has it: pre-norm, two sequential un-gated
    residual sub-blocks, x = x + TimeMix(LN1(x)); x = x + ChannelMix(LN2(x))."""

    def __init__(self, width: int):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(width), nn.LayerNorm(width)
        self.time_mix, self.channel_mix = RWKVTimeMix(width), RWKVChannelMix(width)

    def forward(self, x):
        x = x + self.time_mix(self.ln1(x))
        return x + self.channel_mix(self.ln2(x))


@dataclass(frozen=True)
class ZooEntry:
    """One row of the zoo: its name, its formula, its source, and how to build one block."""

    name: str
    formula: str
    source: str
    build: Callable[[int, int], nn.Module] | None   # (width, stack depth) -> block; None: DenseNet


def _transformer(placement: str) -> Callable[[int, int], nn.Module]:
    def build(width: int, depth: int) -> nn.Module:
        alpha, beta = deepnorm_constants(depth) if placement == "deepnorm" else (1.0, 1.0)
        block = TransformerBlock(width, 4, 2 * width, placement=placement, alpha=alpha)
        return init_block(block, beta=beta)
    return build


ZOO = {
    "plain": ZooEntry("plain (no skip)", "y = ReLU(BN(W2 ReLU(BN(W1 x))))", "reference",
                      lambda w, d: PlainBlock(w)),
    "resnet": ZooEntry("ResNet basic", "y = ReLU(x + BN(W2 ReLU(BN(W1 x))))",
                       "He et al. 2015, Eq. 1", lambda w, d: ResNetBasicBlock(w)),
    "preact": ZooEntry("ResNet pre-activation", "y = x + W2 ReLU(BN(W1 ReLU(BN(x))))",
                       "He et al. 2016, Eq. 9", lambda w, d: PreActResNetBlock(w)),
    "highway": ZooEntry("Highway", "y = T(x) H(x) + (1 - T(x)) x,  T = σ(W_T x + b_T)",
                        "Srivastava et al. 2015", lambda w, d: HighwayBlock(w)),
    "post_norm": ZooEntry("Transformer post-norm", "y = LN(x + F(x)), per sub-layer",
                          "Vaswani et al. 2017", _transformer("post")),
    "pre_norm": ZooEntry("Transformer pre-norm", "y = x + F(LN(x)), per sub-layer; final LN",
                         "Baevski & Auli 2018; GPT-2 2019; Xiong et al. 2020", _transformer("pre")),
    "deepnorm": ZooEntry("DeepNorm", "y = LN(α x + F(x)),  α = (2N)^(1/4)",
                         "Wang et al. 2022", _transformer("deepnorm")),
    "rezero": ZooEntry("ReZero", "y = x + α F(x),  α = 0 at init", "Bachlechner et al. 2020",
                       lambda w, d: ReZeroBlock(w)),
    "rwkv": ZooEntry("RWKV", "x += TimeMix(LN1(x)); x += ChannelMix(LN2(x))",
                     "Peng et al. 2023; RWKV-LM code", lambda w, d: RWKVBlock(w)),
    "unet": ZooEntry("U-Net level", "d = Dec([crop(e), Up(Mid(Down(e)))])",
                     "Ronneberger et al. 2015", lambda w, d: UNetBlock(w)),
    "densenet": ZooEntry("DenseNet", "x_l = H_l([x_0, ..., x_{l-1}])", "Huang et al. 2017",
                         None),   # built by ZooStack: each layer's width depends on its index
}
"""Every architecture of the zoo, by key."""

GROWTH = 8   # channels each DenseNet layer adds


class ZooStack(nn.Module):
    """stem Linear(d_in, width) -> n_blocks blocks of architecture `arch` -> head, for (B, T, d_in)
    inputs and (B, T, n_classes) logits. Pre-norm and RWKV stacks end with a LayerNorm; a
    DenseNet's concatenated features go through a Linear back to `width`."""

    def __init__(self, arch: str, n_blocks: int, *, width: int = 32, d_in: int = 2,
                 n_classes: int = 2):
        super().__init__()
        self.arch = arch = check_choice("arch", arch, tuple(ZOO))
        self.n_blocks = n_blocks = check_int("n_blocks", n_blocks)
        self.width, self.d_in = width, d_in = check_int("width", width, minimum=4), check_int("d_in", d_in)
        n_classes = check_int("n_classes", n_classes, minimum=2)
        check_size(f"a stack of {n_blocks} {arch} blocks of width {width}",
                   n_bytes=parameter_bytes(n_blocks * 16 * width * (width + n_blocks * GROWTH)
                                           + (d_in + n_classes) * width))
        if arch in ("post_norm", "pre_norm", "deepnorm") and width % 4:
            raise ValueError(f"{arch} blocks have 4 heads: choose a width divisible by 4")
        self.stem = nn.Linear(d_in, width)
        if arch == "densenet":
            self.blocks = nn.ModuleList(DenseLayer(width + i * GROWTH, GROWTH)
                                        for i in range(n_blocks))
            self.neck = nn.Linear(width + n_blocks * GROWTH, width)
        else:
            self.blocks = nn.ModuleList(ZOO[arch].build(width, n_blocks) for _ in range(n_blocks))
            self.neck = nn.LayerNorm(width) if arch in ("pre_norm", "rwkv") else nn.Identity()
        self.head = nn.Linear(width, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_tensor("x", x, ndim=3, last_dim=self.d_in, like=self)      # (B, T, d_in)
        if self.training and x.shape[0] * x.shape[1] < 2 and self.arch in (
                "plain", "resnet", "preact", "densenet"):
            raise ValueError("BatchNorm in training mode needs at least 2 positions per batch")
        x = self.stem(x)
        for block in self.blocks:
            x = block(x)
        return self.head(self.neck(x))


def parameter_count(module: nn.Module) -> int:
    """Learnable parameters of `module`."""
    if not isinstance(module, nn.Module):
        raise TypeError(f"module must be a torch.nn.Module, got {type(module).__name__}")
    return sum(p.numel() for p in module.parameters())


@dataclass
class ZooComparison:
    """The same probe on every architecture, stacked `depth` blocks deep, at initialisation.

    Attributes:
        gradient: {arch: RMS of dL/dx_l at each block's input and the last output, input ->
            output, divided by the value at the output}: 1 means no change along the stack.
        parameters: {arch: learnable parameters of ONE block at width 32 (the first block for
            DenseNet, whose layers widen)}.
        output_shape: {arch: shape of one block's output for a (4, 8, 32) input}.
    """

    depth: int
    gradient: dict[str, list[float]]
    parameters: dict[str, int]
    output_shape: dict[str, tuple[int, ...]]

    def ratio(self, arch: str) -> float:
        """Gradient at the input end over that at the output end."""
        return self.gradient[arch][0]


def zoo_comparison(depth: int = 16, *, seed: int = 0, width: int = 32) -> ZooComparison:
    """Stack each architecture `depth` blocks deep and record, on one random batch of 16
    sequences of 8 tokens, the gradient's RMS along the stack (the loss: cross-entropy of
    random labels per token)."""
    note_run("zoo_comparison")
    depth = check_int("depth", depth)
    width = check_int("width", width, minimum=4)
    if width % 4:
        raise ValueError(f"the transformer blocks of the zoo have 4 heads: choose a width "
                         f"divisible by 4, got {width}")
    gen = torch.Generator().manual_seed(check_seed(seed))
    X = torch.randn(16, 8, 2, generator=gen)
    y = torch.randint(0, 2, (16, 8), generator=gen)
    gradient, parameters, shapes = {}, {}, {}
    for arch in ZOO:
        stack = seeded(lambda: ZooStack(arch, depth, width=width), seed)
        stream = layer_profile(stack, X, y).gradient_rms   # stem output, then each block's
        gradient[arch] = [g / stream[-1] if stream[-1] > 0 else 0.0 for g in stream]
        block = stack.blocks[0]
        parameters[arch] = parameter_count(block)
        with torch.no_grad():
            shapes[arch] = tuple(block(torch.randn(4, 8, width)).shape)
    return ZooComparison(depth, gradient, parameters, shapes)
