"""The offline answerer on the seed corpus (real MiniLM embedder, no network)."""

from __future__ import annotations

import pytest

import rag
from newsdesk.errors import QuestionError
from rag.records import Passage
from rag.retrieve import Filters, diversify, reciprocal_rank_fusion


def _quote_is_exact(news_index, citation):
    original = news_index.article(citation.doc_id).text
    return original[citation.start : citation.end] == citation.quote


@pytest.mark.parametrize(
    "question, fact, doc_prefix",
    [
        ("How many troops has North Korea sent to Russia?", "15,000", "004"),
        ("Who is the spokesperson of the Chinese Foreign Ministry?", "Guo Jiakun", "000"),
        ("Where was the military parade held?", "Tiananmen Square", "004"),
        ("How many residents of the Kursk Region does Russia want returned?", "23", "000"),
    ],
)
def test_answers_contain_the_fact_and_cite_a_passage_stating_it(minilm_seed_index, question, fact, doc_prefix):
    answer = rag.answer(question, news_index=minilm_seed_index)
    assert not answer.refused
    assert fact in answer.text
    stating = [c for c in answer.citations if fact in c.quote]
    assert stating and stating[0].doc_id.startswith(doc_prefix)
    assert all(_quote_is_exact(minilm_seed_index, c) for c in answer.citations)
    assert answer.short_answer is not None and fact in answer.short_answer
    assert answer.timings_ms["total"] > 0 and answer.backend == "offline"


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of Australia?",
        "Which football team won the 2022 World Cup?",
    ],
)
def test_questions_the_articles_cannot_answer_are_refused(minilm_seed_index, question):
    answer = rag.answer(question, news_index=minilm_seed_index)
    assert answer.refused
    assert answer.text.startswith("The articles don't say")
    assert answer.citations == []
    assert all(_quote_is_exact(minilm_seed_index, c) for c in answer.related)


def test_follow_up_carries_the_previous_topic(minilm_seed_index):
    history = [
        {"role": "user", "content": "What did Putin say about North Korean troops in the Kursk region?"},
        {"role": "assistant", "content": "He praised their bravery and heroism [1]."},
    ]
    answer = rag.answer("And how many troops did they send?", history=history, news_index=minilm_seed_index)
    assert "15,000" in answer.text
    assert answer.standalone_question and "North Korean" in answer.standalone_question


@pytest.mark.parametrize("bad, message", [("", "empty"), ("   \n\t ", "empty"), ("x" * 2001, "limit is 2,000")])
def test_bad_questions_get_a_clear_error(minilm_seed_index, bad, message):
    with pytest.raises(QuestionError, match=message):
        rag.answer(bad, news_index=minilm_seed_index)


def test_control_characters_are_stripped(minilm_seed_index):
    answer = rag.answer("How many troops\x00 has North Korea\x1b sent to Russia?", news_index=minilm_seed_index)
    assert "15,000" in answer.text


def test_date_filter_restricts_sources(minilm_seed_index):
    answer = rag.answer(
        "What did Putin and Kim discuss?", news_index=minilm_seed_index, filters=Filters(since="2025-09-03")
    )
    assert answer.trace and all(p.date and p.date >= "2025-09-03" for p in answer.trace)


def test_rrf_and_diversity_rules():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "a"]], [1.0, 1.0], k=60)
    assert max(fused, key=fused.get) == "a"
    assert fused["c"] > fused["b"]
    weighted = reciprocal_rank_fusion([["a", "b"], ["b", "a"]], [1.0, 3.0], k=60)
    assert weighted["b"] > weighted["a"]

    def p(i, doc, text):
        return Passage(chunk_id=i, doc_id=doc, start=0, end=len(text), text=text, score=1.0)

    passages = [
        p("1", "d1", "Putin met Kim in Beijing on Tuesday."),
        p("2", "d1", "Other text about trade ties."),
        p("3", "d1", "Third passage on the parade."),
        p("4", "d2", "Putin met Kim in Beijing on Tuesday."),
        p("5", "d3", "Something else entirely."),
    ]
    chosen = diversify(passages, top_k=10, max_per_article=2, near_duplicate=0.8)
    assert [c.chunk_id for c in chosen] == ["1", "2", "5"]
