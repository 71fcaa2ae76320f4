"""Quiz of notebook 05, the architecture zoo. The question with source "shared quiz, question 4"
is a common quiz's question, corrected; the others are the course's own."""

from .framework import Question

QUESTIONS = (
    Question(
        prompt="Where are residual connections used in Transformers?",
        choices=("Only around attention", "Only around the feed-forward network", "Nowhere",
                 "Around both attention and the feed-forward network"),
        correct=(3,),
        reasons=("The feed-forward network has its own residual connection too.",
                 "Attention has its own residual connection too.",
                 "Every sub-layer of a Transformer has one.",
                 ""),
        explanation="Every sub-layer has its own: x + Attn(...) and x + FFN(...) (with a "
                    "LayerNorm before or after each). A common summary says the connections "
                    "come 'after both'; in fact each goes AROUND its sub-layer, adding the "
                    "sub-layer's input to its output (Vaswani et al. 2017).",
        source="shared quiz, question 4 (corrected)",
    ),
    Question(
        prompt="A ResNet basic block has two 3×3 convolutions. How are they combined with the "
               "skip?",
        choices=("In parallel: y = x + Conv(x) + Conv(x)",
                 "In series inside ONE branch: y = ReLU(x + BN(W2 ReLU(BN(W1 x))))",
                 "Each has its own skip", "They replace the skip"),
        correct=(1,),
        reasons=("A common summary writes this, and it is wrong: the convolutions are in "
                 "series, inside one branch.",
                 "",
                 "In a basic block one skip spans both convolutions.",
                 "The skip stays: it is what makes the block residual."),
        explanation="He et al. 2015, Eq. 1 and Sec. 3.2-3.4: the branch F is conv-BN-ReLU-conv-BN "
                    "and the sum is followed by a ReLU. A common summary's "
                    "'x + Conv(x) + Conv(x)' is wrong.",
    ),
    Question(
        prompt="How does the original U-Net combine the encoder's feature map with the decoder's?",
        choices=("It adds them", "It multiplies them",
                 "It crops the encoder map and CONCATENATES it with the upsampled decoder map",
                 "It keeps only the decoder's"),
        correct=(2,),
        reasons=("Adding is a later variant (FPN-style skips); the original concatenates.",
                 "Nothing is multiplied: the two maps are stacked along the channels.",
                 "",
                 "Then the skip would carry nothing; the encoder's map is what restores detail."),
        explanation="Ronneberger et al. 2015: 'a concatenation with the correspondingly cropped "
                    "feature map from the contracting path', then two 3×3 convolutions. The skips "
                    "bring the encoder's high-resolution detail, lost to downsampling, back to "
                    "the decoder, for precise localisation. Adding instead (as in FPN-style "
                    "designs) is a later variant.",
    ),
    Question(
        prompt="A DenseNet layer returns cat([x, h(x)]); a U-Net level's decoder computes "
               "Conv(Conv(cat([crop(e), up(d)]))). Which of the two passes its input on "
               "unchanged?",
        choices=("Neither: a concatenation always feeds a learned layer", "Both",
                 "DenseNet's: x travels on unchanged beside h(x), inside a dense block",
                 "U-Net's: the encoder map bypasses the decoder"),
        correct=(2,),
        reasons=("DenseNet's output contains x itself: later layers read it, but nothing "
                 "transforms it on the way.",
                 "U-Net's concatenation goes straight into learned convolutions: what leaves the "
                 "level is a learned function of it.",
                 "",
                 "The encoder map is concatenated and then convolved: it does not leave the level "
                 "unchanged."),
        explanation="Inside a dense block each layer appends its new features to what it was "
                    "given, so x₀ reaches every later layer unchanged (between blocks, transition "
                    "layers compress and downsample). U-Net's merge feeds learned convolutions: "
                    "its skips are not identity paths but bring the encoder's high-resolution "
                    "detail back to the decoder, for precise localisation (Ronneberger et al. "
                    "2015).",
    ),
    Question(
        prompt="In a highway network, y = T(x)·H(x) + (1 − T(x))·x. With the gate's bias at −2, "
               "roughly what fraction of the gradient reaches the input of a 16-block stack at "
               "initialisation?",
        choices=("About (1 − σ(−2))¹⁶ ≈ 0.13", "All of it, as in a ResNet",
                 "None of it", "About 16 times more"),
        correct=(0,),
        reasons=("",
                 "The carry gate lets only 1 − T ≈ 0.88 of x through per block; only an ungated "
                 "skip passes everything.",
                 "Each block carries 88 % of x; 16 blocks leave about 13 %, not zero.",
                 "The gates shrink the carried signal; they do not amplify it."),
        explanation="Each block carries (1 − T) ≈ 0.88 of x, so the carry path multiplies the "
                    "gradient by about 0.88 per block: 0.88¹⁶ ≈ 0.13, which is what the zoo's "
                    "probe measures. An ungated identity skip passes the gradient at full "
                    "strength; that is ResNet's simplification of the highway.",
    ),
    Question(
        prompt="An RWKV block computes x += TimeMix(LN1(x)), then x += ChannelMix(LN2(x)). If "
               "both mixes' output weights are zero, what does the block return?",
        choices=("LN(x)", "0", "LN2(LN1(x))",
                 "x itself, exactly: both sub-blocks are pre-norm residuals"),
        correct=(3,),
        reasons=("The norms sit inside the branches; nothing normalises the sum.",
                 "The skips carry x; only the branches output zero.",
                 "The norms only feed the branches, which now output zero.",
                 ""),
        explanation="RWKV is pre-norm with un-gated residuals: each sub-block adds its branch to "
                    "x, and a branch of zeros leaves x unchanged, as in a pre-norm transformer. "
                    "TimeMix mixes across positions (its WKV recurrence over all earlier tokens), "
                    "ChannelMix across channels, like an FFN; both also interpolate each token "
                    "with the previous one by a learned μ (the token shift). A common summary's "
                    "'LayerNorm(x + α·attn + β·MLP)' is wrong: there is no α or β and no norm "
                    "after the sum.",
    ),
    Question(
        prompt="ReZero computes y = x + α·F(x) with α = 0 at initialisation. What is true of a "
               "freshly built ReZero stack of any depth?",
        choices=("Its gradients vanish",
                 "Every block is exactly the identity, so the gradient reaches the input "
                 "unchanged", "It cannot be trained, since α = 0",
                 "It needs a LayerNorm to train"),
        correct=(1,),
        reasons=("With α = 0 each block is the identity, which passes the gradient unchanged.",
                 "",
                 "α gets a gradient, F(x)·dL/dy, on the first step, so the branches switch on.",
                 "ReZero's point is to train deep stacks without any norm."),
        explanation="With α = 0 each block returns x, so the stack is the identity and the "
                    "probe's input/output gradient ratio is exactly 1. α gets a gradient "
                    "(F(x)·dL/dy) on the first step, so the branches switch on as training goes.",
    ),
)
