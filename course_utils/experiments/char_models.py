"""The capstone's experiment: character-level language models of 12 layers trained on the
standard library's documentation, with five ways of wiring the residual sub-layer, on several
seeds, as batched computations; and what the trained models do inside."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from ..batched import BatchedTransformer
from ..progress_bars import progress_bar
from ..text import CharCorpus, char_corpus, ngram_bits
from ..training import Runs, train_batched
from ..transformer import TinyTransformer
from ..validation import check_callable, check_choices, check_float, check_int, check_seed
from .seeds import median, seed_range, seeded
from ..run_log import note_run

CHAR_MODEL = dict(n_layers=12, d_model=32, n_heads=2, d_ff=64, seq_len=16)
"""12 layers of width 32 (2 heads of 16, feed-forward 64) reading 16 characters of context."""

TRAINING = dict(steps=360, batch_size=16, lr=3e-3, warmup_steps=100)
"""Adam (betas 0.9, 0.98, no weight decay) at 3e-3 for 360 steps of 16 windows; a warm-up, where a
variant has one, rises linearly over the first 100 steps."""

VARIANTS: dict[str, tuple[str, bool, int]] = {
    "no residual": ("post", False, TRAINING["warmup_steps"]),
    "post-norm": ("post", True, 0),
    "post-norm + warm-up": ("post", True, TRAINING["warmup_steps"]),
    "DeepNorm": ("deepnorm", True, 0),
    "pre-norm": ("pre", True, 0),
}
"""name: (placement, skip, warm-up steps). "no residual" is post-norm with warm-up minus every
`x +`: LN(F(x)) in each sub-layer, so the skip is the only difference from its neighbour."""

EVAL_WINDOWS = 512
"""Validation windows of the final measurement (512 x 16 = 8,192 characters, evenly spaced);
the curves during training use the first of every four of them."""

Connection = Callable[[torch.Tensor, Callable, Callable, str], torch.Tensor]


def char_model(variant: str, vocab_size: int, *, seed: int = 0) -> TinyTransformer:
    """The CHAR_MODEL transformer wired as `variant` (a key of VARIANTS), causal, as seed `seed`
    initialises it."""
    (variant,) = check_choices("variant", (variant,), tuple(VARIANTS))
    vocab_size = check_int("vocab_size", vocab_size, minimum=2)
    placement, skip, _ = VARIANTS[variant]
    shape = {k: v for k, v in CHAR_MODEL.items()}
    return seeded(lambda: TinyTransformer(vocab=vocab_size, placement=placement, skip=skip,
                                          causal=True, **shape), check_seed(seed))


def evaluation_windows(corpus: CharCorpus) -> tuple[torch.Tensor, torch.Tensor]:
    """The EVAL_WINDOWS validation windows (inputs, targets) that every model is scored on at the
    end of training, evenly spaced over the validation text."""
    if not isinstance(corpus, CharCorpus):
        raise TypeError(f"corpus must be a CharCorpus (course_utils.char_corpus()), got "
                        f"{type(corpus).__name__}")
    return corpus.windows("validation", CHAR_MODEL["seq_len"], EVAL_WINDOWS)


def bits_per_character(model: BatchedTransformer, inputs: torch.Tensor,
                       targets: torch.Tensor) -> torch.Tensor:
    """(n,) each model's cross-entropy on the windows (inputs, targets), in bits per character."""
    n = model.n_models
    with torch.no_grad():
        logits = model(inputs.expand(n, *inputs.shape))
        nats = F.cross_entropy(logits.flatten(1, 2).transpose(1, 2),
                               targets.expand(n, *targets.shape).flatten(1), reduction="none")
    return nats.mean(dim=1) / math.log(2)


def gradient_norm_by_layer(model: BatchedTransformer) -> torch.Tensor:
    """(n, n_layers): the norm of each layer's gradient (all its parameters together), per model."""
    norms = []
    for block in model.blocks:
        squares = sum(p.grad.detach().pow(2).flatten(1).sum(dim=1)
                      for p in block.parameters() if p.grad is not None)
        norms.append(torch.as_tensor(squares).sqrt())
    return torch.stack(norms, dim=1)


