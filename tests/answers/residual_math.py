"""Starter stubs and plausible wrong answers for the exercises of notebook 02."""

import copy
import math

import torch
from torch.func import jacrev

from course_utils.exercises.residual_math import direct_gradient_factors


def path_count_stub(n_blocks, branches, path_length):
    raise NotImplementedError


def residual_jacobian_by_hand_stub(branch, x):
    raise NotImplementedError


def direct_gradient_factors_stub(gains):
    raise NotImplementedError


def _jacobian(f, x):
    return torch.autograd.functional.jacobian(f, x)


def _by_hand(branch, x, *, on=None, order="W2 D W1", identity=True):
    """I + W2 diag(on) W1 by hand, or a slip: another mask, another order, no identity."""
    W1, b1, W2 = branch[0].weight, branch[0].bias, branch[3].weight
    on = (W1 @ x + b1 > 0).float() if on is None else on.float()
    D = torch.diag(on)
    product = {"W2 D W1": W2 @ D @ W1, "W1 D W2": W1 @ D @ W2, "D W2 W1": D @ W2 @ W1,
               "W2 W1 D": W2 @ W1 @ D}[order]
    return torch.eye(len(x)) * identity + product


def jacobian_by_autograd(branch, x):                    # section 1's cell, pasted
    return _jacobian(lambda v: v + branch(v), x)


def jacobian_by_backward(branch, x):                    # row by row, with backward()
    rows = []
    for i in range(len(x)):
        v = x.clone().requires_grad_(True)
        (v + branch(v))[i].backward()
        rows.append(v.grad)
    return torch.stack(rows)


def jacobian_by_jacrev(branch, x):                      # a name bound before the check
    return jacrev(lambda v: v + branch(v))(x)


def jacobian_by_jacfwd(branch, x):
    import torch.func
    return torch.func.jacfwd(lambda v: v + branch(v))(x)


def jacobian_by_finite_differences(branch, x):          # central differences, in float64
    branch64, x64, eps = copy.deepcopy(branch).double(), x.double(), 1e-6
    columns = [(branch64(x64 + eps * e) - branch64(x64 - eps * e)) / (2 * eps)
               for e in torch.eye(len(x), dtype=torch.float64)]
    return torch.eye(len(x), dtype=torch.float64) + torch.stack(columns, dim=1)


def jacobian_by_course_code(branch, x):                 # the course's block, then autograd
    import course_utils as cu
    block = cu.Residual(branch)
    return torch.autograd.functional.jacobian(block, x)


def jacobian_by_course_function(branch, x):            # a course function, then the right formula
    import course_utils as cu
    cu.zero_last_linear(copy.deepcopy(branch))
    return _by_hand(branch, x)


def jacobian_by_hand_float64(branch, x):
    return _by_hand(branch, x).double()


def jacobian_by_hand_in_a_loop(branch, x):              # entry by entry, no matrix products
    W1, b1, W2 = branch[0].weight, branch[0].bias, branch[3].weight
    h = W1 @ x + b1
    J = torch.eye(len(x))
    for i in range(len(x)):
        for j in range(len(x)):
            J[i, j] += sum(W2[i, k] * W1[k, j] for k in range(len(h)) if h[k] > 0)
    return J


STUBS = {"path_count": path_count_stub, "residual_jacobian_by_hand": residual_jacobian_by_hand_stub,
         "direct_gradient_factors": direct_gradient_factors_stub}

