"""Predict exercises: say what an experiment will show before it runs, then compare.

In the notebook, a cell above the experiment holds the student's prediction,

    cu.predict("plain_56_loss", None)        # replace None with your number, run, then go on

and a cell below it compares the prediction with what was measured,

    cu.check("plain_56_loss", deg)           # deg: the experiment's result

A prediction is a number (right within a stated tolerance) or an ordering of three or more items
(right when it is the measured order). None, as after *Run All*, records nothing: the check then
says "not attempted" and shows what was measured and why. A prediction recorded after the
experiment first ran in this kernel (`course_utils.run_log`) is judged all the same, and the
feedback says that it came after the result. Predictions live in this Python process only; the
progress record notes whether one was made before the run.

Neither `predict` nor the check touches a random generator or the result: a cell made only of
these calls cannot change what the notebook's claims measure (benchmarks/claims.py leaves such
cells out of a notebook's code fingerprint).
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

from ..plotting import TEXT_COLOURS
from ..run_log import first_run
from .framework import Exercise, Incorrect, NotAttempted


@dataclass(frozen=True)
class Recorded:
    """A prediction as recorded: its value (a float, or a tuple of item names) and when."""

    value: Any
    at: float


_RECORDED: dict[str, Recorded] = {}


@dataclass(frozen=True)
class Prediction:
    """What a predict exercise asks and how its answer is measured.

    Attributes:
        name: the exercise's name.
        question: the question, as the notebook asks it.
        experiment: the name of the function whose result is measured (as `run_log` notes it).
        result_type: the class of that function's result.
        result_name: how the notebook names that result (for the feedback on a wrong argument).
        measure: result -> the measured number, or {item: value} for an ordering.
        explain: (result, measured) -> why the result is what it is, in a few sentences.
        items: for an ordering, the items to rank (from the largest value down); else ().
        low, high: the range a number may take (a prediction outside it is not recorded).
        tolerance: for a number, how far from the measured value a prediction may be.
        unit: for a number, its unit as the feedback prints it ("" for none).
        reference: a right prediction (for the tests and the solution).
        reasoning: the solution's comment: how to get there.
        hints: from the idea to nearly the answer.
    """

    name: str
    question: str
    experiment: str
    result_type: type
    result_name: str
    measure: Callable[[Any], Any]
    explain: Callable[[Any, Any], str]
    items: tuple[str, ...] = ()
    low: float = -math.inf
    high: float = math.inf
    tolerance: float = 0.0
    unit: str = ""
    reference: Any = None
    reasoning: str = ""
    hints: tuple[str, ...] = ()

    @property
    def ordering(self) -> bool:
        return bool(self.items)

    def what(self) -> str:
        """What a prediction must be, in words."""
        if self.ordering:
            listed = ", ".join(repr(item) for item in self.items)
            return f"a list of the {len(self.items)} items {listed}, in your order (largest first)"
        return f"a number from {_number(self.low)} to {_number(self.high)}{self._unit()}"

    def _unit(self) -> str:
        return f" {self.unit}" if self.unit else ""

    def parse(self, value: Any) -> Any:
        """The prediction in canonical form; ValueError saying what is expected otherwise."""
        if self.ordering:
            if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
                raise ValueError(f"an ordering is {self.what()}, e.g. {list(self.items)!r} in "
                                 "the order you predict")
            canonical = {_key(item): item for item in self.items}
            named = [canonical.get(_key(entry)) if isinstance(entry, str) else None for entry in value]
            unknown = [entry for entry, item in zip(value, named) if item is None]
            if unknown:
                raise ValueError(f"{unknown[0]!r} is not one of the items; rank exactly these: "
                                 f"{list(self.items)!r}")
            if sorted(named) != sorted(self.items):
                missing = [item for item in self.items if item not in named]
                raise ValueError(f"rank each item once: {missing[0]!r} is missing" if missing
                                 else "rank each item once: one of them appears twice")
            return tuple(named)
        if isinstance(value, bool) or not isinstance(value, Real):
            raise ValueError(f"a prediction here is {self.what()}, not {type(value).__name__}")
        number = float(value)
        if not math.isfinite(number) or not self.low <= number <= self.high:
            raise ValueError(f"{value!r} is outside the range this quantity can take: give "
                             f"{self.what()}")
        return number

    def shown(self, value: Any) -> str:
        if self.ordering:
            return " > ".join(value)
        return f"{_number(value)}{self._unit()}"

    def judge(self, result: Any) -> str:
        """The checker: compares the recorded prediction with `result`."""
        if not isinstance(result, self.result_type):
            raise Incorrect(f"cu.check({self.name!r}, ...) compares your prediction with the "
                            f"experiment's result: pass `{self.result_name}` (the result of "
                            f"cu.{self.experiment}), not a {type(result).__name__}.")
        measured = self.measure(result)
        if self.ordering:
            order = tuple(sorted(self.items, key=lambda item: -measured[item]))
            truth = " > ".join(f"{item} ({_number(measured[item])})" for item in order)
        else:
            order, truth = measured, f"{_number(measured)}{self._unit()}"
        why = self.explain(result, measured)
        recorded = _RECORDED.get(self.name)
        if recorded is None:
            raise NotAttempted(f"Write yours in place of None in the prediction cell, run it, "
                               f"then this check. Measured: {truth}. {why}")
        started = first_run(self.experiment)
        before = started is None or recorded.at < started
        from ..student_record import record_prediction

        record_prediction(self.name, before)
        late = ("" if before else " (You recorded it after the experiment had run, so it shows "
                "how well you read the result rather than what you expected.)")
        if self.ordering:
            right = recorded.value == order
            verdict = (f"You predicted {self.shown(recorded.value)}; measured {truth}.{late}")
        else:
            right = abs(recorded.value - measured) <= self.tolerance
            gap = f"{_number(self.tolerance)} {'points' if self.unit == '%' else self.unit}".strip()
            verdict = (f"You predicted {self.shown(recorded.value)}; measured {truth}: "
                       f"{'within' if right else 'more than'} {gap} {'of' if right else 'from'} "
                       f"it.{late}")
        if not right:
            raise Incorrect(f"{verdict} {why}")
        return f"{verdict} {why}"

    def exercise(self) -> Exercise:
        source = f'cu.predict("{self.name}", {self.reference!r})   # {self.reasoning}'
        return Exercise(self.name, f"predict {self.question}", self.judge, self.hints,
                        self.reference, reference_source=source, kind="predict")


def _key(text: str) -> str:
    return " ".join(text.lower().replace(",", " ").split())


def _number(value: float) -> str:
    if isinstance(value, float) and math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


@dataclass(frozen=True)
class PredictionNote:
    """What `predict` did: recorded the prediction, or why not."""

    name: str
    recorded: bool
    message: str

    def __str__(self) -> str:
        return f"{'✎' if self.recorded else '…'} {self.name}: {self.message}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = TEXT_COLOURS["right"] if self.recorded else TEXT_COLOURS["muted"]
        return (f"<div style='border-left:4px solid {colour};padding:4px 10px;margin:4px 0'>"
                f"{html.escape(str(self))}</div>")


def predict(name: str, value: Any) -> PredictionNote:
    """Record your prediction for the predict exercise `name`, before its experiment runs.

    Args:
        name: the exercise, e.g. "plain_56_loss".
        value: your prediction: a number, or a list ordering the exercise's items (largest
            first). None records nothing (and forgets an earlier prediction of this kernel).

    Returns a note saying what was recorded, or why nothing was (a value of the wrong kind or
    out of range); it never raises because of `value`.
    """
    from . import get_exercise

    exercise = get_exercise(name)
    if exercise.kind != "predict":
        raise ValueError(f"{name!r} is a {exercise.kind} exercise, not a prediction; "
                         f"cu.check({name!r}, your_answer) checks it")
    spec = PREDICTIONS[name]
    if value is None or value is Ellipsis:
        _RECORDED.pop(name, None)
        return PredictionNote(name, False, f"nothing recorded yet: replace None with "
                                           f"{spec.what()}, then run this cell again.")
    try:
        parsed = spec.parse(value)
    except ValueError as problem:
        _RECORDED.pop(name, None)
        return PredictionNote(name, False, f"not recorded: {problem}.")
    _RECORDED[name] = Recorded(parsed, time.monotonic())
    after = first_run(spec.experiment) is not None
    unit = (f"(In %: did you mean {parsed * 100:g} %? Then record {parsed * 100:g}.) "
            if spec.unit == "%" and 0 < parsed < 1 else "")
    return PredictionNote(name, True, f"recorded: {spec.shown(parsed)}. {unit}"
                          + ("The experiment has already run in this kernel, so the check will "
                             "say so." if after else "Now run the experiment, then the check."))


def forget_predictions() -> None:
    """Forget every recorded prediction (for the tests)."""
    _RECORDED.clear()


# ---------------------------------------------------------------------------------------------
# The course's predictions, one per notebook.

def _plain_56(result: Any) -> float:
    if 56 not in result.n_layers or 8 not in result.n_layers:
        raise Incorrect("this prediction is about section 3's study of 8- and 56-layer nets: "
                        "pass the `deg` it makes")
    return result.median_final_loss(False, 56)


def _explain_plain_56(result: Any, measured: float) -> str:
    return (f"Guessing gives ln 2 ≈ 0.69: the 56-layer plain net has not learned to tell the "
            f"spirals apart, while the 8-layer plain net reached {result.median_final_loss(False, 8):.2f} "
            f"and the 56-layer residual net {result.median_final_loss(True, 56):.2f}. In He et "
            "al.'s ImageNet experiment the deeper plain net was only a little worse (0.6 points of "
            "ImageNet top-1 error, 34 against 18 layers; their CIFAR-10 plain-110 erred above "
            "60 %); here it hardly learns at all in 300 steps (the text below the figure says why "
            "ours is more extreme).")


def _smoothness(result: Any) -> dict[str, float]:
    wanted = {"plain, depth 1": ("plain", 1), "plain, depth 4": ("plain", 4),
              "residual, depth 50": ("residual", 50), "plain, depth 24": ("plain", 24)}
    missing = [depth for _, depth in wanted.values() if depth not in result.depths]
    if missing:
        raise Incorrect(f"this prediction needs depths 1, 4, 24 and 50: pass section 6's "
                        f"`shattered` (yours lacks depth {missing[0]})")
    return {item: result.at(kind, depth) for item, (kind, depth) in wanted.items()}


def _explain_smoothness(result: Any, measured: dict[str, float]) -> str:
    return ("A plain net's gradient decorrelates with depth, though at first more slowly than "
            f"2^-L suggests: at depth 4 its autocorrelation is still {measured['plain, depth 4']:.2f}, "
            f"at depth 24 it is {measured['plain, depth 24']:.2f}, noise. In the residual net every "
            "block adds its part to the identity's, so even 50 blocks leave much of the smooth, "
            "shallow gradient in place. (The theorems are about the gradients at two inputs, in "
            "nets they idealise: trust their shapes, not their values.)")


def _batchnorm_2(result: Any) -> float:
    if 2 not in result.batch_sizes or "batch" not in result.error:
        raise Incorrect("this prediction is about section 5's study at batch size 2: pass the "
                        "`small_batch` it makes")
    return result.median("batch")[list(result.batch_sizes).index(2)]


def _explain_batchnorm_2(result: Any, measured: float) -> str:
    sizes = list(result.batch_sizes)
    largest = result.median("batch")[sizes.index(max(sizes))]
    per_sample = [e for norm in ("group", "layer") if norm in result.error for e in result.median(norm)]
    others = (f", while GroupNorm's and LayerNorm's stay at or below {max(per_sample):.1f} % at every "
              "batch size" if per_sample else "")
    return (f"BatchNorm's error rises from {largest:.1f} % at batch {max(sizes)} to {measured:.1f} % "
            f"at batch 2 (guessing gives 50 %){others}. With two samples, a feature's batch mean "
            "is their average and its biased variance the square of half their difference, so in "
            "training BatchNorm normalises each feature to +1 or -1 (up to eps, before gamma and "
            "beta): only which of the two samples is larger survives, and from the first layer on "
            "each point is seen only relative to its random partner. The network learns from "
            "that; at test time it meets the running statistics instead.")


def _output_change(result: Any) -> dict[str, float]:
    if 16 not in result.depths:
        raise Incorrect("this prediction is about 16 layers: pass section 6's `changes`")
    at = list(result.depths).index(16)
    return {label: result.median(p)[at]
            for p, label in (("post", "post-norm"), ("pre", "pre-norm"), ("deepnorm", "DeepNorm"))}


def _explain_output_change(result: Any, measured: dict[str, float]) -> str:
    return ("This is Liu et al.'s amplification effect: a post-norm layer leans heavily on its "
            "branch, so a small change of the parameters changes the output a lot, and more so "
            "with depth. DeepNorm was designed to bound the update: alpha up-weights the skip and "
            "beta starts the branches small. Pre-norm, whose skip carries x past every branch, "
            "lies in between here.")


def _zoo_gradient(result: Any) -> dict[str, float]:
    missing = [key for key in ("plain", "resnet", "rezero") if key not in result.gradient]
    if missing:
        raise Incorrect("pass the `comparison` of section 1 (cu.zoo_comparison), which stacks "
                        "every block of the zoo")
    return {"plain (BatchNorm, no skip)": result.ratio("plain"),
            "ResNet basic (BatchNorm + skip)": result.ratio("resnet"), "ReZero": result.ratio("rezero")}


def _explain_zoo_gradient(result: Any, measured: dict[str, float]) -> str:
    return ("ReZero's branches start at alpha = 0, so its stack is exactly the identity and the "
            "gradient arrives unchanged (ratio 1). BatchNorm's backward pass amplifies gradients "
            "at initialisation (Yang et al. 2019; notebook 01): without a skip every block multiplies that in, while the ResNet "
            "block's identity path carries part of the gradient past each BatchNorm, so it grows "
            "less.")


def _post_norm_bits(result: Any) -> float:
    if "post-norm" not in result.variants:
        raise Incorrect("pass section 4's `runs`, which trains the post-norm model")
    return result.median_bits("post-norm")


def _explain_post_norm_bits(result: Any, measured: float) -> str:
    base = result.baselines
    return (f"The unigram baseline, which only knows how often each character occurs, scores "
            f"{base['unigram']:.2f}; the bigram {base['bigram']:.2f}; pre-norm "
            f"{result.median_bits('pre-norm'):.2f}. Post-norm at 12 layers, at this learning rate "
            "and without warm-up, learns the characters' frequencies and little more: it stays "
            "near the unigram.")


def _prediction_specs() -> list[Prediction]:
    from ..experiments.char_models import CharModelRuns
    from ..experiments.deep_stacks import DegradationResult
    from ..experiments.placement import OutputChangeByDepth
    from ..experiments.shattered import ShatteringResult
    from ..experiments.small_batch import SmallBatchResult
    from ..zoo import ZooComparison

    return [
        Prediction(
            "plain_56_loss", "the 56-layer plain net's training loss after 300 steps (median over "
            "the seeds)", "degradation", DegradationResult, "deg", _plain_56, _explain_plain_56,
            low=0.0, high=5.0, tolerance=0.15, reference=0.69,
            reasoning="about what guessing gives: a 56-layer plain net hardly trains",
            hints=("He et al.'s deeper plain net trained worse than the shallower one. Is 'a bit "
                   "worse' or 'not at all' more likely for a 56-layer stack of small layers "
                   "trained for only 300 steps?",
                   "Section 2 measured what the gradient does in a deep plain BatchNorm stack "
                   "at initialisation: the first layers get a gradient more than 10^4 times the "
                   "last one's. What does that do to SGD's first steps?",
                   "A net that does not learn predicts both classes with probability 1/2: its "
                   "loss is ln 2 ≈ 0.69.")),
        Prediction(
            "gradient_smoothness", "which net's gradient along the grid is smoothest: rank them "
            "by lag-1 autocorrelation, highest first", "shattering", ShatteringResult, "shattered",
            _smoothness, _explain_smoothness,
            items=("plain, depth 1", "plain, depth 4", "plain, depth 24", "residual, depth 50"),
            reference=["plain, depth 1", "plain, depth 4", "residual, depth 50", "plain, depth 24"],
            reasoning="depth shatters a plain net's gradient, though not at once; a residual net's slowly",
            hints=("Which of the two decay rates above, 2^-L or 1/sqrt(L), is faster? And where "
                   "does a depth-1 net, with nothing to decay yet, stand?",
                   "The theorems are about two inputs' gradients, not neighbours on a grid, and "
                   "about idealised nets: they give the shape of the decay, not its values. A few "
                   "plain layers need not shatter much yet; 24 have had time to.",
                   "Plain at depth 1, plain at depth 4, residual at depth 50, plain at depth 24.")),
        Prediction(
            "batchnorm_at_batch_2", "BatchNorm's test error at batch size 2 (median over the "
            "seeds, in %)", "small_batch_study", SmallBatchResult, "small_batch", _batchnorm_2,
            _explain_batchnorm_2, low=0.0, high=100.0, tolerance=15.0, unit="%", reference=35.0,
            reasoning="far worse than at batch 32, though better than guessing (50 %)",
            hints=("At batch 2, what are the batch mean and variance of one feature? How much "
                   "do they say about the whole data?",
                   "At test time BatchNorm uses running averages of those noisy training "
                   "statistics, and the network was trained to expect the noisy ones.",
                   "Expect a collapse, not a few points: between the paper's 34.7 % and "
                   "guessing's 50 %.")),
        Prediction(
            "output_change_order", "how far one Adam step moves a 16-layer model's output: rank "
            "the three wirings, largest change first", "output_change_by_depth", OutputChangeByDepth,
            "changes", _output_change, _explain_output_change,
            items=("post-norm", "pre-norm", "DeepNorm"),
            reference=["post-norm", "pre-norm", "DeepNorm"],
            reasoning="post-norm amplifies updates, DeepNorm damps them",
            hints=("Which wiring re-normalises the stream after every branch, so that each layer's "
                   "output leans on its branch (Liu et al.'s amplification effect)?",
                   "DeepNorm was designed to bound the model's update; pre-norm has no such "
                   "design but keeps x on the skip.",
                   "Post-norm, then pre-norm, then DeepNorm.")),
        Prediction(
            "gradient_order", "the gradient at the input of a 16-block stack, relative to the "
            "output's: rank the three stacks, largest first", "zoo_comparison", ZooComparison,
            "comparison", _zoo_gradient, _explain_zoo_gradient,
            items=("plain (BatchNorm, no skip)", "ResNet basic (BatchNorm + skip)", "ReZero"),
            reference=["plain (BatchNorm, no skip)", "ResNet basic (BatchNorm + skip)", "ReZero"],
            reasoning="BatchNorm amplifies the gradient backwards, a skip limits that, ReZero is the identity",
            hints=("What is a ReZero block at initialisation, with alpha = 0?",
                   "Notebook 01 section 2: what did BatchNorm do to a deep plain stack's "
                   "gradient, and what did the skip change?",
                   "Plain BatchNorm stack first, ResNet blocks second, ReZero (exactly 1) last.")),
        Prediction(
            "post_norm_bits", "the post-norm model's validation bits per character after 360 "
            "steps (median over the seeds)", "train_char_models", CharModelRuns, "runs",
            _post_norm_bits, _explain_post_norm_bits, low=0.0, high=10.0, tolerance=0.5,
            unit="bits", reference=4.7,
            reasoning="near the unigram: at 12 layers without warm-up post-norm hardly learns",
            hints=("Notebook 04: what does a deep post-norm stack need at a large learning rate "
                   "that this one does not get?",
                   "A model that learns only how often each character occurs scores the "
                   "unigram's bits; one that learns nothing the uniform's.",
                   "Expect it to stall at about the unigram's 4.7 bits.")),
    ]


PREDICTIONS: dict[str, Prediction] = {spec.name: spec for spec in _prediction_specs()}
NOTEBOOK_OF = {"plain_56_loss": "01_highway_analogy", "gradient_smoothness": "02_residual_math",
               "batchnorm_at_batch_2": "03_layernorm_vs_batchnorm",
               "output_change_order": "04_post_norm_vs_pre_norm",
               "gradient_order": "05_architecture_zoo", "post_norm_bits": "06_capstone_small_gpt"}
EXERCISES = [spec.exercise() for spec in PREDICTIONS.values()]
