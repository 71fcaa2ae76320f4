"""Real text with nothing to download: the documentation that ships inside CPython itself
(`pydoc_data.topics`, the text `help("if")` prints: about 465 KB of English on every Python,
Colab's included), as characters; and the n-gram baselines a character model has to beat."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from .validation import check_float, check_int


def documentation_text() -> str:
    """The standard library's help topics, joined in the order of their names. The text differs
    a little from one Python version to the next (new features, new topics)."""
    from pydoc_data.topics import topics
    return "".join(topics[name] for name in sorted(topics))


@dataclass(frozen=True)
class CharCorpus:
    """A text as character ids, split by position: the first part trains, the rest validates.

    Attributes:
        vocabulary: every distinct character of the text, sorted; a character's id is its index.
        train, validation: (N,) int64 ids of the two parts.
    """

    vocabulary: str
    train: torch.Tensor
    validation: torch.Tensor

    @property
    def vocab_size(self) -> int:
        return len(self.vocabulary)

    def encode(self, text: str) -> torch.Tensor:
        """Character ids of `text` (every character must be in the vocabulary)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        index = {c: i for i, c in enumerate(self.vocabulary)}
        unknown = sorted(set(text) - set(index))
        if unknown:
            raise ValueError(f"characters not in the vocabulary: {''.join(unknown)!r}")
        return torch.tensor([index[c] for c in text], dtype=torch.long)

    def decode(self, ids: torch.Tensor | list[int]) -> str:
        """The text of a sequence of character ids."""
        ids = ids.tolist() if isinstance(ids, torch.Tensor) else list(ids)
        if any(not isinstance(i, int) or not 0 <= i < self.vocab_size for i in ids):
            raise ValueError(f"character ids must be whole numbers in 0..{self.vocab_size - 1}")
        return "".join(self.vocabulary[i] for i in ids)

    def windows(self, part: str, seq_len: int, n_windows: int) -> tuple[torch.Tensor, torch.Tensor]:
        """`n_windows` windows of `part` ("train" or "validation"), evenly spaced from its start to
        its end: inputs (n, seq_len) and targets (n, seq_len), each target the character after its
        input. Evenly spaced windows give every run the same evaluation text."""
        if part not in ("train", "validation"):
            raise ValueError(f"part must be 'train' or 'validation', got {part!r}")
        ids = self.train if part == "train" else self.validation
        seq_len = check_int("seq_len", seq_len, minimum=1)
        n_windows = check_int("n_windows", n_windows)
        last_start = len(ids) - seq_len - 1
        if last_start < 0:
            raise ValueError(f"the {part} text ({len(ids)} characters) is shorter than one window")
        starts = torch.linspace(0, last_start, n_windows).long()
        positions = starts[:, None] + torch.arange(seq_len)
        return ids[positions], ids[positions + 1]


def char_corpus(text: str | None = None, *, validation_fraction: float = 0.1) -> CharCorpus:
    """`text` (the standard library's documentation if None) as a CharCorpus: the first
    1 - validation_fraction of it trains, the rest validates. The vocabulary is every character
    of the whole text, so the validation part has no unknown characters."""
    text = documentation_text() if text is None else text
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    validation_fraction = check_float("validation_fraction", validation_fraction,
                                      minimum=0.01, maximum=0.99)
    if len(text) < 100:
        raise ValueError(f"the text has {len(text)} characters: give it at least 100")
    vocabulary = "".join(sorted(set(text)))
    index = {c: i for i, c in enumerate(vocabulary)}
    ids = torch.tensor([index[c] for c in text], dtype=torch.long)
    n_train = round(len(ids) * (1 - validation_fraction))
    return CharCorpus(vocabulary, ids[:n_train], ids[n_train:])


def ngram_bits(corpus: CharCorpus, inputs: torch.Tensor | None = None,
               targets: torch.Tensor | None = None) -> dict[str, float]:
    """Bits per character of three baselines fitted on the training text only, on `targets`
    (each predicted after the character in `inputs` at the same place; by default every
    validation character after the first):
    - "uniform": every character of the vocabulary equally likely: log2 V;
    - "unigram": each character's frequency, add-one smoothed: (n_c + 1) / (N + V);
    - "bigram": the next character's frequency after this one, add-one smoothed:
      (n_ab + 1) / (n_a + V).
    """
    if inputs is None and targets is None:
        inputs, targets = corpus.validation[:-1], corpus.validation[1:]
    if not (isinstance(inputs, torch.Tensor) and isinstance(targets, torch.Tensor)):
        raise TypeError("give inputs and targets as tensors of character ids, or neither")
    if inputs.shape != targets.shape or inputs.numel() == 0:
        raise ValueError(f"inputs and targets must have one shape and not be empty, got "
                         f"{tuple(inputs.shape)} and {tuple(targets.shape)}")
    V, train = corpus.vocab_size, corpus.train
    inputs, targets = inputs.reshape(-1), targets.reshape(-1)
    if min(inputs.min(), targets.min()) < 0 or max(inputs.max(), targets.max()) >= V:
        raise ValueError(f"character ids must lie in 0..{V - 1}")
    unigram = (torch.bincount(train, minlength=V).double() + 1) / (len(train) + V)
    pairs = torch.bincount(train[:-1] * V + train[1:], minlength=V * V).double().view(V, V)
    bigram = (pairs + 1) / (pairs.sum(dim=1, keepdim=True) + V)
    return {"uniform": math.log2(V),
            "unigram": -unigram[targets].log2().mean().item(),
            "bigram": -bigram[inputs, targets].log2().mean().item()}
