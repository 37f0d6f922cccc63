"""The offline answer's choice of sentences (rag/offline.py), on hand-made ranked sentences."""

from __future__ import annotations

from rag.answer import in_period_first_among_best
from rag.evidence import ScoredSentence
from rag.focus import profile_question
from rag.offline import choose_sentences, fuller_date_first, selected_claims, short_answer_of
from rag.records import Passage
from rag.retrieve import Filters

QUESTION = "When was GPT-3 released?"


def _ranked(*texts_and_scores: tuple[str, float]) -> list[ScoredSentence]:
    out = []
    for i, (text, score) in enumerate(texts_and_scores):
        passage = Passage(chunk_id=f"d{i}:0", doc_id=f"d{i}", start=0, end=len(text), text=text, score=1.0)
        out.append(ScoredSentence(passage, 0, len(text), text, score, 1.0))
    return out


def _first_short_answer(ranked: list[ScoredSentence]) -> str | None:
    profile = profile_question(QUESTION, lambda w: 1.0)
    chosen = choose_sentences(fuller_date_first(profile, ranked), 3)
    return short_answer_of(selected_claims(profile, chosen))


def test_a_strong_runner_up_with_the_same_date_in_full_answers_first():
    ranked = _ranked(
        ("GPT-3 is a language model released by OpenAI in 2020.", 0.62),
        ("OpenAI released GPT-3 in June 2020, through a private API.", 0.43),
    )
    assert _first_short_answer(ranked) == "June 2020"


def test_a_day_without_its_year_gives_way_to_the_same_day_with_it():
    ranked = _ranked(
        ("GPT-3 was released on Thursday, Nov. 12 at 9 p.m.", 0.7),
        ("It was out on November 13, 2020, in a private beta.", 0.6),  # another day
        ("GPT-3 was released November 12, 2020 to a few users.", 0.4),
    )
    assert _first_short_answer(ranked) == "November 12, 2020"


def test_a_fuller_date_that_disagrees_or_is_weak_is_not_put_first():
    other_year = _ranked(
        ("GPT-3 is a language model released by OpenAI in 2020.", 0.62),
        ("OpenAI released GPT-2 in February 2019.", 0.60),
    )
    weak = _ranked(
        ("GPT-3 is a language model released by OpenAI in 2020.", 0.62),
        ("OpenAI released GPT-3 in June 2020, through a private API.", 0.2),
    )
    for ranked in (other_year, weak):
        assert _first_short_answer(ranked) == "2020"


def test_other_questions_keep_the_ranker_order():
    profile = profile_question("Who released GPT-3?", lambda w: 1.0)
    ranked = _ranked(("OpenAI released it in 2020.", 0.6), ("OpenAI released it in June 2020.", 0.5))
    assert fuller_date_first(profile, ranked) == ranked


def _dated(text: str, score: float, date: str) -> ScoredSentence:
    passage = Passage(chunk_id=f"{date}:0", doc_id=date, start=0, end=len(text), text=text, score=1.0, date=date)
    return ScoredSentence(passage, 0, len(text), text, score, 1.0)


def test_a_named_period_puts_its_own_evidence_first_and_sets_the_rest_aside():
    four = _dated("Putin concluded a four-day state visit.", 0.6, "2025-09-03")
    two = _dated("Putin arrived for a two-day state visit.", 0.4, "2024-05-16")
    recalled = _dated("In May 2024 he had stayed two days.", 0.35, "2025-09-03")
    weak = _dated("Trade rose.", 0.1, "2024-05-16")
    may = Filters(since="2024-05-01", until="2024-05-31")
    assert in_period_first_among_best([four, two, recalled, weak], may) == [two, recalled, weak]
    # a sentence of the period far below the best does not lead; nothing else fits: the order stays
    assert in_period_first_among_best([four, weak], may) == [four, weak]
    # the other sentences close to the best are not quoted beside the one that fits
    assert [s.text for s in choose_sentences(in_period_first_among_best([four, two], may), 3)] == [two.text]
