"""The checkers' way of seeing delegation (framework.watching_calls) puts back every function it
watched, whatever the answer did, so that a check never changes torch or the course for the
student's next cell."""

import torch
from torch import nn

import course_utils
from course_utils import check
from course_utils.exercises.framework import course_functions, watching_calls
from course_utils.zoo import HighwayBlock

from answers import residual_math, zoo


def _watched_now():
    return {"torch.autograd.grad": torch.autograd.grad, "Tensor.backward": torch.Tensor.backward,
            "torch.func.jacrev": torch.func.jacrev,
            "jacobian": torch.autograd.functional.jacobian,
            "cu.mlp_branch": course_utils.mlp_branch,
            "blocks.mlp_branch": course_utils.blocks.mlp_branch,
            "HighwayBlock.forward": HighwayBlock.forward,
            "HighwayBlock.__init__": HighwayBlock.__init__}


def test_every_watched_function_is_put_back_after_a_check_whatever_the_answer_did():
    before = _watched_now()
    answers = [(name, answer) for name in ("residual_jacobian_by_hand", "general_highway_block")
               for answer, _ in (residual_math.WRONG | zoo.WRONG)[name]]
    for name, answer in answers:
        check(name, answer)
    assert _watched_now() == before


def test_a_watched_method_is_noted_and_leaves_no_attribute_behind():
    class Child(HighwayBlock):
        pass

    with watching_calls([(HighwayBlock, "forward", "HighwayBlock"),
                         (Child, "forward", "Child")]) as used:   # inherited: not watched there
        Child(4)(torch.zeros(1, 4))
    assert used == ["HighwayBlock"] and "forward" not in vars(Child)


def test_the_course_s_functions_are_watched_where_cu_exports_them_and_where_they_live():
    targets = {(getattr(owner, "__name__", owner), name) for owner, name, _ in course_functions()}
    assert ("course_utils", "mlp_branch") in targets
    assert ("course_utils.blocks", "mlp_branch") in targets
    assert not any(module.startswith("course_utils.exercises") for module, _ in targets)
    with watching_calls(course_functions()) as used:
        course_utils.blocks.mlp_branch(3, norm="none")(torch.zeros(2, 3))
        nn.Linear(3, 3)
    assert used == ["cu.mlp_branch"]
