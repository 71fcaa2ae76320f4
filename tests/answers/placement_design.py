"""Starter stub and plausible wrong answers for notebook 04's design exercise, `warmup`."""

import math

import torch

from course_utils import training


def warmup_stub(step):                       # the notebook's starter cell, untouched
    raise NotImplementedError


def warmup_constant(step):                   # no warm-up: section 5's failing run
    return 1.0


def warmup_spike(step):                      # rises to the peak, then drops straight back down
    return (step + 1) / 60 if step < 60 else 0.0


def warmup_of_section_5(step):               # section 5's linear warm-up, copied: 100 steps
    return min(1.0, (step + 1) / 100)


def warmup_never_at_peak(step):              # a smaller rate (1e-3): another fix, not this exercise
    return 0.1


def warmup_late_peak(step):                  # reaches 1e-2 only at the very end
    return min(1.0, (step + 1) / 200)


def warmup_nan(step):
    return float("nan")


def warmup_negative(step):
    return -min(1.0, (step + 1) / 100)


def warmup_above_the_peak(step):             # a factor of 10: lr 0.1
    return 10 * min(1.0, (step + 1) / 100)


def warmup_a_list(step):
    return [min(1.0, (step + 1) / 100)]


def warmup_prints_the_rate(step):            # returns None: prints instead of returning
    print(min(1.0, (step + 1) / 100) * 1e-2)


def warmup_by_the_course(step):              # delegates to the course's own linear warm-up
    from course_utils import training
    return training._warmup_factor(step, 100)


def warmup_then_inverse_sqrt(step):          # a right answer: geometric, then the original
    return min(0.01 * 100 ** (step / 59), math.sqrt(60 / (step + 1)))   # Transformer's decay


def warmup_as_a_tensor(step):                # a right answer: a 0-d tensor is a number too
    return (0.01 * torch.tensor(100.0) ** (step / 59)).clamp(max=1.0)


# Every answer here whose verdict comes from training is swept (benchmarks/design_sweep.py): its
# verdict must hold on seeds 0-19 under the three roundings; the others fail before any training.
WARMUP_TRAINED = {
    "reference": ("warmup", None),
    "constant": (warmup_constant, "no warm-up"),
    "spike": (warmup_spike, "leaves it right away"),
}
WRONG = {"warmup": [
    (warmup_constant, "no warm-up"), (warmup_spike, "leaves it right away"),
    (warmup_never_at_peak, "never reaches 1"), (warmup_late_peak, "only at step 199"),
    (warmup_of_section_5, "only at step 99"),
    (warmup_nan, "finite number"), (warmup_negative, "negative learning rate"),
    (warmup_above_the_peak, "above 1"), (warmup_a_list, "returned list"),
    (warmup_prints_the_rate, "returned NoneType"),
    (warmup_by_the_course, "calls cu.training._warmup_factor"), (0.01, "Expected a function"),
    (training._warmup_factor, "schedule is cu.training._warmup_factor, the course's own code"),
]}
STUBS = {"warmup": warmup_stub}
NOT_ATTEMPTED_ALSO: list = []
RIGHT = {"warmup": [warmup_then_inverse_sqrt, warmup_as_a_tensor]}