WRONG = {
    "path_count": [
        (lambda n, b, k: math.comb(n, k), "for ONE branch per block"),
        (lambda n, b, k: math.comb(n * b, k), "take two branches of the same block"),
        (lambda n, b, k: (b + 1) ** n, "number of ALL paths"),
        (lambda n, b, k: math.comb(n, k) * b, "as if it were made in one block only"),
        (lambda n, b, k: math.comb(n, k) * (b + 1) ** k, "the skip is not one of the choices"),
        (lambda n, b, k: b ** k, "b^path_length counts the choices of branch"),
        (lambda n, b, k: math.comb(n, b) * k ** b, "branches and path_length are swapped"),
        (lambda n, b, k: math.perm(n, k) * b ** k, "counts ORDERED choices"),
        (lambda n, b, k: float(math.comb(n, k) * b ** k), "Return an exact int"),
        (lambda n, b, k: math.comb(n, k) * b ** k if b < 3 else 0, "returned 0, expected 54"),
        (lambda n, k: math.comb(n, k), "raised TypeError"),          # the two-argument count
        (lambda n, b, k: None, "returned None"),
        (lambda n, b, k: "3", "returned str"),
        (lambda n, b, k: [][0], "raised IndexError"),
    ],
    "residual_jacobian_by_hand": [
        (lambda b, x: _by_hand(b, x, identity=False), "the branch's Jacobian alone"),
        (lambda b, x: _by_hand(b, x, order="W1 D W2"), "weight matrices are swapped"),
        (lambda b, x: _by_hand(b, x).T, "transpose of the Jacobian"),
        (lambda b, x: _by_hand(b, x, on=x + b(x) > 0), "section 4's mask D"),
        (lambda b, x: _by_hand(b, x, on=b(x) > 0), "comes from the branch's output F(x)"),
        (lambda b, x: _by_hand(b, x, on=b[0].weight @ x > 0), "leaves out the first layer's bias"),
        (lambda b, x: _by_hand(b, x, on=torch.ones(len(x))), "The ReLU is missing"),
        (lambda b, x: torch.eye(len(x)) + b[3].weight @ torch.diag(torch.relu(b[0](x)))
         @ b[0].weight, "not the ReLU's output values"),
        (lambda b, x: _by_hand(b, x, order="D W2 W1"), "on the left it switches off OUTPUTS"),
        (lambda b, x: _by_hand(b, x, order="W2 W1 D"), "on the right it switches off INPUTS"),
        (lambda b, x: torch.eye(len(x)), "the identity alone"),
        (lambda b, x: 2 * _by_hand(b, x), "differs from autograd's by up to"),
        (jacobian_by_autograd, "calls torch.autograd.functional.jacobian"),
        (jacobian_by_backward, "calls .backward()"),
        (jacobian_by_jacrev, "calls torch.autograd.grad"),
        (jacobian_by_jacfwd, "calls torch.func.jacfwd"),
        (jacobian_by_course_code, "calls torch.autograd.functional.jacobian"),
        (jacobian_by_course_function, "calls cu.zero_last_linear, the course's own code"),
        (jacobian_by_finite_differences, "that is finite differences"),
        (lambda b, x: _by_hand(b, x).diagonal(), "returned shape (5,), expected (5, 5)"),
        (lambda b, x: _by_hand(b, x) * float("nan"), "NaN"),
        (lambda b, x: (x.mul_(2), _by_hand(b, x))[1], "changed its input `x` in place"),
    ],
    "direct_gradient_factors": [
        (lambda g: direct_gradient_factors(g)[:-1], "the last one, at x_L itself, is 1"),
        (lambda g: direct_gradient_factors(g)[::-1], "Reversed"),
        (lambda g: [math.prod(g[:l]) for l in range(len(g) + 1)] if len(set(g)) > 1
         else direct_gradient_factors(g), "gains BELOW layer l"),
        (lambda g: [sum(g[l:]) for l in range(len(g) + 1)], "expected 0.0625 = the product"),
        (lambda g: None, "returned None"),
        (lambda g: 0.5, "Return a list of numbers"),
    ],
}


# ----------------------------------------------------------------------------- preact_stack

def preact_stack_as_given(x, branches, final_norm):       # the notebook's cell, untouched: the bug
    for branch in branches:
        x = x + branch(x)
        x = torch.relu(final_norm(x))    # the final norm and ReLU, before the head
    return x


def preact_stack_one_line(x, branches, final_norm):       # the same bug, spelt differently
    for branch in branches:
        x = torch.relu(final_norm(x + branch(x)))
    return x


