"""Quiz of notebook 03, LayerNorm vs BatchNorm: one question per row of the seed's table."""

from .framework import Question

QUESTIONS = (
    Question(
        prompt="A transformer activation has shape (B, T, C). Over which values does LayerNorm "
               "compute ONE mean and variance?",
        choices=("The C channels of one token", "All B × T values of one channel",
                 "All T tokens of one sequence", "Every value in the batch"),
        correct=(0,),
        explanation="LayerNorm normalises each token on its own, over its C features, so it "
                    "keeps B × T pairs of statistics. BatchNorm keeps one pair per channel, "
                    "averaged over all B × T positions.",
    ),
    Question(
        prompt="You change the OTHER sequences in a training batch, or pad every sequence "
               "with more zeros. Whose output for token 3 of sequence 0 changes?",
        choices=("BatchNorm's only", "LayerNorm's only", "Both", "Neither"),
        correct=(0,),
        explanation="BatchNorm's statistics are shared across the batch and across time, so the "
                    "other sequences and the padding enter every output. LayerNorm (and RMSNorm) "
                    "use only token 3's own channels: its output is exactly unchanged.",
    ),
    Question(
        prompt="What happens with nn.BatchNorm1d in TRAINING mode at batch size 1?",
        choices=("It raises for a (1, C) input, but runs on a (1, C, T) input, averaging over "
                 "time", "It always raises", "It always works, exactly as in eval mode",
                 "It returns NaN"),
        correct=(0,),
        explanation="With one (1, C) sample there is one value per channel and no variance, so "
                    "PyTorch raises. A (1, C, T) input still has T values per channel and runs, "
                    "with statistics from one sequence only. In eval mode BN uses its running "
                    "statistics and works at any batch size. The seed's 'fails at batch_size=1' "
                    "is too loose; the documented failure is degradation at small batches.",
    ),
    Question(
        prompt="Wu & He (2018) trained ResNet-50 on ImageNet with 32 and with 2 images per GPU. "
               "What happened to BatchNorm's error?",
        choices=("It rose from 23.6 % to 34.7 %; GroupNorm stayed at about 24 %",
                 "It stayed flat; GroupNorm got worse",
                 "Both rose by about 10 points", "BatchNorm improved with smaller batches"),
        correct=(0,),
        explanation="Small batches give noisy batch statistics, and the running averages used "
                    "at test time no longer match them. GroupNorm and LayerNorm compute "
                    "statistics per sample, so the batch size does not enter.",
    ),
    Question(
        prompt="A trained BatchNorm net gives different predictions for the same input in "
               "model.train() and model.eval(). Why?",
        choices=("Training mode normalises with the batch's own statistics, eval mode with "
                 "running averages collected during training",
                 "Dropout is also switched", "Eval mode skips gamma and beta",
                 "The weights change in eval mode"),
        correct=(0,),
        explanation="This is BatchNorm's train/eval discrepancy (Ioffe & Szegedy 2015, Sec. 3.1). "
                    "LayerNorm has no running statistics and behaves the same in both modes.",
    ),
    Question(
        prompt="Which perturbation leaves LayerNorm's output unchanged but changes BatchNorm's?",
        choices=("Scaling ONE example by 3", "Scaling the whole data set by 3",
                 "Scaling ONE row of the weight matrix by 3",
                 "Adding the same vector to every example"),
        correct=(0,),
        explanation="Ba et al. 2016, Table 1: LN is invariant to re-scaling a single example "
                    "(its statistics are its own); BN is not (that example shifts the batch's "
                    "statistics). The others: both are invariant to scaling the data set; only BN "
                    "to scaling one weight row or re-centring the data set.",
    ),
    Question(
        prompt="How many learnable parameters does nn.LayerNorm(512) have?",
        choices=("1,024", "512", "262,144", "0"),
        correct=(0,),
        explanation="A gain γ and a bias β per feature: 2 × 512 = 1,024 (the seed's '~1k'). "
                    "RMSNorm drops the mean and the bias: nn.RMSNorm(512) has 512.",
    ),
)
