"""The notebooks' widgets, one call each: knobs wired to an experiment and its figure."""

from __future__ import annotations

import functools

from .experiments.char_models import CharModelRuns
from .experiments.deep_stacks import init_profiles
from .experiments.lesion import LesionResult
from .experiments.norm_statistics import padding_probe
from .experiments.placement import WARMUP, ffn_gradient_profile, output_change
from .experiments.shattered import ShatteringResult, gradient_on_grid
from .experiments.shortcut_scaling import scaled_init_profile
from .explorer import Explorer, choice_slider, dropdown, slider
from .figures import (draw_run, draw_init_profiles, draw_lesion, draw_padding_probe,
                      draw_placement_probe, draw_scaled_profile, draw_shattered)
from .figures.zoo import draw_zoo_comparison
from .transformer import PLACEMENTS
from .validation import check_result, check_seed
from .zoo import ZOO, zoo_comparison


def init_profile_explorer(*, seed: int = 0) -> Explorer:
    """Depth, skip on/off, norm and initialisation -> activation and gradient scales per layer
    at init."""
    seed = check_seed(seed)
    profiles = functools.lru_cache(maxsize=None)(
        lambda n_blocks, norm, init: init_profiles(n_blocks, norm=norm, init=init, seed=seed))
    explorer = Explorer(
        compute=lambda n_blocks, residual, norm, init: profiles(n_blocks, norm, init),  # both skips
        draw=lambda profiles, residual, **_: draw_init_profiles(profiles, residual=residual),
        knobs={
            "n_blocks": slider(2, 64, value=32, step=2, description="blocks"),
            "residual": dropdown({"residual": True, "plain": False}, value=True,
                                 description="skip"),
            "norm": dropdown({"no norm": "none", "BatchNorm": "batch", "LayerNorm": "layer"},
                             value="none", description="norm"),
            "init": dropdown({"PyTorch default": "default", "He": "he",
                              "He, branch starts at 0": "zero"}, value="default",
                             description="init"),
        },
        title="Plain vs residual stack at initialisation",
        grid={"n_blocks": (4, 16, 32, 64)},
    )
    explorer.show()
    return explorer


def char_model_explorer(runs: CharModelRuns) -> Explorer:
    """Variant, seed and training step -> that model's validation curve and its layers' gradients
    at that step, beside the other wirings of the same seed. Nothing is retrained: every knob
    browses what `train_char_models` recorded."""
    check_result("char_model_explorer", runs, CharModelRuns, "course_utils.train_char_models")
    steps = [(str(step), i) for i, step in enumerate(runs.checkpoints)]    # label: the step
    shown = [i for _, i in steps]
    explorer = Explorer(
        compute=lambda variant, seed_index, checkpoint: runs,
        draw=lambda runs, variant, seed_index, checkpoint: draw_run(
            runs, variant=variant, seed_index=seed_index, checkpoint=checkpoint),
        knobs={
            "variant": dropdown(list(runs.variants), description="wiring",
                                value="post-norm" if "post-norm" in runs.variants else runs.variants[0]),
            "seed_index": dropdown({f"seed {s}": i for i, s in enumerate(runs.seeds)}, value=0,
                                   description="seed"),
            "checkpoint": choice_slider(steps, value=shown[1], description="step"),
        },
        title="Browse the trained runs: one model, one step",
        grid={"checkpoint": tuple(shown[::3]) + ((shown[-1],) if len(shown) % 3 != 1 else ())},
    )
    explorer.show()
    return explorer


def shortcut_gain_explorer(*, seed: int = 0) -> Explorer:
    """Shortcut gain lambda and depth -> lambda^(L-l) beside the real gradient per layer at init."""
    seed = check_seed(seed)
    explorer = Explorer(
        compute=lambda shortcut_gain, n_blocks: scaled_init_profile(n_blocks, shortcut_gain,
                                                                   seed=seed),
        draw=lambda profile, shortcut_gain, n_blocks: draw_scaled_profile(
            profile, shortcut_gain=shortcut_gain, n_blocks=n_blocks),
        knobs={
            "shortcut_gain": choice_slider((0.0, 0.25, 0.5, 0.75, 0.9, 1.0, 1.1), value=0.5,
                                           description="λ"),
            "n_blocks": choice_slider((4, 8, 16, 24, 32, 48), value=24, description="blocks"),
        },
        title="Scaling the shortcut: x ← ReLU(λ·x + F(x))",
    )
    explorer.show()
    return explorer


def lesion_explorer(result: LesionResult) -> Explorer:
    """Which block to delete -> decision regions of the first seed's nets without it, and every
    block's accuracy over the seeds. Blocks are counted from 0, as in `model.blocks[i]`."""
    check_result("lesion_explorer", result, LesionResult, "course_utils.lesion_study")
    intact = -1
    options = {"none (intact)": intact, **{f"block {i}": i for i in range(result.n_blocks)}}
    explorer = Explorer(
        compute=lambda deleted: result,
        draw=lambda result, deleted: draw_lesion(result, deleted=None if deleted == intact else deleted),
        knobs={"deleted": dropdown(options, value=intact, description="delete")},
        title="Delete one block from each trained net",
    )
    explorer.show()
    return explorer


