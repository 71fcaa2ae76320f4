"""The notebooks' widgets, one call each: knobs wired to an experiment and its figure."""

from __future__ import annotations

from .experiments.deep_stacks import init_profiles
from .explorer import Explorer, dropdown, slider
from .plotting import draw_init_profiles


def init_profile_explorer(*, seed: int = 0) -> Explorer:
    """Depth, skip on/off and norm -> activation and gradient scales per layer at init."""
    explorer = Explorer(
        compute=lambda n_blocks, residual, norm: init_profiles(n_blocks, norm=norm, seed=seed),
        draw=lambda profiles, residual, **_: draw_init_profiles(profiles, residual=residual),
        knobs={
            "n_blocks": slider(2, 64, value=32, step=2, description="blocks"),
            "residual": dropdown({"residual": True, "no residual": False}, value=True,
                                 description="skip"),
            "norm": dropdown({"no norm": "none", "BatchNorm": "batch", "LayerNorm": "layer"},
                             value="none", description="norm"),
        },
        title="Plain vs residual stack at initialisation",
    )
    explorer.show()
    return explorer
