"""Quiz of notebook 02, residual math: seed 003's question 2 (made precise) and our own."""

from .framework import Question

QUESTIONS = (
    Question(
        prompt="How do residual connections help the gradient flow back through a block "
               "$y = x + F(x)$?",
        choices=("They add the upstream gradient, unchanged, to what comes back through the branch",
                 "They multiply the gradient by the branch's Jacobian",
                 "They have no effect on gradients, only on the forward pass",
                 "They make gradients smaller, which stabilises training"),
        correct=(0,),
        explanation="$\\partial L/\\partial x = \\partial L/\\partial y\\,(I + \\partial F/\\partial x)$: "
                    "the identity term passes $\\partial L/\\partial y$ through untouched and the "
                    "branch adds its own term. (Seed 003 writes '1 + ∂out/∂x'; for vectors the "
                    "'1' is the identity matrix I, and the derivative is that of the branch.)",
        source="seed 003, question 2 (made precise)",
    ),
    Question(
        prompt="With scaled shortcuts $x_{l+1} = \\lambda x_l + F(x_l)$ and $\\lambda = 0.5$, what "
               "factor multiplies $\\partial E/\\partial x_L$ along the shortcut-only path back "
               "50 blocks?",
        choices=("0.5 × 50 = 25", "0.5^50 ≈ 9e-16", "1, as with identity shortcuts",
                 "It depends only on the branches"),
        correct=(1,),
        explanation="Each shortcut multiplies the gradient by λ, so 50 of them give λ^50 "
                    "(He et al. 2016, Eq. 8): practically zero. The identity shortcut (λ = 1) is "
                    "the only gain that neither vanishes nor explodes with depth; He et al.'s "
                    "λ = 0.5 ResNet-110 failed to train (> 20 % error vs 6.61 %).",
    ),
    Question(
        prompt="How many paths does a signal have through 10 residual blocks, and how many of "
               "them pass through exactly 2 branches?",
        choices=("20 paths, 2 of length 2", "1024 paths, 45 of length 2",
                 "100 paths, 10 of length 2", "1024 paths, 90 of length 2"),
        correct=(1,),
        explanation="Each block offers two ways (branch or skip): 2^10 = 1024 paths. A path of "
                    "length 2 is fixed by which 2 blocks it uses: C(10, 2) = 45. Most paths are "
                    "of middling length; Veit et al. found that most of the gradient comes from "
                    "the short ones.",
    ),
    Question(
        prompt="You delete one block from the middle of a trained residual net, and one from the "
               "middle of a trained plain net. What happens?",
        choices=("Both collapse to chance", "Both barely change",
                 "The residual net barely changes; the plain net collapses",
                 "The plain net barely changes; the residual net collapses"),
        correct=(2,),
        explanation="Deleting a residual block removes only the paths through its branch; half "
                    "of all paths skip it and the rest of the net still sees inputs it knows. In "
                    "a plain net every signal goes through every layer. Veit et al. 2016 found "
                    "the same in ImageNet ResNets and VGG.",
    ),
    Question(
        prompt="For a deep plain net with BatchNorm, what does df/dx look like over a fine 1-D "
               "grid of inputs, at initialisation?",
        choices=("A smooth curve, like the function itself", "White noise: neighbouring inputs get "
                 "unrelated gradients", "Exactly zero everywhere", "A constant"),
        correct=(1,),
        explanation="The shattered-gradients effect (Balduzzi et al. 2017): the correlation "
                    "between gradients of nearby inputs decays exponentially with depth in plain "
                    "nets, only like 1/√L in residual nets with BatchNorm, whose gradients look "
                    "like brown noise instead.",
    ),
)