def preact_relu_removed(x, branches, final_norm):         # "fixed" by deleting the ReLU
    for branch in branches:
        x = x + branch(x)
        x = final_norm(x)
    return x


def preact_returns_in_the_loop(x, branches, final_norm):  # indented the return instead
    for branch in branches:
        x = x + branch(x)
        return torch.relu(final_norm(x))


def preact_line_deleted(x, branches, final_norm):
    for branch in branches:
        x = x + branch(x)
    return x


def preact_relu_after_add(x, branches, final_norm):       # the original block's ReLU crept back
    for branch in branches:
        x = torch.relu(x + branch(x))
    return torch.relu(final_norm(x))


def preact_relu_before_add(x, branches, final_norm):
    for branch in branches:
        x = x + torch.relu(branch(x))
    return torch.relu(final_norm(x))


def preact_relu_then_norm(x, branches, final_norm):
    for branch in branches:
        x = x + branch(x)
    return final_norm(torch.relu(x))


def preact_final_first(x, branches, final_norm):
    x = torch.relu(final_norm(x))
    for branch in branches:
        x = x + branch(x)
    return x


def preact_no_final_relu(x, branches, final_norm):
    for branch in branches:
        x = x + branch(x)
    return final_norm(x)


def preact_in_place(x, branches, final_norm):
    for branch in branches:
        x += branch(x)
    return torch.relu(final_norm(x))


def preact_detached(x, branches, final_norm):
    for branch in branches:
        x = x + branch(x)
    return torch.relu(final_norm(x)).detach()


def preact_detached_skip(x, branches, final_norm):
    for branch in branches:
        x = x.detach() + branch(x)
    return torch.relu(final_norm(x))


def preact_by_index(x, branches, final_norm):              # right, written another way
    for i in range(len(branches)):
        x = x + branches[i](x)
    x = final_norm(x)
    return torch.relu(x)


def preact_with_residual(x, branches, final_norm):         # right: the course's Residual block
    import course_utils as cu

    for branch in branches:
        x = cu.Residual(branch)(x)
    return torch.nn.functional.relu(final_norm(x))


# ----------------------------------------------------------------------------- deletable_from

def deletable_from_stub(lesion, kind="residual", cost=0.10):
    raise NotImplementedError


def _typical(lesion, kind):
    return lesion.drops(kind).median(dim=0).values


def deletable_mean(lesion, kind="residual", cost=0.10):
    typical, start = lesion.drops(kind).mean(dim=0), None
    for b in reversed(range(lesion.n_blocks)):
        if typical[b] >= cost:
            break
        start = b
    return start


def deletable_worst_seed(lesion, kind="residual", cost=0.10):
    typical, start = lesion.drops(kind).max(dim=0).values, None
    for b in reversed(range(lesion.n_blocks)):
        if typical[b] >= cost:
            break
        start = b
    return start


def deletable_first_cheap(lesion, kind="residual", cost=0.10):
    for b, drop in enumerate(_typical(lesion, kind)):
        if drop < cost:
            return b
    return None


def deletable_count(lesion, kind="residual", cost=0.10):
    return int((_typical(lesion, kind) < cost).sum())


def deletable_last_costly(lesion, kind="residual", cost=0.10):
    costly = [b for b, drop in enumerate(_typical(lesion, kind)) if drop >= cost]
    return costly[-1] if costly else None


def deletable_ignores_kind(lesion, kind="residual", cost=0.10):
    typical, start = _typical(lesion, "residual"), None
    for b in reversed(range(lesion.n_blocks)):
        if typical[b] >= cost:
            break
        start = b
    return start


def deletable_never_none(lesion, kind="residual", cost=0.10):
    typical, start = _typical(lesion, kind), lesion.n_blocks
    for b in reversed(range(lesion.n_blocks)):
        if typical[b] >= cost:
            break
        start = b
    return start


