"""The metric functions are pure: checked on worked examples and with hypothesis."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eval import metrics as m

doc_ids = st.sampled_from(["a", "b", "c", "d", "e"])
ranked_lists = st.lists(doc_ids, max_size=12)
gold_sets = st.lists(doc_ids, min_size=1, max_size=3, unique=True)


@pytest.mark.parametrize(
    "text, alias, expected",
    [
        ("Putin met Kim Jong Un.", "kim jong un", True),
        ("He said “the fight against neo-Nazism,” today", "fight against neo-Nazism", True),
        ("roughly 15,000 troops", "15,000", True),
        ("the axis of upheavals", "axis of upheaval", True),  # inflected form counts
        ("It happened in 2023.", "23", False),  # a number inside another is no match
        ("the Republic of Congo", "Republic of the Congo", True),  # articles are ignored
        ("nothing here", "Novak", False),
        ("Chloe Zhao accepts the award", "Chloé Zhao", True),  # accents folded
        ("released on November 21 of 1998 in Japan", "Nov. 21, 1998", True),  # the same date, written otherwise
        ("out on the 21st of November, 1998", "1998-11-21", True),
        ("released on November 21 of 1999", "November 21, 1998", False),
        ("released on November 21", "November 21, 1998", False),  # no year: not the full date
    ],
)
def test_alias_containment_is_normalised(text, alias, expected):
    assert m.contains_alias(text, alias) is expected


@given(
    st.dates(min_value=date(1000, 1, 1)),
    st.sampled_from(["%B %d, %Y", "%d %B %Y", "%b. %d, %Y", "%Y-%m-%d", "%B %d of %Y"]),
)
def test_a_date_is_found_however_it_is_written(day, form):
    assert m.dates_in(f"It happened on {day.strftime(form)}.") == {(day.year, day.month, day.day)}


def test_any_and_all_matching():
    text = "A four-day visit in 2025 and a two-day visit in 2024."
    assert m.answer_contains(text, ["four-day", "five-day"], "any")
    assert m.answer_contains(text, ["four-day", "two-day"], "all")
    assert not m.answer_contains(text, ["four-day", "five-day"], "all")


def test_correctness_of_refusals_and_answers():
    refusal = "The articles don't say. Nothing answers “Who is Novak?”"
    assert m.answer_correct(answerable=False, refused=True, text=refusal, answers=[], match="any")
    assert not m.answer_correct(answerable=False, refused=False, text="Novak did.", answers=[], match="any")
    # a refusal that happens to repeat the alias (it quotes the question) is not a correct answer
    assert not m.answer_correct(answerable=True, refused=True, text=refusal, answers=["Novak"], match="any")
    assert m.answer_correct(
        answerable=True, refused=False, text="Alexander Novak said so [1].", answers=["Novak"], match="any"
    )


def test_exact_match_and_token_f1():
    assert m.exact_match("The Republic of Congo", ["Republic of Congo"]) == 1.0
    assert m.exact_match("Congo", ["Republic of Congo"]) == 0.0
    assert m.token_f1("Congo", ["Republic of Congo"]) == pytest.approx(0.5)  # P=1, R=1/3
    assert m.token_f1("Brazzaville", ["Republic of Congo", "Congo"]) == 0.0


def test_retrieval_ranks_on_an_example():
    ranked = ["x", "x", "g2", "y", "g1"]
    rank = m.first_hit_rank(ranked, ["g1", "g2"])
    assert rank == 3
    assert [m.hit_at(rank, k) for k in (1, 3, 5)] == [0.0, 1.0, 1.0]
    assert m.reciprocal_rank(rank) == pytest.approx(1 / 3)
    assert m.recall_at(ranked, ["g1", "g2", "g3"], k=4) == pytest.approx(1 / 3)
    assert m.first_hit_rank(ranked, ["g1"], k=4) is None and m.reciprocal_rank(None) == 0.0


@given(ranked_lists, gold_sets)
def test_hit_at_k_is_monotone_and_bounded(ranked, gold):
    rank = m.first_hit_rank(ranked, gold)
    hits = [m.hit_at(rank, k) for k in range(1, m.MAX_K + 1)]
    assert hits == sorted(hits)
    assert 0.0 <= m.reciprocal_rank(rank) <= hits[0] + (1 - hits[0]) * 0.5
    assert 0.0 <= m.recall_at(ranked, gold) <= 1.0
    assert (m.recall_at(ranked, gold) > 0) == (hits[-1] == 1.0)


@given(st.text(max_size=60), st.text(max_size=20))
def test_normalisation_is_idempotent_and_containment_reflexive(text, alias):
    assert m.normalize_text(m.normalize_text(text)) == m.normalize_text(text)
    if m.normalize_text(alias):
        assert m.contains_alias(f"{text} {alias}", alias)


@given(st.text(min_size=1, max_size=30))
def test_f1_of_a_string_with_itself_is_one_when_it_has_words(text):
    if m.normalize_text(text):
        assert m.token_f1(text, [text]) == 1.0 and m.exact_match(text, [text]) == 1.0


def _supports(claim, evidence):
    """Toy judge: supported when every word of the claim is in the evidence."""
    words = set(" ".join(evidence).split())
    return set(claim.split()) <= words


def test_alce_citation_recall_and_precision():
    quotes = {1: "kim met putin", 2: "in beijing", 3: "kim met putin in beijing", 4: "weather was fine"}
    # s1 needs [1] and [2] together (both relevant); s2 cites [3] (enough alone) and [4] (irrelevant);
    # s3 cites nothing: unsupported.
    sentences = [("kim met putin in beijing", [1, 2]), ("kim met putin", [3, 4]), ("it rained", [])]
    recall, precision = m.alce_citation_scores(sentences, quotes, _supports)
    assert recall == pytest.approx(2 / 3)
    assert precision == pytest.approx(3 / 4)


def test_alce_on_an_unsupported_single_citation_and_on_nothing():
    assert m.alce_citation_scores([("kim met putin", [4])], {4: "weather was fine"}, _supports) == (0.0, 0.0)
    assert m.alce_citation_scores([], {}, _supports) is None


@given(
    st.lists(
        st.tuples(st.sampled_from(["a b", "a", "b c", "d"]), st.lists(st.integers(1, 4), max_size=3)),
        min_size=1,
        max_size=4,
    )
)
def test_alce_scores_are_shares(sentences):
    quotes = {1: "a", 2: "b", 3: "a b c", 4: "z"}
    recall, precision = m.alce_citation_scores(sentences, quotes, _supports)
    assert 0.0 <= recall <= 1.0 and 0.0 <= precision <= 1.0


def test_aggregate_skips_what_does_not_apply_and_never_invents_a_zero():
    means, counts = m.aggregate([{"x": 1.0, "y": None}, {"x": 0.0, "y": None}])
    assert means == {"x": 0.5, "y": None} and counts == {"x": 2, "y": 0}


def test_percentiles_and_latency():
    assert m.percentile([1, 2, 3, 4], 50) == 2.5
    assert m.percentile([5.0], 95) == 5.0
    out, counts = m.latency_metrics([{"total": 10.0}, {"total": 30.0, "answer": 4.0}])
    assert out["latency.total.p50_ms"] == 20.0 and counts["latency.answer.p95_ms"] == 1
    with pytest.raises(ValueError):
        m.percentile([], 50)


def test_case_scores_apply_only_where_they_mean_something():
    unanswerable = m.case_scores(
        answerable=False,
        expect_conflict=False,
        gold=[],
        answers=[],
        match="any",
        refused=True,
        text="The articles don't say.",
        short_answer=None,
        ranked_doc_ids=["a"],
        citation=None,
        conflict_found=False,
    )
    assert unanswerable["answer.accuracy"] == 1.0 and unanswerable["refusal.recall"] == 1.0
    assert unanswerable["retrieval.hit@1"] is None and unanswerable["refusal.false_refusal_rate"] is None
    answered = m.case_scores(
        answerable=True,
        expect_conflict=True,
        gold=["g"],
        answers=["Kim"],
        match="any",
        refused=False,
        text="Kim did [1].",
        short_answer="Kim",
        ranked_doc_ids=["x", "g"],
        citation=(1.0, 0.5),
        conflict_found=False,
    )
    assert answered["retrieval.hit@1"] == 0.0 and answered["retrieval.hit@3"] == 1.0
    assert answered["retrieval.mrr@10"] == 0.5 and answered["answer.exact_match"] == 1.0
    assert answered["citation.precision"] == 0.5 and answered["conflict_detection.recall"] == 0.0
