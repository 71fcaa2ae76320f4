"""Quiz of notebook 03, LayerNorm vs BatchNorm: one question per row of the usual comparison
table, as the notebook checks it."""

from .framework import Question

QUESTIONS = (
    Question(
        prompt="A transformer activation has shape (B, T, C). Over which values does LayerNorm "
               "compute ONE mean and variance?",
        choices=("All B × T values of one channel", "The C channels of one token",
                 "All T tokens of one sequence", "Every value in the batch"),
        correct=(1,),
        reasons=("That is BatchNorm's statistic (nn.BatchNorm1d on the (B, C, T) layout).",
                 "",
                 "That would mix positions (in a language model, the future into the past); "
                 "LayerNorm keeps each token to itself.",
                 "One statistic for everything would normalise nothing per token or per channel."),
        explanation="LayerNorm normalises each token on its own, over its C features, so it "
                    "keeps B × T pairs of statistics. BatchNorm keeps one pair per channel, "
                    "averaged over all B × T positions.",
    ),
    Question(
        prompt="You change the OTHER sequences in a training batch, or pad every sequence "
               "with more zeros. Whose output for token 3 of sequence 0 changes?",
        choices=("Both", "LayerNorm's only", "BatchNorm's only", "Neither"),
        correct=(2,),
        reasons=("LayerNorm uses only token 3's own channels: nothing else enters its output.",
                 "It is the other way round: LayerNorm looks at one token, BatchNorm at the "
                 "whole batch and time.",
                 "",
                 "BatchNorm's statistics include the other sequences and the padding."),
        explanation="BatchNorm's statistics are shared across the batch and across time, so the "
                    "other sequences and the padding enter every output. LayerNorm (and RMSNorm) "
                    "use only token 3's own channels: its output is exactly unchanged.",
    ),
    Question(
        prompt="What happens with nn.BatchNorm1d in TRAINING mode at batch size 1?",
        choices=("It always raises", "It always works, exactly as in eval mode",
                 "It returns NaN",
                 "It raises for a (1, C) input, but runs on a (1, C, T) input, averaging over "
                 "time"),
        correct=(3,),
        reasons=("A (1, C, T) input still has T values per channel, so it runs.",
                 "A (1, C) input has one value per channel and no variance: training mode "
                 "raises.",
                 "PyTorch raises a ValueError for a (1, C) input rather than returning NaN.",
                 ""),
        explanation="With one (1, C) sample there is one value per channel and no variance, so "
                    "PyTorch raises. A (1, C, T) input still has T values per channel and runs, "
                    "with statistics from one sequence only. In eval mode BN uses its running "
                    "statistics and works at any batch size. A common summary says BatchNorm "
                    "'fails at batch_size=1'; that is too loose: the documented failure is "
                    "degradation at small batches (Wu & He 2018).",
    ),
    Question(
        prompt="Wu & He (2018) trained ResNet-50 on ImageNet with 32 and with 2 images per GPU: "
               "BatchNorm's error grew by about 11 points, GroupNorm's hardly moved. Why?",
        choices=("With 2 images, the batch's mean and variance are noisy estimates, and the "
                 "running averages used at test time no longer match what the net trained with; "
                 "GroupNorm takes its statistics from each image alone",
                 "GroupNorm has more learned parameters than BatchNorm",
                 "Small batches mean more steps per epoch, so BatchNorm overfits",
                 "BatchNorm cannot compute a variance from 2 values"),
        correct=(0,),
        reasons=("",
                 "Both learn one gain and one shift per channel.",
                 "GroupNorm would see the same number of steps; only BatchNorm's statistics "
                 "depend on the batch.",
                 "It can: per channel it averages over the 2 images and all their spatial "
                 "positions; the estimate is just noisier."),
        explanation="BatchNorm normalises with the batch's own statistics in training and with "
                    "running averages at test time; at 2 images per GPU both are poor. GroupNorm "
                    "and LayerNorm compute statistics per sample, so the batch size does not "
                    "enter.",
    ),
    Question(
        prompt="A trained BatchNorm net gives different predictions for the same input in "
               "model.train() and model.eval(). Why?",
        choices=("Dropout is also switched", "Eval mode skips gamma and beta",
                 "Training mode normalises with the batch's own statistics, eval mode with "
                 "running averages collected during training",
                 "The weights change in eval mode"),
        correct=(2,),
        reasons=("There may be no dropout at all; BatchNorm alone computes different functions "
                 "in the two modes.",
                 "γ and β apply in both modes; what changes is the mean and variance used.",
                 "",
                 "model.eval() changes no weight; it switches how some layers compute."),
        explanation="This is BatchNorm's train/eval discrepancy (Ioffe & Szegedy 2015, Sec. 3.1). "
                    "Training mode normalises with the batch's biased variance; the running "
                    "variance kept for eval mode is the unbiased estimate (PyTorch's running_var). "
                    "LayerNorm has no running statistics and behaves the same in both modes.",
    ),
    Question(
        prompt="A causal language model predicts each token from the tokens before it. What goes "
               "wrong if its norm is BatchNorm over the batch and time axes?",
        choices=("The batch statistics include later tokens, so in training each position's "
                 "output depends a little on the future; at inference, with running statistics, "
                 "the model behaves differently",
                 "Nothing: the causal mask in attention already hides the future",
                 "It raises an error when the sequence is longer than the batch",
                 "Only the speed suffers"),
        correct=(0,),
        reasons=("",
                 "The mask hides later tokens from attention, but the norm's mean and variance "
                 "are averaged over every position, later ones included.",
                 "It runs at any length: the problem is silent.",
                 "The problem is what each position can see, not how fast the model runs."),
        explanation="BatchNorm's statistic for a channel is averaged over all B × T positions, so "
                    "later tokens enter the output at earlier positions (the padding probe of "
                    "section 3 shows the dependence). In training the predictions can peek at the "
                    "future through the batch statistics; at inference BatchNorm switches to its "
                    "running statistics and the model behaves differently. LayerNorm and RMSNorm "
                    "use each token's own channels: nothing leaks.",
    ),
    Question(
        prompt="Which perturbation leaves LayerNorm's output unchanged but changes BatchNorm's?",
        choices=("Scaling the whole data set by 3", "Scaling ONE example by 3",
                 "Scaling ONE row of the weight matrix by 3",
                 "Adding the same vector to every example"),
        correct=(1,),
        reasons=("Both are invariant to that: each normalises away a common scale.",
                 "",
                 "That is the reverse: BatchNorm normalises each unit on its own and ignores it; "
                 "LayerNorm does not.",
                 "That changes LayerNorm's output (it is not invariant to re-centring the data) "
                 "and leaves BatchNorm's unchanged."),
        explanation="Ba et al. 2016, Table 1: LN is invariant to re-scaling a single example "
                    "(its statistics are its own); BN is not (that example shifts the batch's "
                    "statistics). Of the others, both norms ignore a scaled data set; only BN "
                    "ignores a scaled weight row or a re-centred data set.",
    ),
    Question(
        prompt="How many learnable parameters does nn.LayerNorm(512) have?",
        choices=("512", "262,144", "0", "1,024"),
        correct=(3,),
        reasons=("That is nn.RMSNorm(512): a gain only. LayerNorm also has a bias.",
                 "That would be a 512 × 512 matrix; a norm has a gain and a bias per feature.",
                 "nn.LayerNorm has a learnable gain and bias unless elementwise_affine=False.",
                 ""),
        explanation="A gain γ and a bias β per feature: 2 × 512 = 1,024 (the '~1k' that "
                    "summaries quote). RMSNorm drops the mean and the bias: nn.RMSNorm(512) has "
                    "512.",
    ),
)
