"""The papers' own numbers, printed beside the course's miniatures. Each carries its source
(table or figure); ../shared/references/papers.md has the full setups."""

from __future__ import annotations

HE2015_IMAGENET_TOP1_ERROR = {
    # He, Zhang, Ren, Sun 2015, "Deep Residual Learning for Image Recognition", Table 2:
    # ImageNet top-1 error (%, 10-crop testing).
    ("plain", 18): 27.94, ("plain", 34): 28.54,
    ("residual", 18): 27.88, ("residual", 34): 25.03,
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
    # Liu et al. 2020, "Understanding the Difficulty of Training Transformers", WMT14 En-De BLEU
    # by encoder-decoder depth; "failed" = did not converge.
    ("post-norm", "27.80", "failed", "failed"),
    ("pre-norm", "27.27", "28.26", "28.38"),
    ("Admin", "27.90", "28.58", "29.03"),
]
LIU2020_DEPTHS = ("6L-6L", "12L-12L", "18L-18L")

VASWANI2017_PARAMS = {
    # nn.MultiheadAttention(512, 8) and nn.LayerNorm(512), as the seed counts them
    "mha_512_8": 1_050_624, "layer_norm_512": 1_024, "together": 1_051_648,
}
