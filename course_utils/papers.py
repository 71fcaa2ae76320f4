"""The papers' own numbers, printed beside the course's miniatures. Each carries its source
(table or figure); ../shared/references/papers.md has the full setups."""

from __future__ import annotations

HE2015_IMAGENET_TOP1_ERROR = {
    # He, Zhang, Ren, Sun 2015, "Deep Residual Learning for Image Recognition", Table 2:
    # ImageNet top-1 error (%, 10-crop testing).
    # Strings: the paper's own digits, printed as they are (27.94 and 27.88 differ in the second).
    ("plain", 18): "27.94", ("plain", 34): "28.54",
    ("residual", 18): "27.88", ("residual", 34): "25.03",
}

HE2016_SHORTCUT_TABLE = [
    # He, Zhang, Ren, Sun 2016, "Identity Mappings in Deep Residual Networks", Table 1:
    # ResNet-110 on CIFAR-10, test error (%), median of 5 runs; "fail" means above 20 %.
    ("original: identity shortcut (λ = 1)", "6.61"),
    ("constant scaling, λ = 0.5 on the shortcut", "fail"),
    ("constant scaling, λ = 0.5 on shortcut and branch", "12.35"),
    ("no shortcut (λ = 0): a plain net", "fail"),
    ("1×1 convolution shortcut", "12.22"),
    ("dropout 0.5 on the shortcut", "fail"),
]

VEIT2016 = {
    # Veit, Wilber, Belongie 2016, "Residual Networks Behave Like Ensembles of Relatively
    # Shallow Networks", Sec. 5: in ResNet-110 (54 blocks) almost all of the gradient comes from
    # paths through 5 to 17 blocks, which are only 0.45 % of all paths.
    "n_blocks": 54,
    "effective_path_lengths": (5, 17),
    "effective_fraction_percent": 0.45,
}

WU_HE2018_BATCH_SIZES = (32, 16, 8, 4, 2)
WU_HE2018_ERROR = {
    # Wu & He 2018, "Group Normalization", Fig. 1 / Table 2: ResNet-50 ImageNet validation error
    # (%) by images per GPU (8 GPUs, BN statistics per GPU, not synchronised).
    "batch": (23.6, 23.7, 24.8, 27.3, 34.7),
    "group": (24.1, 24.2, 24.0, 24.2, 24.1),
}
WU_HE2018_LN_AT_32 = 25.3   # Table 1, LayerNorm at 32 images per GPU

INVARIANCES = ("weight-matrix re-scale", "weight-matrix re-centre", "weight-vector re-scale",
               "dataset re-scale", "dataset re-centre", "single-example re-scale")
BA2016_INVARIANCE = {
    # Ba, Kiros, Hinton 2016, "Layer Normalization", Table 1 (the RMSNorm row from the RMSNorm
    # authors' README, Zhang & Sennrich 2019): True = the normalised output does not change.
    "batch": (True, False, True, True, True, False),
    "layer": (True, True, False, True, False, True),
    "rms": (True, False, False, True, False, True),
}

XIONG2020 = {
    # Xiong et al. 2020, "On Layer Normalization in the Transformer Architecture".
    "bleu_post_ln_adam_no_warmup": 8.45,     # Sec. 3.2, IWSLT14 De-En, vs ~34 with warm-up
    "bleu_post_ln_adam_warmup_4000": 34,
    "last_layer_gradient_post_ln": "about 1.6 whatever the depth (Fig. 3c, 6-6 to 14-14 layers)",
    "last_layer_gradient_pre_ln": "decreases with depth (Fig. 3d); Theorem 1: O(d sqrt(ln d / L))",
}

LIU2020_BLEU = [
    # Liu, Liu, Gao, Chen & Han 2020 ("Admin", EMNLP), "Understanding the Difficulty of Training Transformers", WMT14 En-De BLEU
    # by encoder-decoder depth; "failed" = did not converge.
    ("post-norm", "27.80", "failed", "failed"),
    ("pre-norm", "27.27", "28.26", "28.38"),
    ("Admin", "27.90", "28.58", "29.03"),
]
LIU2020_DEPTHS = ("6L-6L", "12L-12L", "18L-18L")

VASWANI2017_PARAMS = {
    # nn.MultiheadAttention(512, 8) and nn.LayerNorm(512), as a common summary counts them
    "mha_512_8": 1_050_624, "layer_norm_512": 1_024, "together": 1_051_648,
}

# --- CIFAR-10 with BatchNorm: He et al. 2015 and 2016 -------------------------------------
# Every network in the next four constants has BatchNorm: He et al. 2015, Sec. 3.4, "batch
# normalization (BN) right after each convolution and before activation"; the 2016 tables move
# BN and ReLU around inside the residual unit, they never take BN out.

HE2015_CIFAR10_COLUMNS = ("network", "parameters", "test error (%)")
HE2015_CIFAR10 = [
    # He, Zhang, Ren, Sun 2015, "Deep Residual Learning for Image Recognition", Table 6:
    # CIFAR-10 test error (%). "6.43 (6.61 ± 0.16)": best of 5 runs (mean ± std of the 5).
    ("ResNet-20", "0.27M", "8.75"),
    ("ResNet-32", "0.46M", "7.51"),
    ("ResNet-44", "0.66M", "7.17"),
    ("ResNet-56", "0.85M", "6.97"),
    ("ResNet-110", "1.7M", "6.43 (6.61 ± 0.16)"),
    ("ResNet-1202", "19.4M", "7.93"),
]
HE2015_PLAIN110 = {
    # He et al. 2015, Fig. 6 (plain nets on CIFAR-10, with BN): the 110-layer plain net is off the
    # plot. The paper gives only this bound, no exact figure.
    "quote": "The error of plain-110 is higher than 60% and not displayed.",
    "error_above_percent": 60,
}

