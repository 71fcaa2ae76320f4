"""Quiz of notebook 04, post-norm vs pre-norm. Questions with source "shared quiz, question N"
are corrected versions of a common quiz's questions; the others are the course's own."""

from .framework import Question

QUESTIONS = (
    Question(
        prompt="In PreLN and PostLN Transformers, which applies layer norm before the sub-layer?",
        choices=("PostLN", "Neither", "PreLN", "Both"),
        correct=(2,),
        reasons=("Post-norm applies it after the sum: LN(x + F(x)).",
                 "Pre-norm does: x + F(LN(x)).",
                 "",
                 "Post-norm normalises after the sum, not before the sub-layer."),
        explanation="Pre-norm computes x + F(LN(x)): the norm sits before the sub-layer, inside "
                    "the branch, and the skip carries x itself. Post-norm computes LN(x + F(x)). "
                    "A common summary gives pre-norm as 'LayerNorm(x) + SubLayer(LayerNorm(x))'; "
                    "in fact that normalises the skip too, which must carry x un-normalised "
                    "(Xiong et al. 2020, Sec. 3.3).",
        source="shared quiz, question 8 (corrected)",
    ),
    Question(
        prompt="How many residual connections are in each layer of a Transformer encoder?",
        choices=("2: one around self-attention, one around the feed-forward network", "1",
                 "3", "4"),
        correct=(0,),
        reasons=("",
                 "Each of the two sub-layers has its own skip.",
                 "Three is a DECODER layer, with cross-attention; an encoder layer has two.",
                 "There is one residual connection per sub-layer, and an encoder layer has two."),
        explanation="Each sub-layer is wrapped in its own residual connection: x + Attn(...) and "
                    "x + FFN(...), with a LayerNorm before (pre-norm) or after (post-norm) each. "
                    "A decoder layer has a third, around cross-attention. The connection goes "
                    "AROUND the sub-layer rather than 'after' it: the sum adds the sub-layer's "
                    "input to its output.",
        source="shared quiz, question 6 (corrected)",
    ),
    Question(
        prompt="With the sub-layer's output F = 0, what does a pre-norm sub-layer return? And a "
               "post-norm one?",
        choices=("Both return x", "Pre-norm: LN(x); post-norm: x", "Both return LN(x)",
                 "Pre-norm: x itself; post-norm: LN(x)"),
        correct=(3,),
        reasons=("Post-norm still normalises: LN(x + 0) = LN(x).",
                 "That is the wrong way round.",
                 "Pre-norm's skip carries x itself: x + F(LN(x)) with F = 0 is x.",
                 ""),
        explanation="x + F(LN(x)) with F = 0 is x: pre-norm keeps an exact identity path from "
                    "input to output. LN(x + 0) = LN(x): every post-norm layer re-normalises the "
                    "stream, so there is no pure identity path through a post-norm stack.",
    ),
    Question(
        prompt="Adam's first steps move every weight by about the learning rate, whatever the "
               "size of its gradient. How does a linear warm-up over the first 100 steps change "
               "those first steps?",
        choices=("It changes nothing, since Adam normalises the step anyway",
                 "It makes them up to 100 times smaller: the first update moves each weight by "
                 "about lr/100",
                 "It makes the gradients near the output smaller",
                 "It adds noise that helps the model escape a bad start"),
        correct=(1,),
        reasons=("Adam normalises the gradient's scale, not the learning rate: the step is the "
                 "learning rate times the normalised gradient.",
                 "",
                 "The warm-up scales the steps; the gradients are whatever the model gives.",
                 "A warm-up is a deterministic schedule; it adds no noise."),
        explanation="With lr(t) = lr · t / 100 for the first 100 steps, step t moves each weight "
                    "by about lr · t / 100, so the model's output changes little per step while "
                    "it is far from trained. Post-norm without it trained badly in Xiong et al. "
                    "(2020) and stayed at guessing in our miniature at a large learning rate. "
                    "WHY post-norm needs the warm-up is debated: its large gradients near the "
                    "output at initialisation (Xiong et al.), the amplification of updates by "
                    "its dependence on the residual branches (Liu, Liu, Gao, Chen & Han 2020, "
                    "'Admin'), or the variance of Adam's first steps (RAdam, Liu et al. 2020).",
    ),
    Question(
        prompt="Adam moves a weight by about lr · m / √v, where m and v are running averages of "
               "its gradient and of its squared gradient. If every gradient were 10 times larger, "
               "how large would Adam's steps be?",
        choices=("10 times larger", "About the same: the factor cancels between m and √v",
                 "10 times smaller", "100 times larger"),
        correct=(1,),
        reasons=("m grows 10-fold, but so does √v: their ratio does not change.",
                 "",
                 "The factor cancels; it does not invert.",
                 "v grows 100-fold, but the step divides by its square root, and m grows too."),
        explanation="Multiply every gradient by 10 and m and √v both grow 10-fold: the step is "
                    "unchanged (up to Adam's tiny ε). Its very first step moves every weight by "
                    "about lr, whatever the gradient. So with Adam, large gradients alone do not "
                    "make large steps, one reason why the role of post-norm's large gradients at "
                    "initialisation is debated (Liu, Liu, Gao, Chen & Han 2020).",
    ),
    Question(
        prompt="DeepNorm computes x_{l+1} = LN(α·x_l + G(x_l)) with α = (2N)^(1/4) for an "
               "N-layer encoder. What does α multiply, and why?",
        choices=("The branch G(x): it amplifies the sub-layer", "The LayerNorm's output",
                 "The skip x: it up-weights the identity path so each update moves the output "
                 "less", "The learning rate"),
        correct=(2,),
        reasons=("α sits on the skip; on the branch (as one public annotated implementation has "
                 "it) it does the opposite of what DeepNorm is for.",
                 "Scaling after the norm only rescales the output; DeepNorm weighs the skip "
                 "inside the norm.",
                 "",
                 "DeepNorm changes the architecture and the initialisation, not the optimiser."),
        explanation="α > 1 on the skip, with the branch's weights initialised smaller (gain "
                    "β = (8N)^(−1/4)), makes each layer closer to the identity and bounds the "
                    "change of the output per update (Wang et al. 2022). Putting α on the branch, "
                    "as one public annotated implementation does, does the opposite.",
    ),
    Question(
        prompt="How many parameters does nn.MultiheadAttention(512, 8) have, and how many with "
               "its LayerNorm?",
        choices=("1,050,624 and 1,051,648", "1,048,576 and 1,049,600",
                 "8,404,992 and 8,406,016", "786,432 and 787,456"),
        correct=(0,),
        reasons=("",
                 "That counts the four 512 × 512 weights but forgets their biases (4 × 512).",
                 "That multiplies by the 8 heads; the heads split the 512 dimensions and add no "
                 "parameters.",
                 "That has only three projections (Q, K, V); the output projection is missing."),
        explanation="Four 512 × 512 projections (Q, K, V, output) plus four biases of 512: "
                    "4·512² + 4·512 = 1,050,624. The heads split the 512 dimensions, adding "
                    "nothing. LayerNorm(512) adds 1,024: 1,051,648, the '~1.05M' that summaries "
                    "quote.",
    ),
)