@dataclass
class CharModelRuns:
    """Every variant's models after training, and what was measured on them.

    Attributes:
        seeds: the seeds; row i of every (n_seeds, ...) tensor is seeds[i].
        lr, steps: the learning rate and the number of training steps.
        runs: {variant: Runs}, the training loss at every step (nats per character).
        checkpoints: the steps at which validation and gradients were measured.
        curve_bits: {variant: (n_seeds, n_checkpoints)} validation bits per character.
        gradient_norms: {variant: (n_seeds, n_checkpoints, n_layers)} each layer's gradient norm.
        final_bits: {variant: (n_seeds,)} validation bits per character after training.
        stream_rms: {variant: (n_seeds, 2 n_layers)} RMS of the residual stream entering each
            sub-layer (attention, feed-forward, attention, ...), on validation text.
        branch_ratio: {variant: (n_seeds, 2 n_layers)} RMS(F(x)) / RMS(x) of each sub-layer.
        baselines: n-gram bits per character on the same validation windows.
        connection: "yours" if a student's connection wired the post- and pre-norm models.
    """

    corpus: CharCorpus
    seeds: tuple[int, ...]
    lr: float
    steps: int
    runs: dict[str, Runs]
    checkpoints: list[int]
    curve_bits: dict[str, torch.Tensor]
    gradient_norms: dict[str, torch.Tensor]
    final_bits: dict[str, torch.Tensor]
    stream_rms: dict[str, torch.Tensor]
    branch_ratio: dict[str, torch.Tensor]
    baselines: dict[str, float]
    connection: str
    models: dict[str, tuple[BatchedTransformer, list[int]]] = field(repr=False, default_factory=dict)

    @property
    def variants(self) -> tuple[str, ...]:
        return tuple(self.final_bits)

    def median_bits(self, variant: str) -> float:
        """The median over seeds of `variant`'s final validation bits per character."""
        (variant,) = check_choices("variant", (variant,), self.variants)
        return median(self.final_bits[variant].tolist())

    def generate(self, variant: str, *, seed_index: int = 0, prompt: str = "The ",
                 n_chars: int = 200, temperature: float = 0.8, sample_seed: int = 0) -> str:
        """`n_chars` characters that the model of `variant` trained on seeds[seed_index] writes
        after `prompt`, one at a time, each drawn from its predicted distribution sharpened by
        `temperature` (1: as predicted; lower: more likely characters more often)."""
        (variant,) = check_choices("variant", (variant,), self.variants)
        seed_index = check_int("seed_index", seed_index, minimum=0, maximum=len(self.seeds) - 1)
        n_chars = check_int("n_chars", n_chars, maximum=5000)
        temperature = check_float("temperature", temperature, positive=True)
        ids = self.corpus.encode(prompt).tolist()
        if not ids:
            raise ValueError("prompt must have at least one character")
        model, rows = self.models[variant]
        row = rows[seed_index]
        gen = torch.Generator().manual_seed(check_seed(sample_seed))
        T = CHAR_MODEL["seq_len"]
        model.eval()
        with torch.no_grad():
            for _ in range(n_chars):
                context = torch.tensor(ids[-T:]).expand(model.n_models, 1, -1)
                logits = model(context)[row, 0, -1] / temperature
                ids.append(int(torch.multinomial(logits.softmax(-1), 1, generator=gen)))
        return self.corpus.decode(ids)


def _groups(variants: Sequence[str], connection: Connection | None) -> list[list[str]]:
    """Variants that train as one batched computation: one placement family each, and the
    ones a student's connection wires apart from the ones it cannot (DeepNorm, no skip)."""
    groups: dict[tuple[str, bool], list[str]] = {}
    for v in variants:
        placement, skip, _ = VARIANTS[v]
        wired = connection is not None and skip and placement != "deepnorm"
        groups.setdefault(("pre" if placement == "pre" else "post", wired), []).append(v)
    return list(groups.values())


