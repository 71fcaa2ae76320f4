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
                 "about 6.0"),
        correct=(2,),
        reasons=("That multiplies by ln 2; a bit is a smaller unit than a nat, so the number grows.",
                 "A nat uses the natural logarithm, a bit the base-2 logarithm: 1 nat = 1/ln 2 ≈ "
                 "1.44 bits.",
                 "",
                 "That multiplies by e ≈ 2.72; convert by dividing by ln 2 ≈ 0.69."),
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
                    "bias alone, without using its input at all: that is near where the models "
                    "that do not train in this notebook stop.",
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
        prompt="Post-norm's layer gradients were within a few times of each other at step 1, "
               "and thousands of times apart at step 41, when the model already predicted at the "
               "unigram level. What does that show?",
        choices=("That the imbalance caused the failure: the early layers received no gradient",
                 "That Xiong et al.'s analysis at initialisation is wrong",
                 "That the gradients at step 1 did not single out the wiring that failed, and "
                 "that the imbalance at step 41 comes with the failure, which does not make it "
                 "its cause",
                 "That post-norm's early layers stopped moving, since Adam's steps are "
                 "proportional to the gradient"),
        correct=(2,),
        reasons=("A model that ignores its input has almost no gradient in its input-side "
                 "layers, whatever made it fail: the imbalance may as well be a result.",
                 "Their analysis is of expected gradients at initialisation, in their setting; "
                 "one small model at one learning rate cannot refute it.",
                 "",
                 "Adam's steps are not proportional to the gradient: it divides by the "
                 "gradient's recent size, so a small gradient need not mean a small step (though "
                 "one that collapses far below its recent past does give small steps)."),
        explanation="Measurements taken together in time do not say which came first. At step 1 "
                    "the wirings' gradient profiles looked alike; by step 41 post-norm had "
                    "collapsed to the unigram level and its input-side layers had almost no "
                    "gradient, as the model without skips had too. Whether the imbalance "
                    "causes post-norm's failure or follows from it is debated (Xiong et al. "
                    "2020 vs Liu et al. 2020); this experiment does not settle it.",
    ),
)
