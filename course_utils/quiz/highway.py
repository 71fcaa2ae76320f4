"""Quiz of notebook 01, the highway analogy: seed 003's questions 1, 3, 5 and 7 (corrected where
the seed is wrong) and questions of our own."""

from .framework import Question

QUESTIONS = (
    Question(
        prompt="What is the formula of a residual connection around a sub-layer?",
        choices=("output = Layer(SubLayer(x))", "output = x + SubLayer(x)",
                 "output = SubLayer(x) − x", "output = LayerNorm(x) + LayerNorm(SubLayer(x))"),
        correct=(1,),
        explanation="The input is added to what the sub-layer computes: y = x + F(x). The "
                    "identity path x is the 'expressway'; F is the 'ramp'.",
        source="seed 003, question 1",
    ),
    Question(
        prompt="A residual block computes y = x + F(x). For the block to pass its input through "
               "unchanged (y = x), what must the branch F output?",
        choices=("x itself: F must learn the identity", "Zero, for every input",
                 "LayerNorm(x)", "The negative of x"),
        correct=(1,),
        explanation="If F outputs 0, y = x + 0 = x. If F learned the identity, the block would "
                    "output 2x. (Seed 003 asked 'if the sub-layer learns identity mapping, what is "
                    "the output?' and answered 'x': that mixes up the branch and the block.) This "
                    "is why a zero-initialised last layer makes a block the identity at init.",
        source="seed 003, question 3 (corrected)",
    ),
    Question(
        prompt="Which problem did He et al. (2015) introduce residual connections to solve?",
        choices=("Overfitting of very deep networks",
                 "Degradation: deeper plain networks reach a HIGHER training error than shallower ones",
                 "The computational cost of deep networks",
                 "The memory use of deep networks"),
        correct=(1,),
        explanation="The deeper plain nets had higher training error, so it is not overfitting. "
                    "He et al. used BatchNorm and checked that gradient norms were healthy, so "
                    "they argue it is not simply vanishing gradients either (seed 003 says "
                    "'vanishing gradients and degradation'): it is an optimisation difficulty. "
                    "Our 56-layer plain net with BatchNorm shows it: it stays at chance while the "
                    "8-layer one fits.",
        source="seed 003, question 5 (corrected)",
    ),
    Question(
        prompt="Which paper introduced the identity residual connection y = x + F(x)?",
        choices=("'Attention Is All You Need' (Vaswani et al., 2017)",
                 "'Deep Residual Learning for Image Recognition' (He et al., 2015)",
                 "'BERT' (Devlin et al., 2018)",
                 "'ImageNet Classification with Deep CNNs' (Krizhevsky et al., 2012)"),
        correct=(1,),
        explanation="ResNet (He et al., 2015). Months earlier, Highway Networks (Srivastava et "
                    "al., 2015) used a gated skip y = T(x) H(x) + (1 − T(x)) x; ResNet made the "
                    "skip an un-gated identity. Transformers (2017) adopted it around every "
                    "sub-layer.",
        source="seed 003, question 7 (sharpened)",
    ),
    Question(
        prompt="The last linear layer of every branch in a 100-block residual stack is set to "
               "zero. What does the stack compute at initialisation?",
        choices=("Zero: the signal is blocked",
                 "Exactly its input: every block is the identity",
                 "Random noise, since the first layers are random",
                 "Its input divided by 100"),
        correct=(1,),
        explanation="Each branch outputs exactly 0, so each block returns x + 0 = x and the "
                    "whole stack is the identity, at any depth. Its gradient reaches the input "
                    "unchanged too; the branches still learn because the last layer's gradient "
                    "is not zero.",
    ),
    Question(
        prompt="Do residual connections add parameters to a network?",
        choices=("Yes: one weight matrix per skip",
                 "Yes: one scalar gate per skip",
                 "No: the identity skip adds no parameters and almost no computation",
                 "Only when BatchNorm is used"),
        correct=(2,),
        explanation="y = x + F(x) only adds x. (A projection W_s x is needed, with parameters, "
                    "only where the width changes.) What changes is the function: F(x) + x "
                    "instead of F(x), not the parameter count.",
    ),
    Question(
        prompt="At initialisation, a 32-block plain stack without normalisation sends a gradient "
               "back to its first layer that is…",
        choices=("About as large as at its last layer",
                 "Vanishingly small: many orders of magnitude below the last layer's",
                 "Larger than at the last layer", "Exactly the identity"),
        correct=(1,),
        explanation="Each layer multiplies the backward signal by a Jacobian of norm below 1 "
                    "(with PyTorch's default init); over 66 layers the product underflows to "
                    "zero. The residual stack's gradient at its input stays within a factor of 2 "
                    "of the output's, because every block adds the identity term.",
    ),
)