def train_char_models(corpus: CharCorpus | None = None, *,
                      variants: Sequence[str] = tuple(VARIANTS), seed: int = 0,
                      n_seeds: int = 3, steps: int = TRAINING["steps"],
                      lr: float = TRAINING["lr"], connection: Connection | None = None,
                      eval_every: int = 40,
                      progress: bool = True) -> CharModelRuns:
    """Train the CHAR_MODEL of every variant on seeds seed, seed + 1, ... on `corpus` (the
    standard library's documentation by default), as TRAINING says (`steps` and `lr` may
    change its number of steps and its learning rate). For one seed every variant
    starts from the weights that seed gives its wiring and sees the same mini-batches.

    connection: a function (x, sublayer, norm, placement) -> y that the post-norm and pre-norm
    models use for every residual sub-layer instead of the course's own (DeepNorm and the
    models without skips keep the course's).
    """
    note_run("train_char_models")
    corpus = char_corpus() if corpus is None else corpus
    if not isinstance(corpus, CharCorpus):
        raise TypeError(f"corpus must be a CharCorpus (course_utils.char_corpus()), got "
                        f"{type(corpus).__name__}")
    variants = check_choices("variants", variants, tuple(VARIANTS))
    seeds = seed_range(seed, n_seeds)
    steps = check_int("steps", steps)
    lr = check_float("lr", lr, positive=True, maximum=1.0)
    eval_every = check_int("eval_every", eval_every, maximum=100_000)
    if connection is not None:
        check_callable("connection", connection, "a function (x, sublayer, norm, placement) -> y")
    T, V = CHAR_MODEL["seq_len"], corpus.vocab_size
    X, Y = corpus.train[:-1].unfold(0, T, 1), corpus.train[1:].unfold(0, T, 1)   # views, no copy
    final_x, final_y = evaluation_windows(corpus)
    curve_x, curve_y = final_x[::4], final_y[::4]
    result = CharModelRuns(corpus, seeds, lr, steps, {}, [], {}, {}, {}, {}, {},
                           ngram_bits(corpus, final_x, final_y),
                           "yours" if connection is not None else "the course's")
    groups = _groups(variants, connection)
    with progress_bar(len(groups) * steps, "training 12-layer character models",
                      enabled=progress) as bar:
        for group in groups:
            wired = connection is not None and VARIANTS[group[0]][1] and VARIANTS[group[0]][0] != "deepnorm"
            models = [char_model(v, V, seed=s) for v in group for s in seeds]
            model = BatchedTransformer(models, connection=connection if wired else None)
            n = len(models)
            curves, grads, checkpoints = [], [], []

            def monitor(step: int, m: BatchedTransformer) -> None:
                checkpoints.append(step + 1)
                grads.append(gradient_norm_by_layer(m))
                curves.append(bits_per_character(m, curve_x, curve_y))

            trained = train_batched(
                model, X.expand(n, *X.shape), Y.expand(n, *Y.shape), seeds=list(seeds) * len(group),
                steps=steps, batch_size=TRAINING["batch_size"], lr=lr,
                optimizer="adam", weight_decay=0.0,
                warmup_steps=[VARIANTS[v][2] for v in group for _ in seeds],
                progress=bar, monitor=monitor, monitor_every=eval_every)
            result.checkpoints = checkpoints
            final = bits_per_character(model, final_x, final_y)
            trace: list = []
            with torch.no_grad():
                model(final_x[:64].expand(n, 64, T), trace)
            stream = torch.stack([x for x, _ in trace], dim=1)          # (n, 2 n_layers)
            branch = torch.stack([f for _, f in trace], dim=1)
            curve, grad = torch.stack(curves, dim=1), torch.stack(grads, dim=1)
            k = len(seeds)
            for i, v in enumerate(group):
                rows = list(range(i * k, (i + 1) * k))
                result.runs[v] = trained.select(rows)
                result.curve_bits[v] = curve[rows]
                result.gradient_norms[v] = grad[rows]
                result.final_bits[v] = final[rows]
                result.stream_rms[v] = stream[rows]
                result.branch_ratio[v] = branch[rows] / stream[rows]
                result.models[v] = (model, rows)
    result.final_bits = {v: result.final_bits[v] for v in variants}   # in the order asked
    return result
