"""Quiz of notebook 02, residual math. The question with source "shared quiz, question 2" is a
common quiz's question, made precise; the others are the course's own."""

from .framework import Question

QUESTIONS = (
    Question(
        prompt="How do residual connections help the gradient flow back through a block "
               "y = x + F(x)?",
        choices=("They multiply the gradient by the branch's Jacobian",
                 "They add the upstream gradient, unchanged, to what comes back through the "
                 "branch",
                 "They have no effect on gradients, only on the forward pass",
                 "They make gradients smaller, which stabilises training"),
        correct=(1,),
        reasons=("That is what a plain layer does; the skip adds a term that bypasses the "
                 "branch's Jacobian.",
                 "",
                 "Backpropagation follows the forward pass: the skip adds the identity I to the "
                 "Jacobian.",
                 "The skip guarantees a direct term; it does not make gradients smaller, and the "
                 "branch's term can even cancel part of it."),
        explanation="∂L/∂x = ∂L/∂y · (I + ∂F/∂x): the identity term passes ∂L/∂y through "
                    "untouched and the branch adds its own term. A common summary writes "
                    "'1 + ∂out/∂x'; in fact, for vectors, the '1' is the identity matrix I, and "
                    "the derivative is that of the branch F (He et al. 2016, Eq. 5, write the "
                    "same sum with scalars).",
        source="shared quiz, question 2 (made precise)",
    ),
    Question(
        prompt="With scaled shortcuts x_{l+1} = λ·x_l + F(x_l) and λ = 0.5, what factor "
               "multiplies the gradient at the output along the shortcut-only path back "
               "50 blocks?",
        choices=("0.5 × 50 = 25", "1, as with identity shortcuts",
                 "It depends only on the branches", "0.5⁵⁰ ≈ 9e-16"),
        correct=(3,),
        reasons=("The gains multiply, they do not add: one factor λ per block.",
                 "Only λ = 1 keeps the factor at 1; every other gain compounds with depth.",
                 "The shortcut-only path never enters a branch: its factor is the product of "
                 "the gains.",
                 ""),
        explanation="Each shortcut multiplies the gradient by λ, so 50 of them give λ⁵⁰ "
                    "(He et al. 2016, Eq. 8): practically zero. The identity shortcut (λ = 1) is "
                    "the only gain that neither vanishes nor explodes with depth; He et al.'s "
                    "λ = 0.5 ResNet-110 is reported as 'fail' (test error above 20 %, against "
                    "6.61 % with identity shortcuts; 2016, Table 1).",
    ),
    Question(
        prompt="How many paths does a signal have through 10 residual blocks, and how many of "
               "them pass through exactly 2 branches?",
        choices=("1024 paths, 45 of length 2", "20 paths, 2 of length 2",
                 "100 paths, 10 of length 2", "1024 paths, 90 of length 2"),
        correct=(0,),
        reasons=("",
                 "Each block doubles the number of paths: 2¹⁰, not 2 × 10.",
                 "The number of paths is 2¹⁰ = 1024: each block offers two ways forward.",
                 "90 = 10 × 9 counts ORDERED pairs of blocks; a path is a set of blocks, so "
                 "divide by 2."),
        explanation="Each block offers two ways (branch or skip): 2¹⁰ = 1024 paths. A path of "
                    "length 2 is fixed by which 2 blocks it uses: C(10, 2) = 45. Most paths are "
                    "of middling length; Veit et al. found that most of the gradient comes from "
                    "the short ones.",
    ),
    Question(
        prompt="You delete one block from the middle of a trained residual net, and one from the "
               "middle of a trained plain net. What happens, typically?",
        choices=("Both collapse to chance", "Both barely change",
                 "The residual net barely changes; the plain net loses much of its accuracy",
                 "The plain net barely changes; the residual net loses much of its accuracy"),
        correct=(2,),
        reasons=("The residual net keeps every path that skips the deleted block: half of all "
                 "paths.",
                 "In the plain net every signal passes through the deleted layer, so the layers "
                 "after it see inputs they never saw.",
                 "",
                 "It is the other way round: the residual net's skips route around the hole."),
        explanation="Deleting a residual block removes only the paths through its branch; half "
                    "of all paths skip it and the rest of the net still sees inputs it knows. In "
                    "a plain net every signal goes through every layer. Veit et al. 2016 found "
                    "the same on CIFAR-10: deleting a block from a ResNet barely mattered (except "
                    "at the downsampling blocks), deleting a layer from VGG brought it to chance. "
                    "Their ImageNet lesion, on a ResNet-200, showed the residual net's "
                    "robustness again. In our miniature, a typical deletion from block 3 on costs "
                    "the residual net under 2 points, while nine of ten plain blocks cost a "
                    "typical net more than 10 (now and then one plain net survives losing a late "
                    "block, which is why the notebook looks at each block's typical cost).",
    ),
    Question(
        prompt="For a deep plain net with BatchNorm, what does df/dx look like over a fine 1-D "
               "grid of inputs, at initialisation?",
        choices=("A smooth curve, like the function itself", "Exactly zero everywhere",
                 "A constant", "White noise: neighbouring inputs get unrelated gradients"),
        correct=(3,),
        reasons=("That is a shallow net, or a residual one; a deep plain net loses the "
                 "correlation between neighbouring inputs.",
                 "The gradient does not vanish here (with BatchNorm it even grows); it loses its "
                 "structure.",
                 "A constant would be perfectly smooth; the deep plain net's is the opposite.",
                 ""),
        explanation="The shattered-gradients effect (Balduzzi et al. 2017): the correlation "
                    "between gradients of nearby inputs decays exponentially with depth in plain "
                    "nets, only like 1/√L in residual nets with BatchNorm, whose gradients look "
                    "like brown noise instead.",
    ),
    Question(
        prompt="An original ResNet block computes y = ReLU(x + F(x)). Which statement about its "
               "Jacobian ∂y/∂x is right?",
        choices=("It is I + ∂F/∂x, exactly as for y = x + F(x)",
                 "It is D·(I + ∂F/∂x), with D the ReLU's 0/1 mask: wherever the ReLU outputs 0, "
                 "even the identity term is cut",
                 "The ReLU only affects the branch's term ∂F/∂x, never the identity",
                 "It is D alone: the skip no longer contributes"),
        correct=(1,),
        reasons=("That needs nothing after the add; here a ReLU follows it.",
                 "",
                 "The ReLU acts on the sum x + F(x), so its mask multiplies both terms.",
                 "Where the mask is 1 both terms get through, the identity included."),
        explanation="The chain rule puts the ReLU's derivative, a diagonal 0/1 mask D, in front "
                    "of the whole sum: ∂y/∂x = D(I + ∂F/∂x). In the notebook's 50-layer stack "
                    "each such ReLU zeroed a noticeable share of the stream, and only a minority "
                    "of the stream passed every mask. He et al. (2016) removed the ReLU after the "
                    "add (full pre-activation: x + W₂·ReLU(BN(W₁·ReLU(BN(x))))): lower test "
                    "error at every depth of their Table 3, and much faster early training at "
                    "1001 layers.",
    ),
)
