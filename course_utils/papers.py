"""The papers' own numbers, printed beside the course's miniatures. Each carries its source
(table or figure); ../shared/references/papers.md has the full setups."""

from __future__ import annotations

HE2015_IMAGENET_TOP1_ERROR = {
    # He, Zhang, Ren, Sun 2015, "Deep Residual Learning for Image Recognition", Table 2:
    # ImageNet top-1 error (%, 10-crop testing).
    ("plain", 18): 27.94, ("plain", 34): 28.54,
    ("residual", 18): 27.88, ("residual", 34): 25.03,
}