HE2016_ACTIVATION_COLUMNS = ("placement", "ResNet-110", "ResNet-164")
HE2016_ACTIVATION_TABLE = [
    # He, Zhang, Ren, Sun 2016, "Identity Mappings in Deep Residual Networks", Table 2:
    # CIFAR-10 test error (%) by where BN and ReLU sit in the unit (Fig. 4 (a)-(e)).
    ("original", "6.61", "5.93"),
    ("BN after addition", "8.17", "6.50"),
    ("ReLU before addition", "7.84", "6.14"),
    ("ReLU-only pre-activation", "6.71", "5.91"),
    ("full pre-activation", "6.37", "5.46"),
]

HE2016_PREACT_TABLE3_COLUMNS = ("dataset", "network", "original unit", "pre-activation unit")
HE2016_PREACT_TABLE3 = [
    # He et al. 2016, Table 3: test error (%), original (post-activation) -> full pre-activation.
    ("CIFAR-10", "ResNet-110 (1-layer skip)", "9.90", "8.91"),
    ("CIFAR-10", "ResNet-110", "6.61", "6.37"),
    ("CIFAR-10", "ResNet-164", "5.93", "5.46"),
    ("CIFAR-10", "ResNet-1001", "7.61", "4.92"),
    ("CIFAR-100", "ResNet-164", "25.16", "24.33"),
    ("CIFAR-100", "ResNet-1001", "27.82", "22.71"),
]

# --- Identity at initialisation, without normalisation: Fixup, SkipInit, ReZero -----------
# Fixup: Zhang, Dauphin, Ma, ICLR 2019 (arXiv 1901.09321). SkipInit: De & Smith, NeurIPS 2020
# (arXiv 2002.10444). ReZero: Bachlechner, Majumder, Mao, Cottrell, McAuley 2020 (arXiv
# 2003.04887). Only the abstracts and introductions of these papers could be read here, not
# their results tables: so the papers' own test errors (Fixup's CIFAR-10 ResNet-110 and ImageNet
# ResNet-50 tables, SkipInit's Wide-ResNet and ImageNet tables, ReZero's enwiki8 and CIFAR-10
# tables) are NOT in this table. Each row says where it was read; quotes are the paper's words.
# "normalisation" says what the remedy's network had: for Fixup, the official code has no
# normalisation layer (hongyi-zhang/Fixup, cifar/ and imagenet/ models); for ReZero, the official
# Transformer layer has none (majumderb/rezero, rezero/transformer/rztx.py: x + α·F(x), one
# α per layer, zero at init) and neither has the first author's 10,000-layer fully connected
# example (tbachlechner/ReZero-examples, x + α_i·ReLU(W_i x)).
IDENTITY_INIT_UNNORMALISED_COLUMNS = (
    "remedy", "network, task", "normalisation", "result", "compared with", "read in")
IDENTITY_INIT_UNNORMALISED = [
    ("Fixup", "residual networks up to 10,000 layers", "none",
     "training 'as stable as training with normalization'", "the same nets with normalization",
     "Fixup arXiv abstract"),
    ("Fixup", "residual networks, image classification and machine translation", "none",
     "'state-of-the-art performance' with proper regularization", "normalized baselines",
     "Fixup arXiv abstract"),
    ("SkipInit", "residual networks one thousand layers deep", "none",
     "'can train one thousand layer deep residual networks without normalization'", "—",
     "SkipInit Introduction (arXiv 2002.10444v3 text, SPIQA extracted paragraphs)"),
    ("SkipInit", "residual networks over a range of batch sizes", "none vs BatchNorm",
     "the larger learning rates BN allows are 'only beneficial in specific compute regimes', with "
     "'minimal benefits when the batch size is small'", "batch-normalized networks",
     "SkipInit arXiv / NeurIPS 2020 abstract"),
    ("ReZero", "fully connected networks, 10,000 layers", "none",
     "'ReZero successfully trains 10,000 layers of fully-connected networks'", "—",
     "ReZero Introduction (arXiv 2003.04887 v1, arxiv-vanity and deepai copies)"),
    ("ReZero", "deep fully connected networks", "none", "'1,500% faster convergence'",
     "not named in the abstract", "ReZero arXiv abstract, v1"),
    ("ReZero", "Transformers over 100 layers (120 in the later abstract)",
     "no LayerNorm, no learning-rate warm-up", "trained", "—",
     "ReZero Introduction (v1); later arXiv abstract for 120"),
    ("ReZero", "12-layer Transformer, enwiki8", "no LayerNorm",
     "reaches 1.2 BPB 56% faster", "'the vanilla Transformer'",
     "ReZero Introduction and abstract (v1)"),
]
# Left out because they are not the papers' own words: a third-party listing of Fixup's
# Wide-ResNet CIFAR-10 result (97.7 % correct with mixup + cutout), and the official Fixup
# repository's note on a ResNet-50 ImageNet re-implementation ("around 76.0%" top-1).
# Left out of the table because what was read does not say the network was un-normalised:
# ReZero's "32% speed up to reach 85% accuracy on CIFAR 10" with a ResNet-56 (Introduction, v1),
# compared there with "regular residual networks with normalization".
