"""The experiments of notebook 03: what each norm reduces, the padding probe, the invariance
table and the small-batch study (on a small setting)."""

import pytest
import torch

from course_utils import (REDUCED_DIMS, invariance_table, normalise_sequence, padding_probe,
                          small_batch_study)
from course_utils.batched import BatchedMLPStack
from course_utils.experiments.small_batch import error_with_batch_statistics, small_batch_net
from course_utils.papers import BA2016_INVARIANCE, INVARIANCES


@pytest.mark.parametrize("norm", ["batch", "layer", "rms"])
def test_normalise_sequence_matches_the_torch_layers(norm):
    x = torch.randn(3, 5, 4) + 2
    layer = {"batch": None, "layer": torch.nn.LayerNorm(4, elementwise_affine=False),
             "rms": torch.nn.RMSNorm(4, elementwise_affine=False, eps=1e-5)}[norm]
    if norm == "batch":
        bn = torch.nn.BatchNorm1d(4, affine=False)
        expected = bn(x.transpose(1, 2)).transpose(1, 2)
    else:
        expected = layer(x)
    assert torch.allclose(normalise_sequence(x, norm), expected, atol=1e-6)
    statistic = normalise_sequence(x, norm).mean(dim=REDUCED_DIMS[norm])
    if norm != "rms":
        assert statistic.abs().max() < 1e-5     # centred over exactly the reduced dims


def test_normalise_sequence_refuses_bad_input_clearly():
    with pytest.raises(ValueError, match="unknown norm 'group'"):
        normalise_sequence(torch.randn(2, 3, 4), "group")
    with pytest.raises(ValueError, match="3"):
        normalise_sequence(torch.randn(2, 4), "layer")
    with pytest.raises(ValueError, match="at least 2 values per channel"):
        normalise_sequence(torch.randn(1, 1, 4), "batch")


def test_padding_probe_is_exactly_zero_for_per_token_norms_and_not_for_batch_norm():
    for norm in ("layer", "rms"):
        assert padding_probe(norm, 2, 8).change.max() == 0
    assert padding_probe("batch", 8, 0).change.max() == 0          # the reference itself
    assert padding_probe("batch", 8, 4).change.max() > 0.1
    probe = padding_probe("batch", 1, 0, length=12, channels=16)
    assert probe.output.shape == (12, 16) and probe.change.shape == (12,)


def test_padding_probe_refuses_a_zero_batch():
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        padding_probe("batch", 0, 0)


@pytest.mark.parametrize("seed", range(3))
def test_invariance_table_matches_the_paper(seed):
    table = invariance_table(seed=seed)
    assert table == BA2016_INVARIANCE
    assert all(len(row) == len(INVARIANCES) for row in table.values())


def test_small_batch_study_records_every_norm_batch_size_and_seed():
    result = small_batch_study(batch_sizes=(64, 32), norms=("batch", "layer"), seed=2, n_seeds=3,
                               progress=False)
    assert set(result.error) == {"batch", "layer"} and result.seeds == (2, 3, 4)
    assert result.error["batch"].shape == result.batch_stat_error.shape == (3, 2)
    assert ((0 <= result.error["layer"]) & (result.error["layer"] <= 100)).all()
    assert result.at("layer", 32) == result.error["layer"][:, 1].tolist()
    assert result.median("layer")[1] == result.error["layer"][:, 1].median().item()
    assert len(result.median_batch_stat_error()) == 2


def test_small_batch_study_refuses_batch_size_one():
    with pytest.raises(ValueError, match="every value of batch_sizes must be at least 2"):
        small_batch_study(batch_sizes=(1,), progress=False)


def test_batch_statistics_use_shuffled_batches_and_leave_the_model_in_eval_mode():
    model = BatchedMLPStack([small_batch_net("batch", seed=s) for s in (0, 1)])
    X = torch.randn(2, 64, 2)
    y = torch.cat([torch.zeros(32), torch.ones(32)]).long().expand(2, -1)
    error = error_with_batch_statistics(model, X, y, 8)
    assert error.shape == (2,) and ((0 <= error) & (error <= 100)).all() and not model.training
