"""course_utils: the blocks, norms, experiments, plots, widgets, exercises and quizzes shared by
the notebooks of the course on residual connections and normalisation layers.

Importing it has no side effects: nothing is seeded, printed or configured until you call
`setup()`.
"""

__version__ = "0.1.0"

from . import papers
from .blocks import MLPStack, Residual, mlp_branch, mlp_stack, zero_last_linear
from .claims import ClaimFailed, expect
from .data import two_spirals
from .diagrams import draw_expressway
from .exercises import EXERCISES, check, hint, solution
from .experiments.deep_stacks import (DegradationResult, InitProfiles, branch_to_stream_ratio,
                                      degradation, init_profiles)
from .explorer import Explorer
from .norms import NORMS, make_norm
from .plotting import SERIES, draw_degradation, draw_init_profiles, new_figure
from .probes import LayerProfile, layer_profile
from .progress import progress_bar
from .quiz import QUIZZES, quiz
from .runtime import pick_device, seed_everything, setup
from .tables import Table
from .training import History, evaluate, train
from .widgets import init_profile_explorer

__all__ = [
    "EXERCISES", "NORMS", "QUIZZES", "SERIES", "ClaimFailed", "DegradationResult", "Explorer",
    "History", "InitProfiles", "LayerProfile", "MLPStack", "Residual", "Table",
    "branch_to_stream_ratio", "check", "degradation", "draw_degradation", "draw_expressway",
    "draw_init_profiles", "evaluate", "expect", "hint", "init_profile_explorer", "init_profiles",
    "layer_profile", "make_norm", "mlp_branch", "mlp_stack", "new_figure", "papers",
    "pick_device", "progress_bar", "quiz", "seed_everything", "setup", "solution", "train",
    "two_spirals", "zero_last_linear",
]
