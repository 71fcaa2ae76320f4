"""Starter stubs and plausible wrong answers for the exercises of notebook 05."""

import torch
from torch import nn

from course_utils.zoo import PreActResNetBlock, ReZeroBlock


def highway_stub(x, transform, gate):
    raise NotImplementedError


def unet_stub(encoder, upsampled):
    raise NotImplementedError


def capstone_stub():
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


class NoForward(nn.Module):                  # a capstone model whose forward was never written
    def __init__(self):
        super().__init__()
        self.blocks = nn.Sequential(ReZeroBlock(32), PreActResNetBlock(32), ReZeroBlock(32),
                                    PreActResNetBlock(32))


STUBS = {"highway_block": highway_stub, "unet_merge": unet_stub, "capstone": capstone_stub}

WRONG = {
    "highway_block": [
        (lambda x, H, G: (1 - torch.sigmoid(G(x))) * H(x) + torch.sigmoid(G(x)) * x,
         "wrong way round"),
        (lambda x, H, G: G(x) * H(x) + (1 - G(x)) * x, "needs a sigmoid"),
        (lambda x, H, G: torch.sigmoid(G(x)) * H(x) + x, "adds x in full"),
        (lambda x, H, G: torch.sigmoid(G(x)) * H(x), "carry term"),
        (lambda x, H, G: H(x), "returned something else"),
        (lambda x, H, G: torch.sigmoid(G(x)) * H(x) + torch.sigmoid(G(x)) * x, "The carry uses T(x)"),
        (lambda x, H, G: None, "returned None"),
    ],
    "unet_merge": [
        (lambda e, u: e[..., :u.shape[-1]] + u, "CONCATENATES"),
        (lambda e, u: torch.cat([e[..., :u.shape[-1]], u], dim=1), "crops the CENTRE"),
        (lambda e, u: torch.cat([u, e[..., (e.shape[-1] - u.shape[-1]) // 2:][..., :u.shape[-1]]],
                                dim=1), "order is swapped"),
        (lambda e, u: torch.cat([e, u], dim=1), "raised RuntimeError"),
        (lambda e, u: torch.cat([e[..., :u.shape[-1]], u], dim=2), "returned shape"),
    ],
    "capstone": [
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
