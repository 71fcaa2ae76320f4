"""The design exercise of notebook 04: a warm-up of at most 60 steps, not section 5's 100, that
makes section 5's 6-layer post-norm transformer train with Adam at the large rate 1e-2, where
without warm-up it stays near guessing (its verdicts are swept like claims:
benchmarks/design_sweep.py)."""

from __future__ import annotations

import math
import statistics
from numbers import Real
from typing import Any

import torch
import torch.nn.functional as F

from .. import training
from ..batched import BatchedOptimizer, BatchedTransformer
from ..data import reverse_task
from ..experiments.placement import WARMUP, reverser
from ..experiments.seeds import stacked
from ..progress_bars import progress_bar
from .framework import (Exercise, Incorrect, call_student, checker_stderr, course_functions,
                        expect_function, heartbeat, refuse_course_code, watching_calls)

# ---------------------------------------------------------------------------------------------
# Reference solution: `solution()` shows exactly this code.


def schedule(step):
    # geometric: 1 % of the rate at step 0, times the same ratio (100^(1/59), about 1.08) every
    # step, the full rate at step 59 and from then on
    return min(1.0, 0.01 * 100 ** (step / 59))


# ---------------------------------------------------------------------------------------------
# The checker: section 5's setting (WARMUP), the student's schedule instead of its linear warm-up.

WARMUP_STEPS, WARMUP_LR, WARMUP_BATCH = WARMUP["steps"], WARMUP["lr"], WARMUP["batch_size"]
WARMUP_LOSS = 0.5                   # section 5's claims: with warm-up, below 0.5;
NEAR_GUESSING = 2.3                 # without, above 2.3
WARMUP_PEAK_BY = 59                 # the schedule must reach the full rate by this step: a
                                    # warm-up of at most 60 steps (section 5's takes 100)
WARMUP_SEED = 0                     # the check trains section 5's stacks: seeds 0, 1, 2
WARMUP_SEEDS = 3
GUESSING = math.log(16)             # the reversal task has 16 symbols


_WRITES = "Write the schedule yourself, as a formula in `step`."


def _factors(answer: Any) -> list[float]:
    """schedule(0), ..., schedule(WARMUP_STEPS - 1) as floats; Incorrect for anything that is not
    a factor between 0 and 1, or for a schedule that hands the work to the course's code."""
    refuse_course_code(answer, "schedule", writes=_WRITES)
    factors = []
    course = course_functions() + [(training, "_warmup_factor", "cu.training._warmup_factor")]
    for step in range(WARMUP_STEPS):
        with watching_calls(course) as used:
            value = call_student(answer, step, what=f"schedule({step})", names=("step",))
        if used:
            raise Incorrect(f"Your schedule calls {used[0]}, the course's own code. {_WRITES}")
        if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.dtype.is_complex:
            value = value.item()
        if isinstance(value, bool) or not isinstance(value, Real):
            raise Incorrect(f"schedule({step}) returned {type(value).__name__} {value!r:.60}; "
                            "return a number: the factor the learning rate 1e-2 is multiplied by "
                            "at that step.")
        value = float(value)
        if not math.isfinite(value):
            raise Incorrect(f"schedule({step}) returned {value}; the factor must be a finite "
                            "number between 0 and 1.")
        if value < 0:
            raise Incorrect(f"schedule({step}) returned {value:.3g}: a negative learning rate "
                            "would climb the loss. Keep the factor between 0 and 1.")
        if value > 1 + 1e-6:
            raise Incorrect(f"schedule({step}) returned {value:.3g}, above 1: the learning rate "
                            "would pass its peak of 1e-2. Keep the factor between 0 and 1.")
        factors.append(min(value, 1.0))
    return factors


def _peak_step(factors: list[float]) -> int | None:
    return next((step for step, f in enumerate(factors) if f >= 1 - 1e-6), None)


def _train(factors: list[float], seeds: list[int]) -> list[float]:
    """Train section 5's post-norm stacks (one per seed, as one batched computation) with Adam
    at WARMUP_LR * factors[step], as cu.warmup_study trains them (same weights, same
    mini-batches); each seed's final training loss (mean of its last 25 steps, as section 5
    reports it; inf if it diverged)."""
    X, y = stacked([reverse_task(4096, seed=s) for s in seeds])      # (n, 4096, 12) each
    model = BatchedTransformer([reverser("post", seed=s) for s in seeds])
    model.train()
    opt = BatchedOptimizer(model.parameters(), kind="adam", weight_decay=0.0)
    n, rows = len(seeds), torch.arange(len(seeds)).unsqueeze(1)
    generators = [torch.Generator().manual_seed(s) for s in seeds]
    alive = torch.ones(n, dtype=torch.bool)
    losses = []
    with progress_bar(WARMUP_STEPS, "training your schedule on three stacks",
                      file=checker_stderr()) as bar:
        beat = heartbeat(bar)
        for factor in factors:
            idx = torch.stack([torch.randint(0, X.shape[1], (WARMUP_BATCH,), generator=g)
                               for g in generators])                   # (n, batch)
            logits = model(X[rows, idx])                                # (n, batch, T, 16)
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                   y[rows, idx].reshape(-1), reduction="none")
            loss = loss.view(n, -1).mean(dim=1)                         # (n,)
            alive &= torch.isfinite(loss.detach())
            losses.append(torch.where(alive, loss.detach(), math.inf))
            opt.zero_grad()
            torch.where(alive, loss, 0.0).sum().backward()
            opt.step(WARMUP_LR * factor * alive)
            beat.update(1)
    return torch.stack(losses, dim=1)[:, -25:].mean(dim=1).tolist()


