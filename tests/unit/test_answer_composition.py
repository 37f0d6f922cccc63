"""One pass: the Answer is composed once, its text is derived from the shown sentences, and the
stream and the final answer come from the same composition."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

import rag
from rag.compose import Claim, Quote, add_conflict_sides, compose_answer
from rag.conflicts import ConflictSide
from rag.evidence import ScoredSentence
from rag.records import Passage, format_sentence

SUITE = Path(__file__).resolve().parents[2] / "eval" / "suites" / "seed.jsonl"
CASES = [json.loads(line) for line in SUITE.read_text(encoding="utf-8").splitlines() if line.strip()]


def _passage(doc: str, text: str, start: int = 0, date: str | None = None) -> Passage:
    return Passage(chunk_id=f"{doc}:0", doc_id=doc, start=start, end=start + len(text), text=text, score=1.0, date=date)


def test_every_seed_question_text_is_exactly_its_shown_sentences(minilm_seed_index):
    for case in CASES:
        events = list(rag.answer_stream(case["question"], history=case.get("history"), news_index=minilm_seed_index))
        answer = events[-1].answer
        assert [e.kind for e in events].count("answer") == 1 and events[-1].kind == "answer"
        if answer.refused:
            assert not answer.shown_sentences and "don't say" in answer.text
            continue
        expected = " ".join(format_sentence(s.text, s.citations) for s in answer.sentences if s.supported)
        assert answer.text == expected, case["id"]
        streamed = "".join(e.text for e in events if e.kind == "token")
        assert streamed.split() == " ".join(s.text for s in answer.shown_sentences).split(), case["id"]
        cited = {n for s in answer.shown_sentences for n in s.citations}
        assert cited <= {c.n for c in answer.citations}
        for c in answer.citations:  # every citation quotes its article exactly
            assert minilm_seed_index.article(c.doc_id).text[c.start : c.end] == c.quote


def test_a_composed_answer_cannot_be_edited():
    answer = compose_answer("q", [], refused=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        answer.refused = False  # type: ignore[misc]


def test_citations_are_numbered_in_order_of_first_use_and_conflicts_point_at_them():
    a = _passage("a", "The visit lasted four days.", date="2025-09-03")
    b = _passage("b", "It was a two-day visit.", date="2024-05-16")
    claims = [Claim(text=a.text, quotes=(Quote(a, 0, len(a.text), a.text),), support=1.0)]
    side_b = ScoredSentence(b, 0, len(b.text), b.text, 0.9, 0.9)
    side_a = ScoredSentence(a, 0, len(a.text), a.text, 1.0, 1.0)
    sides = [ConflictSide("four days", (side_a,)), ConflictSide("two-day", (side_b,))]
    claims = add_conflict_sides(claims, sides)
    answer = compose_answer("How long?", claims, sides=sides, topic="how long")
    assert [c.doc_id for c in answer.citations] == ["a", "b"]
    assert answer.text == "The visit lasted four days. [1] It was a two-day visit. [2]"
    (conflict,) = answer.conflicts
    assert conflict.sides == (("four days", (1,)), ("two-day", (2,)))
    assert conflict.kind == "event"  # dated 16 months apart


def test_an_unsupported_claim_is_kept_aside_but_never_in_the_text():
    a = _passage("a", "North Korea sent roughly 15,000 troops.")
    claims = [
        Claim(text="North Korea sent roughly 15,000 troops.", quotes=(Quote(a, 0, len(a.text), a.text),), support=0.9),
        Claim(text="Kim gave Putin a golden tiger.", quotes=(), support=0.1, supported=False),
    ]
    answer = compose_answer("q", claims)
    assert [s.supported for s in answer.sentences] == [True, False]
    assert "golden tiger" not in answer.text and answer.text.endswith("[1]")
    assert answer.to_dict()["text"] == answer.text


def test_a_short_answer_not_in_any_shown_sentence_is_dropped():
    a = _passage("a", "Talks were held in Beijing.")
    claims = [Claim(text=a.text, quotes=(Quote(a, 0, len(a.text), a.text),), support=1.0)]
    assert compose_answer("q", claims, short_answer="Beijing").short_answer == "Beijing"
    assert compose_answer("q", claims, short_answer="Moscow").short_answer is None
