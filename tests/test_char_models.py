"""The capstone's text and character models: the corpus and its baselines computed by hand on a
tiny text, the windows' shift, the training's records, and the student's wrapper being the one
the models use."""

import math

import pytest
import torch

import course_utils as cu
from course_utils.exercises.capstone import residual_sublayer
from course_utils.experiments.char_models import EVAL_WINDOWS, _groups


def test_the_documentation_ships_with_python_and_is_long_enough():
    text = cu.documentation_text()
    assert len(text) > 300_000 and "assert" in text


def test_the_corpus_splits_by_position_and_round_trips():
    corpus = cu.char_corpus("abcab" * 40, validation_fraction=0.25)
    assert corpus.vocabulary == "abc" and corpus.vocab_size == 3
    assert len(corpus.train) == 150 and len(corpus.validation) == 50
    assert corpus.decode(corpus.train[:5]) == "abcab"
    assert corpus.encode("cab").tolist() == [2, 0, 1]
    with pytest.raises(ValueError, match="not in the vocabulary: 'z'"):
        corpus.encode("abz")
    with pytest.raises(ValueError, match="whole numbers in 0..2"):
        corpus.decode([0, 3])


def test_windows_are_evenly_spaced_and_their_targets_are_the_next_characters():
    corpus = cu.char_corpus("".join(chr(65 + i % 26) for i in range(400)))
    inputs, targets = corpus.windows("validation", 5, 3)
    assert inputs.shape == targets.shape == (3, 5)
    assert torch.equal(inputs[:, 1:], targets[:, :-1])
    assert inputs[0, 0] == corpus.validation[0] and targets[-1, -1] == corpus.validation[-1]
    with pytest.raises(ValueError, match="'train' or 'validation'"):
        corpus.windows("test", 5, 3)


def test_the_baselines_match_counts_done_by_hand():
    corpus = cu.char_corpus("aab" * 40 + "ab", validation_fraction=0.5)
    train = corpus.decode(corpus.train)
    V = 2
    bits = cu.ngram_bits(corpus, torch.tensor([0, 0, 1]), torch.tensor([0, 1, 0]))   # a->a, a->b, b->a
    assert bits["uniform"] == pytest.approx(1.0)
    n_a, n_b = train.count("a"), train.count("b")
    p = {"a": (n_a + 1) / (len(train) + V), "b": (n_b + 1) / (len(train) + V)}
    assert bits["unigram"] == pytest.approx(-(2 * math.log2(p["a"]) + math.log2(p["b"])) / 3)
    pairs = [train[i:i + 2] for i in range(len(train) - 1)]
    after_a = sum(pair[0] == "a" for pair in pairs)
    after_b = sum(pair[0] == "b" for pair in pairs)
    p_aa = (pairs.count("aa") + 1) / (after_a + V)
    p_ab = (pairs.count("ab") + 1) / (after_a + V)
    p_ba = (pairs.count("ba") + 1) / (after_b + V)
    assert bits["bigram"] == pytest.approx(-(math.log2(p_aa) + math.log2(p_ab) + math.log2(p_ba)) / 3)


def test_on_the_documentation_the_bigram_beats_the_unigram_beats_uniform():
    bits = cu.ngram_bits(cu.char_corpus())
    assert bits["uniform"] > bits["unigram"] + 1.5 > bits["bigram"] + 2.5


@pytest.fixture(scope="module")
def small_corpus():
    return cu.char_corpus(cu.documentation_text()[:40_000])


@pytest.fixture(scope="module")
def short_runs(small_corpus):
    return cu.train_char_models(small_corpus, seed=4, n_seeds=2, steps=3, eval_every=2,
                                progress=False)


def test_a_short_training_records_everything_for_every_variant_and_seed(short_runs):
    n_layers = cu.CHAR_MODEL["n_layers"]
    assert short_runs.variants == tuple(cu.VARIANTS) and short_runs.seeds == (4, 5)
    assert short_runs.checkpoints == [1, 3]
    for variant in short_runs.variants:
        assert short_runs.runs[variant].loss.shape == (2, 3)
        assert short_runs.curve_bits[variant].shape == (2, 2)
        assert short_runs.gradient_norms[variant].shape == (2, 2, n_layers)
        assert short_runs.final_bits[variant].shape == (2,)
        assert short_runs.stream_rms[variant].shape == short_runs.branch_ratio[variant].shape == (2, 2 * n_layers)
        assert bool((short_runs.gradient_norms[variant] > 0).all())
    # post-norm's stream leaves every sub-layer through a LayerNorm at gain 1 (3 steps of Adam
    # move the gains by about 0.01): RMS about 1
    assert short_runs.stream_rms["post-norm"][:, 1:].sub(1).abs().max() < 0.1


def test_an_untrained_model_is_near_guessing_and_a_model_trains_like_its_twin_alone(small_corpus):
    runs = cu.train_char_models(small_corpus, variants=("pre-norm",), seed=1, n_seeds=1, steps=1,
                                progress=False)
    # the untrained model's curve point, at step 1: within a bit and a half of log2 V
    assert abs(runs.curve_bits["pre-norm"][0, 0] - math.log2(small_corpus.vocab_size)) < 1.5
    alone = cu.char_model("pre-norm", small_corpus.vocab_size, seed=1)
    windows = small_corpus.windows("validation", cu.CHAR_MODEL["seq_len"], 4)[0]
    assert alone(windows).shape == (4, cu.CHAR_MODEL["seq_len"], small_corpus.vocab_size)