def _why_not(factors: list[float], middle: float) -> str:
    """Why a schedule that reaches the peak in time still leaves the stacks unable to learn."""
    if math.isinf(middle):
        stuck = "the loss overflowed on most seeds"
    elif middle > NEAR_GUESSING:
        stuck = (f"the stacks stay near guessing (median loss {middle:.2f}; guessing gives "
                 f"ln 16 = {GUESSING:.2f}), like post-norm without warm-up in section 5")
    else:
        stuck = (f"the stacks barely learn (median loss {middle:.2f}; guessing gives ln 16 = "
                 f"{GUESSING:.2f}; section 5's warm-up gets below {WARMUP_LOSS})")
    peak = _peak_step(factors)
    held = sum(f >= 0.5 for f in factors[peak:])
    if factors[0] >= 0.5:
        if min(factors) >= 1 - 1e-6:
            start = "keeps the full rate from the first step: no warm-up, and"
        else:
            falls = " and goes down from there" if factors[-1] < factors[0] else ""
            start = f"starts at {factors[0]:.0%} of the full rate{falls}:"
        return (f"Your schedule {start} {stuck}. Adam's very first step moves every weight by "
                "the full learning rate, whatever the size of its gradient, and without a small "
                "start these stacks do not learn (why is debated: section 5's notes). Start "
                "small, then rise to 1.")
    if held < 50:
        return (f"Your schedule reaches the full rate at step {peak} but leaves it right away: "
                f"only {held} of the {WARMUP_STEPS - peak} steps from there on use half the rate "
                f"or more, and {stuck}. After the warm-up, the stacks need steps at (or near) the "
                "full rate to learn.")
    return (f"{stuck[0].upper()}{stuck[1:]}. Your schedule reaches the full rate at step {peak}, "
            "within the limit; what is left to change is how low it starts and how fast it "
            "rises. Compare its factors at steps 0, 5, 20 and 40 with those of a linear and of a "
            "geometric rise over 60 steps.")


def warmup_verdict(answer: Any, seed: int = WARMUP_SEED) -> str:
    """Train section 5's 6-layer post-norm transformers (seeds seed, seed + 1, seed + 2) with
    Adam at lr 1e-2 * answer(step) for 200 steps, and return the success message; raise
    Incorrect saying why not."""
    expect_function(answer, "schedule(step)")
    factors = _factors(answer)
    peak = _peak_step(factors)
    if peak is None:
        raise Incorrect(f"Your schedule never reaches 1 (its largest factor is "
                        f"{max(factors):.3g}), so the learning rate never reaches 1e-2. A smaller "
                        "rate is another fix (section 5's Explore), not this exercise: train at "
                        f"the large rate, reaching the factor 1 by step {WARMUP_PEAK_BY}.")
    if peak > WARMUP_PEAK_BY:
        raise Incorrect(f"Your schedule reaches the full rate only at step {peak}: the exercise "
                        f"asks for a warm-up of at most {WARMUP_PEAK_BY + 1} steps, the factor 1 "
                        f"by step {WARMUP_PEAK_BY}. Section 5's takes 100; make yours shorter.")
    losses = _train(factors, list(range(seed, seed + WARMUP_SEEDS)))
    middle = statistics.median(losses)
    if middle >= WARMUP_LOSS:
        raise Incorrect(_why_not(factors, middle))
    return (f"median training loss {middle:.3f} after {WARMUP_STEPS} steps on three seeds "
            f"(guessing: {GUESSING:.2f}), the rate reaching its peak 1e-2 at step {peak}, where "
            "section 5's warm-up takes 100 steps; without a warm-up these post-norm stacks stay "
            "near guessing.")


def _check_warmup(answer: Any) -> str:
    return warmup_verdict(answer)


EXERCISES = [
    Exercise(
        name="warmup",
        kind="design",
        task="write schedule(step): the factor (between 0 and 1) by which Adam's learning rate "
             "1e-2 is multiplied at step 0, 1, ..., 199, reaching 1 by step 59 (a warm-up of at "
             "most 60 steps, where section 5's takes 100), so that section 5's 6-layer post-norm "
             "transformer learns the reversal task: median training loss below 0.5 on three "
             "seeds.",
        checker=_check_warmup,
        hints=(
            "Adam's very first step moves every weight by the full learning rate, whatever the "
            "size of its gradient (its bias-corrected update is lr g / |g|), and the next few by "
            "nearly as much while the gradient keeps its sign. A shorter warm-up must still "
            "start small and end at 1, with fewer steps to rise in between, and then stay at "
            "(or near) 1.",
            "Compare a straight line with a rise that multiplies the factor by the same ratio "
            "every step: what fraction of the full rate does each use at steps 5, 20 and 40?",
            "A geometric rise from 1 % at step 0 to 1 at step 59, then 1: `return min(1.0, 0.01 "
            "* 100 ** (step / 59))`. A straight line over 60 steps, `min(1.0, (step + 1) / 60)`, "
            "also passes the check.",
        ),
        reference=schedule,
        seconds=30.0,
    ),
]
