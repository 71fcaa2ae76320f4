"""Quiz of notebook 01, the highway analogy: questions 1, 3, 5 and 7 of a widely shared quiz on
residual connections (corrected where it is wrong), and questions of our own."""

from .framework import Question

QUESTIONS = (
    Question(
        prompt="What is the formula of a residual connection around a sub-layer?",
        choices=("output = Layer(SubLayer(x))", "output = SubLayer(x) − x",
                 "output = x + SubLayer(x)", "output = LayerNorm(x) + LayerNorm(SubLayer(x))"),
        correct=(2,),
        reasons=("That stacks two layers one after the other: nothing skips them, so there is "
                 "no identity path.",
                 "The input is added back, not subtracted: with a sub-layer that outputs zero, "
                 "the block must return x.",
                 "",
                 "Normalising the skip removes the identity path: a residual connection adds x "
                 "itself."),
        explanation="The input is added to what the sub-layer computes: y = x + F(x). The "
                    "identity path x is the 'expressway'; F is the 'ramp'.",
        source="shared quiz, question 1",
    ),
    Question(
        prompt="A residual block computes y = x + F(x). For the block to pass its input through "
               "unchanged (y = x), what must the branch F output?",
        choices=("Zero, for every input", "x itself: F must learn the identity",
                 "LayerNorm(x)", "The negative of x"),
        correct=(0,),
        reasons=("",
                 "Then the block would output x + x = 2x. It is the block, not its branch, that "
                 "should be the identity.",
                 "Then the block would output x + LN(x), which is not x.",
                 "Then the block would output x − x = 0 and erase the signal."),
        explanation="If F outputs 0, y = x + 0 = x. A common summary says 'if the sub-layer "
                    "learns the identity mapping, the output is x': that mixes up the branch and "
                    "the block (a sub-layer computing the identity gives x + x = 2x). This is why a zero-initialised last layer "
                    "makes a block the identity at initialisation.",
        source="shared quiz, question 3 (corrected)",
    ),
    Question(
        prompt="Which problem did He et al. (2015) introduce residual connections to solve?",
        choices=("Overfitting of very deep networks",
                 "The computational cost of deep networks",
                 "The memory use of deep networks",
                 "Degradation: deeper plain networks reach a HIGHER training error than "
                 "shallower ones"),
        correct=(3,),
        reasons=("Overfitting lowers the training error; the deeper plain nets had a HIGHER "
                 "training error.",
                 "The identity skip adds almost no computation, and ResNets were about accuracy, "
                 "not speed.",
                 "Residual connections do not save memory; they change how well deep nets train.",
                 ""),
        explanation="The deeper plain nets had higher training error, so it is not overfitting. "
                    "He et al. used BatchNorm and checked that gradient norms were healthy, so "
                    "they argue it is not simply vanishing gradients either (a common summary "
                    "says 'vanishing gradients and degradation'): it is an optimisation "
                    "difficulty. Section 2 shows why a vanishing gradient is not a law: it depends "
                    "on the initialisation. Our 56-layer plain net with BatchNorm shows it: it stays near "
                    "chance while the 8-layer one fits.",
        source="shared quiz, question 5 (corrected)",
    ),
    Question(
        prompt="Highway networks (Srivastava et al. 2015) carry x through a learned gate, "
               "y = T(x)·H(x) + (1 − T(x))·x; ResNet (He et al. 2015) made the carry an identity, "
               "y = x + F(x). A gradient g arrives at y. What reaches x along the carry path, in "
               "a highway block whose gate is almost fully open (T(x) ≈ 1), and in a residual "
               "block?",
        choices=("Highway: (1 − T(x))·g, almost nothing; residual: g itself, whatever F does",
                 "g itself in both: a gate cannot stop a gradient",
                 "Highway: T(x)·g, almost all of it; residual: g itself",
                 "Nothing in either: the gradient only flows through H or F"),
        correct=(0,),
        reasons=("",
                 "Along the carry path the gradient is multiplied by the carry weight, 1 − T(x), "
                 "as in the forward pass.",
                 "T(x) weights the transform path H; the carry is weighted by 1 − T(x).",
                 "The carry path is there in both: in the residual block it is the identity, so "
                 "its Jacobian is I."),
        explanation="Along the carry, the backward pass multiplies by what the forward pass "
                    "multiplied x by: 1 − T(x) in a highway block, exactly 1 in a residual "
                    "block. So a stack of identity skips hands g back unchanged at every block "
                    "(notebook 02 derives the I in ∂y/∂x = I + ∂F/∂x), while a stack of highway "
                    "blocks keeps its gradient only where its gates carry (notebook 05 sets their "
                    "bias to −2 for that). The identity skip came from He et al. (2015); highway "
                    "networks, months earlier, had the gated one.",
        source="shared quiz, question 7 (turned from a date to remember into reasoning)",
    ),
    Question(
        prompt="The last linear layer of every branch in a 100-block residual stack is set to "
               "zero. What does the stack compute at initialisation?",
        choices=("Zero: the signal is blocked",
                 "Random noise, since the first layers are random",
                 "Exactly its input: every block is the identity",
                 "Its input divided by 100"),
        correct=(2,),
        reasons=("Only the branches output zero; the skips carry x past every block.",
                 "The random first layers feed a zeroed last layer, so nothing they compute "
                 "reaches the stream.",
                 "",
                 "Nothing divides x: each block returns x + 0 = x."),
        explanation="Each branch outputs exactly 0, so each block returns x + 0 = x and the "
                    "whole stack is the identity, at any depth. Its gradient reaches the input "
                    "unchanged too; the branches still learn because the last layer's gradient "
                    "is not zero.",
    ),
    Question(
        prompt="Do residual connections add parameters to a network?",
        choices=("No: the identity skip adds no parameters and almost no computation",
                 "Yes: one weight matrix per skip",
                 "Yes: one scalar gate per skip",
                 "Only when BatchNorm is used"),
        correct=(0,),
        reasons=("",
                 "Only a projection shortcut W_s·x, needed where the width changes, has weights; "
                 "the identity skip has none.",
                 "That describes gated skips (Highway networks) or ReZero's α; ResNet's identity "
                 "skip has no gate.",
                 "BatchNorm's parameters belong to the branch, not to the skip."),
        explanation="y = x + F(x) only adds x. (A projection W_s·x is needed, with parameters, "
                    "only where the width changes.) What changes is the function: F(x) + x "
                    "instead of F(x), not the parameter count.",
    ),
    Question(
        prompt="At initialisation, a 32-block plain stack without normalisation, with PyTorch's "
               "default nn.Linear initialisation, sends a gradient back to its first layer "
               "that is…",
        choices=("About as large as at its last layer",
                 "Vanishingly small: many orders of magnitude below the last layer's",
                 "Larger than at the last layer", "Exactly the identity"),
        correct=(1,),
        reasons=("That is the residual stack; without skips every layer multiplies the gradient "
                 "by a Jacobian that shrinks it.",
                 "",
                 "That happens in a plain stack WITH BatchNorm (the gradient explodes); without "
                 "normalisation it vanishes.",
                 "A gradient is a vector, not a matrix, and without a skip nothing keeps it "
                 "unchanged."),
        explanation="PyTorch's default init gives each weight a variance of 1/(3·fan_in), so "
                    "each layer shrinks the backward signal (by about √6 with the ReLU); over 66 "
                    "layers the product falls by some 25 orders of magnitude. The residual stack's gradient at its "
                    "input stays within a factor of 2 of the output's, because every block adds "
                    "the identity term. With He's init the plain stack keeps its gradient: the "
                    "vanishing is a property of the initialisation, not of depth alone.",
    ),
    Question(
        prompt="Re-initialise a 32-block stack WITHOUT normalisation with He's init (weight "
               "variance 2/fan_in). What happens to the residual version, y = ReLU(x + F(x))?",
        choices=("Nothing: the skip keeps it exactly as it was",
                 "Its signal and gradient explode: each block roughly doubles the stream's "
                 "variance",
                 "Its gradient vanishes, like the plain stack's with the default init",
                 "It becomes the identity"),
        correct=(1,),
        reasons=("The skip adds x to F(x); with He's init F(x) is as large as x, so the sum "
                 "grows block after block.",
                 "",
                 "The identity term keeps the gradient from vanishing; here it grows instead.",
                 "Only a branch that outputs zero makes a block the identity."),
        explanation="He's init keeps a ReLU layer's output about as large as its input, so "
                    "x + F(x) has about twice the variance of x: over 32 blocks the stream and "
                    "the gradient grow by orders of magnitude. This is why deep residual nets "
                    "need normalisation in the branch, or branches that start at zero or are "
                    "scaled down with depth (zero-γ with BatchNorm; Fixup, SkipInit and ReZero "
                    "without).",
    ),
    Question(
        prompt="Fixup zeroes each branch's last layer AND scales its first layer by L^(-1/2) "
               "(L: the number of blocks). Why the second step, if the first already makes every "
               "block the identity at initialisation?",
        choices=("To make the net the identity at initialisation",
                 "So that the first training steps of all L branches together change the "
                 "output by an amount that does not grow with depth",
                 "So that the gradient vanishes at initialisation",
                 "Because a zeroed last layer would otherwise never receive a gradient"),
        correct=(1,),
        reasons=("The zero last layer already does that; the scaling changes nothing at step 0.",
                 "",
                 "The gradient does not vanish in either case: the skips carry it to every block.",
                 "The last layer's gradient is δ·hᵀ, not zero: it moves on the first step."),
        explanation="At step 0 both nets are the identity; they differ in how they move. With "
                    "He's scale in the first layers, all 54 branches start learning at full "
                    "speed at once and their changes add up along the stream; Fixup's authors "
                    "argue that each step then moves the output more the deeper the net, unless "
                    "each branch is scaled down with depth. In the notebook, at the same "
                    "learning rate, the zero-init nets became unstable and the Fixup nets "
                    "trained.",
    ),
)
