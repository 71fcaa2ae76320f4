"""course_utils: the blocks, norms, experiments, plots, widgets, exercises and quizzes shared by
the notebooks of the course on residual connections and normalisation layers.

Importing it has no side effects: nothing is seeded, printed or configured until you call
`setup()`.
"""

__version__ = "0.1.0"

from . import papers
from .blocks import (MLPStack, Residual, he_init, mlp_branch, mlp_stack, preact_branch,
                     zero_last_linear)
from .claims import above, below, between, expect
from .data import reverse_task, two_spirals
from .diagrams import draw_expressway
from .exercises import EXERCISES, check, hint, predict, solution
from .experiments.char_models import (CHAR_MODEL, TRAINING, VARIANTS, CharModelRuns, char_model,
                                      evaluation_windows, train_char_models)
from .experiments.deep_stacks import (INITS, DeepWithoutNormResult, DegradationResult,
                                      InitProfiles, branch_to_stream_ratio, deep_without_norm,
                                      degradation, init_profiles)
from .experiments.jacobians import JacobianSpectra, end_to_end_singular_values, jacobian_spectra
from .experiments.lesion import LesionResult, block_deleted, lesion_study
from .experiments.norm_statistics import (REDUCED_DIMS, PaddingProbe, invariance_table,
                                          normalise_sequence, padding_probe)
from .experiments.placement import (GradientsByDepth, OutputChangeByDepth, WarmupResult,
                                    ffn_gradient_profile, gradients_by_depth, output_change,
                                    output_change_by_depth, warmup_study)
from .experiments.shattered import (ShatteringResult, gradient_on_grid, lag1_autocorrelation,
                                    shattering)
from .experiments.preactivation import (PreactivationResult, preactivation_study,
                                        relu_after_add_mask)
from .experiments.small_batch import SmallBatchResult, small_batch_study
from .experiments.shortcut_scaling import (ShortcutScalingResult, scaled_init_profile,
                                           shortcut_scaling)
from .explorer import Explorer
from .norms import NORM_LABELS, NORMS, make_norm
from .figures import (draw_char_models, draw_inside, draw_run, draw_deep_without_norm, draw_degradation, draw_preactivation, draw_direct_term, draw_init_profiles,
                      draw_invariance_grid, draw_jacobian_spectra, draw_lesion, draw_norm_axes,
                      draw_padding_probe, draw_path_lengths, draw_shattered,
                      draw_shortcut_scaling, draw_small_batch, draw_gradients_at_init,
                      draw_output_change, draw_placement_probe, draw_warmup,
                      draw_zoo_comparison)
from .plotting import SERIES, new_figure
from .probes import LayerProfile, layer_profile
from .progress_bars import progress_bar
from .quiz import QUIZZES, quiz
from .readable import (char_model_run, deep_without_norm_run, degradation_run, lesion_run,
                       output_change_run, preactivation_run, shortcut_scaling_run, show_code,
                       small_batch_run, warmup_run)
from .runtime import DEVICE, seed_everything, setup
from .student_record import progress
from .tables import Table
from .text import CharCorpus, char_corpus, documentation_text, ngram_bits
from .training import History, evaluate, train
from .transformer import (PLACEMENTS, TinyTransformer, TransformerBlock, deepnorm_constants,
                          deepnorm_sublayer, post_norm_sublayer, pre_norm_sublayer)
from .widgets import (char_model_explorer, init_profile_explorer, lesion_explorer, norm_statistics_explorer,
                      placement_explorer, shattered_explorer, shortcut_gain_explorer,
                      zoo_explorer)
from .zoo import ZOO, ZooComparison, ZooStack, parameter_count, zoo_comparison

__all__ = [
    "char_model_explorer",
    "draw_run",
    "CHAR_MODEL",
    "TRAINING",
    "VARIANTS",
    "CharCorpus",
    "CharModelRuns",
    "char_corpus",
    "char_model",
    "documentation_text",
    "draw_char_models",
    "draw_inside",
    "evaluation_windows",
    "ngram_bits",
    "train_char_models",
    "relu_after_add_mask",
    "preactivation_study",
    "preact_branch",
    "he_init",
    "draw_preactivation",
    "draw_deep_without_norm",
    "deep_without_norm",
    "PreactivationResult",
    "DeepWithoutNormResult",
    "INITS",
    "above",
    "below",
    "between",
    "DEVICE",
    "DegradationResult",
    "EXERCISES",
    "Explorer",
    "GradientsByDepth",
    "History",
    "InitProfiles",
    "JacobianSpectra",
    "LayerProfile",
    "LesionResult",
    "MLPStack",
    "NORMS",
    "NORM_LABELS",
    "OutputChangeByDepth",
    "PLACEMENTS",
    "PaddingProbe",
    "QUIZZES",
    "REDUCED_DIMS",
    "Residual",
    "SERIES",
    "ShatteringResult",
    "ShortcutScalingResult",
    "SmallBatchResult",
    "Table",
    "TinyTransformer",
    "TransformerBlock",
    "WarmupResult",
    "ZOO",
    "ZooComparison",
    "ZooStack",
    "block_deleted",
    "branch_to_stream_ratio",
    "char_model_run",
    "check",
    "deep_without_norm_run",
    "deepnorm_constants",
    "deepnorm_sublayer",
    "degradation",
    "degradation_run",
    "draw_degradation",
    "draw_direct_term",
    "draw_expressway",
    "draw_gradients_at_init",
    "draw_init_profiles",
    "draw_invariance_grid",
    "draw_jacobian_spectra",
    "draw_lesion",
    "draw_norm_axes",
    "draw_output_change",
    "draw_padding_probe",
    "draw_path_lengths",
    "draw_placement_probe",
    "draw_shattered",
    "draw_shortcut_scaling",
    "draw_small_batch",
    "draw_warmup",
    "draw_zoo_comparison",
    "end_to_end_singular_values",
    "evaluate",
    "expect",
    "ffn_gradient_profile",
    "gradient_on_grid",
    "gradients_by_depth",
    "hint",
    "init_profile_explorer",
    "init_profiles",
    "invariance_table",
    "jacobian_spectra",
    "lag1_autocorrelation",
    "layer_profile",
    "lesion_explorer",
    "lesion_run",
    "lesion_study",
    "make_norm",
    "mlp_branch",
    "mlp_stack",
    "new_figure",
    "norm_statistics_explorer",
    "normalise_sequence",
    "output_change",
    "output_change_by_depth",
    "output_change_run",
    "padding_probe",
    "papers",
    "parameter_count",
    "placement_explorer",
    "post_norm_sublayer",
    "pre_norm_sublayer",
    "preactivation_run",
    "predict",
    "progress",
    "progress_bar",
    "quiz",
    "reverse_task",
    "scaled_init_profile",
    "seed_everything",
    "setup",
    "shattered_explorer",
    "shattering",
    "shortcut_gain_explorer",
    "shortcut_scaling",
    "shortcut_scaling_run",
    "show_code",
    "small_batch_run",
    "small_batch_study",
    "solution",
    "train",
    "two_spirals",
    "warmup_run",
    "warmup_study",
    "zero_last_linear",
    "zoo_comparison",
    "zoo_explorer",
]
