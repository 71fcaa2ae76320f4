"""The course's figures, one per experiment: each takes an experiment's result (plain data) and
returns a Figure; building blocks (palette, axes helpers) are in course_utils.plotting."""

from .char_models import draw_char_models, draw_inside, draw_run
from .deep_stacks import draw_deep_without_norm, draw_degradation, draw_init_profiles
from .normalisation import (draw_invariance_grid, draw_norm_axes, draw_padding_probe,
                            draw_small_batch, draw_tensor_axes)
from .placement import (draw_gradients_at_init, draw_output_change, draw_placement_probe,
                        draw_warmup)
from .preactivation import draw_preactivation
from .zoo import draw_zoo_comparison
from .residual_math import (draw_direct_term, draw_jacobian_spectra, draw_lesion,
                            draw_path_lengths, draw_scaled_profile, draw_shattered,
                            draw_shortcut_scaling)

__all__ = ["draw_char_models", "draw_inside", "draw_run", "draw_deep_without_norm", "draw_degradation", "draw_preactivation", "draw_direct_term", "draw_gradients_at_init",
           "draw_output_change", "draw_placement_probe", "draw_warmup", "draw_init_profiles", "draw_invariance_grid",
           "draw_jacobian_spectra", "draw_lesion", "draw_norm_axes", "draw_padding_probe",
           "draw_path_lengths", "draw_scaled_profile", "draw_shattered", "draw_shortcut_scaling",
           "draw_small_batch", "draw_tensor_axes", "draw_zoo_comparison"]
