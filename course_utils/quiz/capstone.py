"""Quiz of notebook 06, the capstone: bits per character, baselines, a fair validation split,
and what the trained models showed inside."""

from .framework import Question

QUESTIONS = (
    Question(
        prompt="A model's cross-entropy on the validation text is 2.2 nats per character. How "
               "many bits per character is that?",
        choices=("about 1.52",
                 "2.2: nats and bits are the same unit",
                 "about 3.17",
                 "about 6.1"),
        correct=(2,),
        reasons=("That multiplies by ln 2; a bit is a smaller unit than a nat, so the number grows.",
                 "A nat uses the natural logarithm, a bit the base-2 logarithm: 1 nat = 1/ln 2 ≈ "
                 "1.44 bits.",
                 "",
                 "That multiplies by e; convert by dividing by ln 2."),
        explanation="log₂ p = ln p / ln 2, so bits = nats / ln 2 = 2.2 / 0.693 ≈ 3.17. PyTorch's "
                    "cross_entropy is in nats; bits per character is the usual unit for "
                    "character models, because log₂ V is then the cost of guessing uniformly "
                    "among V characters (about 6.7 bits for the hundred-odd characters of this text).",
    ),
    Question(
        prompt="A model ends at the unigram baseline, about 4.7 bits per character. What has it "
               "learned?",
        choices=("Nothing at all: it is no better than guessing",
                 "How often each character occurs, and nothing about which character follows "
                 "which",
                 "Which character tends to follow each character, as the bigram baseline does",
                 "English words, but not punctuation"),
        correct=(1,),
        reasons=("Guessing uniformly costs log₂ V ≈ 6.7 bits: 4.7 is two bits better than that.",
                 "",
                 "That is the bigram's 3.4 bits; the model is a whole bit short of it.",
                 "Knowing words would take it well below the bigram's 3.4 bits."),
        explanation="The unigram baseline predicts every position with the same distribution, "
                    "the characters' frequencies. A network gets there by learning its output "
                    "bias alone, without using its input at all: that is where the models that "
                    "do not train in this notebook stop.",
    ),
    Question(
        prompt="Why is the validation text the last 10 % of the documentation, and not 10 % of "
               "the characters picked at random?",
        choices=("Random characters would be slower to load",
                 "The last 10 % is harder, which makes the models look worse",
                 "It makes no difference: any 10 % gives the same bits per character",
                 "Training windows would then contain the validation characters and their "
                 "neighbours, so validation would measure memorised text"),
        correct=(3,),
        reasons=("Both are a few lines of indexing into the same tensor.",
                 "Harder or not, the point is that the validation text must be text the model "
                 "never trained on.",
                 "A window of 16 characters around a validation character would be in the "
                 "training text: the model would have seen the answer.",
                 ""),
        explanation="A character model learns from windows; with random validation characters "
                    "every one of them would sit inside training windows, next to the same "
                    "neighbours. A split by position keeps the two texts apart, so the "
                    "validation bits per character measure what the model does on text it has "
                    "not seen.",
    ),
    Question(
        prompt="In the trained pre-norm models, the RMS of the residual stream grows from layer "
               "to layer; in the post-norm models it stays at 1. Why?",
        choices=("Pre-norm adds each branch's output to x and nothing rescales the sum; "
                 "post-norm's LayerNorm rescales every sum",
                 "Pre-norm's LayerNorms multiply the stream by a growing gain",
                 "Post-norm's branches output zero after training",
                 "Pre-norm trains with a larger learning rate"),
        correct=(0,),
        reasons=("",
                 "Pre-norm's LayerNorms act on the branch's input only; the skip carries x "
                 "around them, unscaled.",
                 "Their branches are of the same order as the stream (the middle panel).",
                 "Every variant trains at the same learning rate, 3e-3."),
        explanation="A pre-norm sub-layer computes x + F(LN(x)): the stream x itself is never "
                    "normalised, so every branch adds to it, and its size grows with depth (a "
                    "final LayerNorm before the head takes care of the scale). A post-norm "
                    "sub-layer computes LN(x + F(x)), whose output has RMS 1 (with the norm's "
                    "gain near 1) whatever went in.",
    ),
    Question(
        prompt="At 12 layers and lr 3e-3, DeepNorm trained without warm-up while post-norm did "
               "not. What does DeepNorm change in a post-norm sub-layer?",
        choices=("It moves the LayerNorm inside the branch",
                 "It adds a warm-up of its own",
                 "It multiplies the skip by α = (2N)^¼ inside the norm and scales some weights' "
                 "initialisation by β = (8N)^-¼",
                 "It multiplies the branch by a learned scalar that starts at 0"),
        correct=(2,),
        reasons=("That is pre-norm; DeepNorm keeps the norm after the sum: LN(α·x + F(x)).",
                 "The schedule is the optimiser's; DeepNorm changes the architecture and the "
                 "initialisation only (its paper still trains with a warm-up).",
                 "",
                 "That is ReZero (notebook 05)."),
        explanation="DeepNorm (Wang et al. 2022) computes LN(α·x + F(x)) with α > 1 and shrinks "
                    "the feed-forward, value and output projections' initial weights by β, so "
                    "that each sub-layer leans on its skip and an update moves the model's "
                    "output less (notebook 04's one-step probe). Here N = 12: α ≈ 2.2, β ≈ 0.32.",
    ),
)
