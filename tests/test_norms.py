import pytest
from torch import nn

from course_utils import NORMS, make_norm


@pytest.mark.parametrize("name, kind", [("none", nn.Identity), ("batch", nn.BatchNorm1d),
                                        ("layer", nn.LayerNorm)])
def test_make_norm_builds_the_named_layer(name, kind):
    assert isinstance(make_norm(name, 8), kind)


def test_norm_names_are_the_ones_make_norm_accepts():
    for name in NORMS:
        make_norm(name, 16)


def test_unknown_norm_raises_listing_the_valid_ones():
    with pytest.raises(ValueError, match="unknown norm 'instance'; choose one of 'none', 'batch', 'layer'"):
        make_norm("instance", 8)


def test_zero_width_is_refused():
    with pytest.raises(ValueError, match="width must be at least 1"):
        make_norm("layer", 0)


@pytest.mark.parametrize("name, kind", [("group", nn.GroupNorm), ("rms", nn.RMSNorm)])
def test_group_and_rms_norms(name, kind):
    assert isinstance(make_norm(name, 16), kind)


def test_group_norm_needs_a_width_divisible_by_its_groups():
    with pytest.raises(ValueError, match="divisible by 8"):
        make_norm("group", 12)
