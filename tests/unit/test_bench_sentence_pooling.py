"""bench/sentence_pooling.py: chunks scored from their sentences, and the whole measurement on the seed corpus."""

from __future__ import annotations

import numpy as np

from bench import synth
from bench.sentence_pooling import measure, sentence_scorer
from rag.retrieve import Filters


class _Table:
    """The two things the scorer reads of a chunk table: its length and each row's text."""

    def __init__(self, texts: list[str]):
        self.texts = texts

    def __len__(self) -> int:
        return len(self.texts)


def _unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_a_chunk_is_ranked_by_its_best_sentence_not_by_its_mean():
    # sentence 0 is the question; chunk "b" holds it beside an unrelated one, chunk "a" two half-related ones
    sentences = np.stack([_unit([1, 0, 0]), _unit([0, 1, 0]), _unit([1, 1, 0]), _unit([1, 0, 1])])
    table = _Table(["a", "b"])
    rows = {"a": [2, 3], "b": [0, 1]}
    query = _unit([1, 0, 0])

    by_best = sentence_scorer(table, rows.__getitem__, sentences, None)(table, None, query, 2)
    assert [row for row, _ in by_best] == [1, 0]
    assert by_best[0][1] == np.float32(1.0)  # chunk b's score is its best sentence's cosine
    assert abs(by_best[1][1] - np.cos(np.pi / 4)) < 1e-6

    pooled = np.stack([_unit(sentences[[2, 3]].mean(axis=0)), _unit(sentences[[0, 1]].mean(axis=0))])
    with_pooled = sentence_scorer(table, rows.__getitem__, sentences, pooled)(table, None, query, 2)
    expected = (np.array([np.cos(np.pi / 4), 1.0]) + pooled @ query) / 2
    assert [round(s, 5) for _, s in sorted(with_pooled)] == [round(float(s), 5) for s in expected]

    two_best = sentence_scorer(table, rows.__getitem__, sentences, None, best_of=2)(table, None, query, 2)
    assert [row for row, _ in two_best] == [0, 1]  # a: two cosines of 0.71; b: 1 and 0


def test_a_filter_keeps_its_rows_out_of_the_sentence_ranking():
    sentences = np.stack([_unit([1, 0]), _unit([0, 1])])
    table = _Table(["a", "b"])

    class OnlySecond(Filters):
        def mask(self, table):  # noqa: ARG002
            return np.array([False, True])

    got = sentence_scorer(table, {"a": [0], "b": [1]}.__getitem__, sentences, None)(
        table, None, _unit([1, 0]), 2, OnlySecond(sources=("x",))
    )
    assert [row for row, _ in got] == [1]


def test_every_variant_is_asked_on_the_seed_corpus(tmp_path):
    """The build embeds sentences too: the precomputed vectors must cover them (a KeyError before)."""
    corpus = tmp_path / "corpus"
    synth.seed_corpus(corpus)
    result = measure(corpus, "fake", tmp_path / "work")
    names = {key.split("/")[0] for key in result["quality"]}
    assert {"direct", "pooled_mean", "pooled_token_weighted", "maxsim", "maxsim_with_pairs"} <= names
    assert all(row["seed"]["n"] > 0 for row in result["quality"].values())
    assert result["chunks"] > 0 and result["sentences"] > result["chunks"]
    paired = result["paired_vs_direct"]["maxsim"]["seed+rgb"]
    assert paired["n"] == result["quality"]["direct/hybrid"]["seed"]["n"]
    assert paired["mrr_ci95"][0] <= paired["mrr_diff"] <= paired["mrr_ci95"][1]

    again = measure(corpus, "fake", tmp_path / "work")  # the vectors are read back, not embedded again
    assert again["model_seconds"] == {"chunks": None, "sentences": None}
    assert again["quality"] == result["quality"]