def test_a_right_connection_trains_exactly_the_course_s_models_and_a_wrong_one_does_not(small_corpus):
    kwargs = dict(variants=("post-norm", "pre-norm"), seed=2, n_seeds=1, steps=4, progress=False)
    course = cu.train_char_models(small_corpus, **kwargs)
    yours = cu.train_char_models(small_corpus, connection=residual_sublayer, **kwargs)
    assert yours.connection == "yours" and course.connection == "the course's"
    for variant in ("post-norm", "pre-norm"):
        assert torch.equal(yours.runs[variant].loss, course.runs[variant].loss)

    def swapped(x, sublayer, norm, placement):
        return residual_sublayer(x, sublayer, norm, "pre" if placement == "post" else "post")

    wrong = cu.train_char_models(small_corpus, connection=swapped, **kwargs)
    for variant in ("post-norm", "pre-norm"):
        assert not torch.allclose(wrong.runs[variant].loss[:, 1:], course.runs[variant].loss[:, 1:])


def test_the_connection_wires_only_post_and_pre_norm_with_skips():
    groups = _groups(tuple(cu.VARIANTS), residual_sublayer)
    wired = [g for g in groups if g[0] in ("post-norm", "pre-norm")]
    assert sorted(v for g in wired for v in g) == ["post-norm", "post-norm + warm-up", "pre-norm"]
    assert ["no residual", "DeepNorm"] in groups
    assert len(_groups(tuple(cu.VARIANTS), None)) == 2          # post-norm family, pre-norm
    models = [cu.char_model("DeepNorm", 10)]
    with pytest.raises(ValueError, match="DeepNorm and skip=False models use the course's own"):
        cu.batched.BatchedTransformer(models, connection=residual_sublayer)


def test_generation_continues_the_prompt_reproducibly(short_runs):
    a = short_runs.generate("pre-norm", prompt="The ", n_chars=20, sample_seed=3)
    b = short_runs.generate("pre-norm", prompt="The ", n_chars=20, sample_seed=3)
    assert a == b and a.startswith("The ") and len(a) == 24
    assert set(a) <= set(short_runs.corpus.vocabulary)
    assert short_runs.generate("DeepNorm", seed_index=1, n_chars=5).startswith("The ")


def test_the_figures_draw_the_runs(short_runs):
    fig = cu.draw_char_models(short_runs)
    assert "bits per character" in fig.alt_text and len(fig.axes) == 2
    assert len(cu.draw_inside(short_runs, checkpoint=1).axes) == 3


def test_the_evaluation_windows_are_the_final_measurement_s(small_corpus):
    inputs, targets = cu.evaluation_windows(small_corpus)
    assert inputs.shape == (EVAL_WINDOWS, cu.CHAR_MODEL["seq_len"])


@pytest.mark.parametrize("call, error, message", [
    (lambda c: cu.train_char_models(c, variants=("post",)), ValueError, "variants"),
    (lambda c: cu.train_char_models("text"), TypeError, "corpus must be a CharCorpus"),
    (lambda c: cu.train_char_models(c, lr=0.0), ValueError, "lr must be greater than 0"),
    (lambda c: cu.train_char_models(c, connection="pre"), TypeError, "connection must be"),
    (lambda c: cu.char_model("pre-norm", 1), ValueError, "vocab_size must be at least 2"),
    (lambda c: cu.char_corpus("short"), ValueError, "at least 100"),
    (lambda c: cu.char_corpus(42), TypeError, "text must be a str"),
    (lambda c: cu.ngram_bits(c, torch.tensor([0]), None), TypeError, "give inputs and targets"),
    (lambda c: cu.ngram_bits(c, torch.tensor([0]), torch.tensor([999])), ValueError, "must lie in"),
])
def test_bad_input_gets_a_clear_error(small_corpus, call, error, message):
    with pytest.raises(error, match=message):
        call(small_corpus)


def test_generation_refuses_what_it_cannot_write(short_runs):
    with pytest.raises(ValueError, match="not in the vocabulary"):
        short_runs.generate("pre-norm", prompt="\x00")
    with pytest.raises(ValueError, match="at least one character"):
        short_runs.generate("pre-norm", prompt="")
    with pytest.raises(ValueError, match="seed_index"):
        short_runs.generate("pre-norm", seed_index=2)


def test_the_explorer_browses_recorded_runs_and_the_site_grid_stays_small(short_runs):
    explorer = cu.char_model_explorer(short_runs)
    assert explorer.settings()["variant"] == "post-norm"
    assert len(explorer.site_settings()) <= 5 * 2 * 5
    fig = cu.draw_run(short_runs, variant="DeepNorm", seed_index=1, checkpoint=-1)
    assert "DeepNorm, seed 5, step 3 of 3" in fig.alt_text
    with pytest.raises(ValueError, match="variant must be one of"):
        cu.draw_run(short_runs, variant="post")