def deletable_from_accuracy(lesion, kind="residual", cost=0.10):
    typical, start = lesion.lesioned_accuracy[kind].median(dim=0).values, None
    for b in reversed(range(lesion.n_blocks)):
        if typical[b] >= cost:
            break
        start = b
    return start


def deletable_in_percent(lesion, kind="residual", cost=0.10):
    typical, start = 100 * _typical(lesion, kind), None
    for b in reversed(range(lesion.n_blocks)):
        if typical[b] >= cost:
            break
        start = b
    return start


def deletable_skips_the_last(lesion, kind="residual", cost=0.10):   # range stops one short
    typical, start = _typical(lesion, kind), None
    for b in reversed(range(lesion.n_blocks - 1)):
        if typical[b] >= cost:
            break
        start = b
    return start


def deletable_tensor_index(lesion, kind="residual", cost=0.10):   # right: a tensor index is fine
    costly = (_typical(lesion, kind) >= cost).nonzero()
    if len(costly) == 0:
        return torch.tensor(0)
    last = costly[-1, 0]
    return None if last == lesion.n_blocks - 1 else last + 1


STUBS.update({"preact_stack": preact_stack_as_given, "deletable_from": deletable_from_stub})
WRONG.update({
    "preact_stack": [
        (preact_relu_removed, "post-norm stack (notebook 04)"),
        (preact_returns_in_the_loop, "Only the first block ran"),
        (preact_line_deleted, "the final norm and ReLU are gone"),
        (preact_relu_after_add, "A ReLU still follows every add"),
        (preact_relu_before_add, "'ReLU before addition'"),
        (preact_relu_then_norm, "The last two steps are swapped"),
        (preact_final_first, "run on the input, before the blocks"),
        (preact_no_final_relu, "The final ReLU is missing"),
        (preact_in_place, "changed its input `x` in place"),
        (preact_detached, "cut off from autograd"),
        (preact_detached_skip, "the gradient at x is not"),
        (lambda x, branches, final_norm: branches(x), "raised TypeError"),
        (lambda x, branches, final_norm: x.sum(-1), "returned shape (16,), expected (16, 8)"),
    ],
    "deletable_from": [
        (deletable_mean, "You averaged over the seeds (mean)"),
        (deletable_worst_seed, "each block's worst seed (max)"),
        (deletable_first_cheap, "You returned the first cheap block"),
        (deletable_count, "You counted the cheap blocks"),
        (deletable_last_costly, "Off by one"),
        (deletable_ignores_kind, "Your answer ignores `kind`"),
        (deletable_never_none, "return None then, not the number of blocks"),
        (deletable_from_accuracy, "You used lesioned_accuracy, the accuracy LEFT"),
        (deletable_in_percent, "not a percentage"),
        (lambda lesion, kind="residual", cost=0.10: 3,
         "You returned 3 for every study, kind and cost"),
        (deletable_skips_the_last, "For the plain nets of a made-up 5-block study, seeds 31 to 33, "
                                   "cost 0.0505, you returned None; the cheap tail starts at 4"),
        (lambda lesion, kind="residual", cost=0.10: 3.0, "returned 3.0 (float)"),
        (lambda lesion, kind="residual", cost=0.10: lesion.drop(kind), "raised AttributeError"),
    ],
})
NOT_ATTEMPTED_ALSO = [("preact_stack", preact_stack_one_line)]
def path_count_block_by_block(n_blocks, branches, path_length):
    counts = [1] + [0] * n_blocks           # counts[k]: paths through the blocks so far, length k
    for _ in range(n_blocks):
        counts = [counts[k] + (branches * counts[k - 1] if k else 0) for k in range(n_blocks + 1)]
    return counts[path_length]


RIGHT = {"path_count": [path_count_block_by_block],
         "residual_jacobian_by_hand": [jacobian_by_hand_float64, jacobian_by_hand_in_a_loop],
         "preact_stack": [preact_by_index, preact_with_residual],
         "deletable_from": [deletable_tensor_index]}
