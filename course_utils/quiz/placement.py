"""Quiz of notebook 04, post-norm vs pre-norm: seed 003's questions 6 and 8 (corrected) and our
own."""

from .framework import Question

QUESTIONS = (
    Question(
        prompt="In PreLN vs PostLN, which applies layer norm before the sub-layer?",
        choices=("PostLN", "PreLN", "Neither", "Both"),
        correct=(1,),
        explanation="Pre-norm computes x + F(LN(x)): the norm sits before the sub-layer, inside "
                    "the branch, and the skip carries x itself. Post-norm computes LN(x + F(x)). "
                    "(Seed 003 lists the third choice as 'C>'; and its formula "
                    "'LayerNorm(x) + SubLayer(LayerNorm(x))' for PreLN is wrong: that would "
                    "normalise the skip too.)",
        source="seed 003, question 8 (corrected)",
    ),
    Question(
        prompt="How many residual connections are in each layer of a Transformer encoder?",
        choices=("1", "2: one around self-attention, one around the feed-forward network",
                 "3", "4"),
        correct=(1,),
        explanation="Each sub-layer is wrapped in its own residual connection: x + Attn(...) and "
                    "x + FFN(...), with a LayerNorm before (pre-norm) or after (post-norm) each. "
                    "A decoder layer has a third, around cross-attention. The connection goes "
                    "AROUND the sub-layer rather than 'after' it: the sum adds the sub-layer's "
                    "input to its output.",
        source="seed 003, question 6 (corrected)",
    ),
    Question(
        prompt="With the sub-layer's output F = 0, what does a pre-norm sub-layer return? And a "
               "post-norm one?",
        choices=("Pre-norm: x itself; post-norm: LN(x)", "Both return x",
                 "Pre-norm: LN(x); post-norm: x", "Both return LN(x)"),
        correct=(0,),
        explanation="x + F(LN(x)) with F = 0 is x: pre-norm keeps an exact identity path from "
                    "input to output. LN(x + 0) = LN(x): every post-norm layer re-normalises the "
                    "stream, so there is no pure identity path through a post-norm stack.",
    ),
    Question(
        prompt="Xiong et al. (2020) trained a post-norm Transformer with Adam and NO learning-rate "
               "warm-up. What happened?",
        choices=("It reached only BLEU 8.45, against about 34 with 4,000 warm-up steps",
                 "It trained as well as with warm-up", "It trained faster",
                 "It diverged to NaN at once"),
        correct=(0,),
        explanation="Post-norm's gradients near the output are large at initialisation, and the "
                    "first full-size Adam steps move the output too far. Pre-norm trained "
                    "without warm-up; our miniature shows the same split.",
    ),
    Question(
        prompt="DeepNorm computes $x_{l+1} = \\mathrm{LN}(\\alpha x_l + G(x_l))$ with "
               "$\\alpha = (2N)^{1/4}$ for an N-layer encoder. What does $\\alpha$ multiply, and "
               "why?",
        choices=("The skip x: it up-weights the identity path so each update moves the output "
                 "less", "The branch G(x): it amplifies the sub-layer",
                 "The LayerNorm's output", "The learning rate"),
        correct=(0,),
        explanation="α > 1 on the skip, with the branch's weights initialised smaller (gain β = "
                    "(8N)^(-1/4)), makes each layer closer to the identity and bounds the change "
                    "of the output per update (Wang et al. 2022). Putting α on the branch, as one "
                    "public annotated implementation does, does the opposite.",
    ),
    Question(
        prompt="How many parameters does nn.MultiheadAttention(512, 8) have, and how many with "
               "its LayerNorm?",
        choices=("1,050,624 and 1,051,648", "1,048,576 and 1,049,600",
                 "8,404,992 and 8,406,016", "786,432 and 787,456"),
        correct=(0,),
        explanation="Four 512 × 512 projections (Q, K, V, output) plus four biases of 512: "
                    "4·512² + 4·512 = 1,050,624. The heads split the 512 dimensions, adding "
                    "nothing. LayerNorm(512) adds 1,024: 1,051,648, the seed's '~1.05M'.",
    ),
)