def shattered_explorer(result: ShatteringResult, *, seed: int = 0) -> Explorer:
    """Depth -> df/dx over the grid for a plain and a residual net, beside the autocorrelations."""
    check_result("shattered_explorer", result, ShatteringResult, "course_utils.shattering")
    seed = check_seed(seed)
    def compute(depth: int) -> dict:
        curves = {kind: gradient_on_grid(depth, residual=kind == "residual", seed=seed)
                  for kind in ("plain", "residual")}
        return {"x": curves["plain"][0], "gradients": {k: g for k, (_, g) in curves.items()}}

    explorer = Explorer(
        compute=compute,
        draw=lambda data, depth: draw_shattered(data["x"], data["gradients"], depth=depth,
                                                result=result),
        knobs={"depth": slider(1, 50, value=24, description="depth")},
        title="Shattered gradients: plain vs residual",
        grid={"depth": (1, 2, 4, 8, 16, 24, 32, 50)},
    )
    explorer.show()
    return explorer


def norm_statistics_explorer(*, seed: int = 0) -> Explorer:
    """Norm, batch size and padding -> which axes it reduces, sample 0's normalised tokens, and
    how far they moved from the same tokens in a batch of 8 without padding."""
    seed = check_seed(seed)
    explorer = Explorer(
        compute=lambda norm, batch_size, padding: padding_probe(norm, batch_size, padding,
                                                                seed=seed),
        draw=lambda probe, **_: draw_padding_probe(probe),
        knobs={
            "norm": dropdown({"BatchNorm": "batch", "LayerNorm": "layer", "RMSNorm": "rms"},
                             value="batch", description="norm"),
            "batch_size": choice_slider((1, 2, 4, 8, 16, 32), value=8, description="batch"),
            "padding": choice_slider((0, 2, 4, 8, 16), value=4, description="padding"),
        },
        title="Does a token's output depend on the rest of the batch?",
    )
    explorer.show()
    return explorer


def placement_explorer(*, seed: int = 0) -> Explorer:
    """Depth, LayerNorm placement, warm-up and learning rate -> the gradient per layer at init,
    and how far the first Adam step moves the output for each placement."""
    seed = check_seed(seed)
    @functools.lru_cache(maxsize=None)      # one probe per depth, placement, step size
    def change(placement: str, n_layers: int, lr: float, steps: int) -> float:
        return output_change(placement, n_layers, lr=lr, warmup_steps=steps, seed=seed)

    @functools.lru_cache(maxsize=None)
    def profile(placement: str, n_layers: int) -> list[float]:
        return ffn_gradient_profile(placement, n_layers, seed=seed)

    def compute(n_layers: int, placement: str, warmup: bool, lr: float) -> dict:
        steps = WARMUP["warmup_steps"] if warmup else 0
        return {"profile": profile(placement, n_layers),
                "change": {p: change(p, n_layers, lr, steps) for p in PLACEMENTS}}

    explorer = Explorer(
        compute=compute,
        draw=lambda data, n_layers, placement, warmup, lr: draw_placement_probe(
            data["profile"], data["change"], placement=placement, lr=lr, warmup=warmup),
        knobs={
            "n_layers": choice_slider((1, 2, 4, 8, 12, 16), value=8, description="layers"),
            "placement": dropdown({"post-norm": "post", "pre-norm": "pre", "DeepNorm": "deepnorm"},
                                  value="post", description="norm at"),
            "warmup": dropdown({"no warm-up": False, f"warm-up ({WARMUP['warmup_steps']} steps)": True},
                               value=False, description="warm-up"),
            "lr": choice_slider((1e-4, 3e-4, 1e-3, 3e-3, 1e-2), value=1e-3, description="lr"),
        },
        title="Where the LayerNorm sits: gradients at init and the first update",
        grid={"lr": (1e-4, 1e-3, 1e-2)},
    )
    explorer.show()
    return explorer


def zoo_explorer(*, seed: int = 0) -> Explorer:
    """Architecture and depth -> the gradient along the stack for every architecture, the chosen
    one highlighted, and each one's input-to-output gradient ratio."""
    seed = check_seed(seed)
    by_depth: dict[int, object] = {}    # the probe runs once per depth, whatever is highlighted

    def compute(arch: str, depth: int):
        if depth not in by_depth:
            by_depth[depth] = zoo_comparison(depth, seed=seed)
        return by_depth[depth]

    explorer = Explorer(
        compute=compute,
        draw=lambda comparison, arch, depth: draw_zoo_comparison(comparison, highlight=arch),
        knobs={
            "arch": dropdown({entry.name: key for key, entry in ZOO.items()}, value="rezero",
                             description="block"),
            "depth": choice_slider((2, 4, 8, 16, 32), value=16, description="depth"),
        },
        title="The architecture zoo: one probe, every skip pattern",
    )
    explorer.show()
    return explorer
