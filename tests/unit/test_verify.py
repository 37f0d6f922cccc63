"""The verifier and the generation path with a fake chat model (canned replies)."""

from __future__ import annotations

import rag
from newsdesk.errors import GeneratorUnavailable
from rag.llms.fake import FakeGenerator
from rag.records import Passage
from rag.verify import parse_citations, verify_reply

PASSAGES = [
    Passage(
        "c1",
        "004",
        100,
        180,
        "South Korean intelligence estimates that North Korea has deployed roughly 15,000 "
        "troops to Russia since last year.",
        1.0,
    ),
    Passage(
        "c2",
        "002",
        0,
        90,
        "Several top officials traveled with Kim, including North Korean Foreign Minister Choe Son Hui.",
        0.9,
    ),
]


def test_citations_are_parsed_and_removed_from_the_text():
    assert parse_citations("Kim sent 15,000 troops [1][2].") == ("Kim sent 15,000 troops.", [1, 2])
    assert parse_citations("Choe Son Hui went along [2, 3] too.") == ("Choe Son Hui went along too.", [2, 3])


def test_supported_sentences_keep_their_citation_and_quote_the_exact_sentence():
    result = verify_reply("North Korea has deployed roughly 15,000 troops to Russia [1].", PASSAGES, 0.6)
    assert [s.supported for s in result.sentences] == [True]
    cite = result.citations[0]
    assert cite.doc_id == "004" and cite.quote == PASSAGES[0].text
    assert result.text == "North Korea has deployed roughly 15,000 troops to Russia. [1]"


def test_hallucinations_bad_numbers_and_invented_citations_are_flagged():
    reply = (
        "North Korea deployed roughly 50,000 troops to Russia [1]. "
        "Xi gave Putin a diamond ring from Sakura [2]. "
        "Foreign Minister Choe Son Hui traveled with Kim [7]. "
        "How many troops were sent? [1]"
    )
    result = verify_reply(reply, PASSAGES, 0.6)
    by_text = {s.text: s for s in result.sentences}
    assert not by_text["North Korea deployed roughly 50,000 troops to Russia."].supported  # wrong number
    assert not by_text["Xi gave Putin a diamond ring from Sakura."].supported  # invented
    recited = by_text["Foreign Minister Choe Son Hui traveled with Kim."]
    assert recited.supported and result.citations[recited.citations[0] - 1].doc_id == "002"  # [7] fixed to [2]
    assert 7 in result.dropped_citations
    assert not by_text["How many troops were sent?"].supported  # a question is not a claim
    assert "50,000" not in result.text and "diamond" not in result.text


def test_refusal_mark_is_a_refusal():
    assert verify_reply("NOT IN ARTICLES", PASSAGES, 0.6).refused


def test_generated_answer_is_checked_and_the_raw_reply_kept(minilm_seed_index):
    fake = FakeGenerator(
        ["North Korea has deployed roughly 15,000 troops to Russia [1]. Kim also gave Putin a golden tiger statue [1]."]
    )
    events = list(
        rag.answer_stream(
            "How many troops has North Korea sent to Russia?", news_index=minilm_seed_index, generator=fake
        )
    )
    drafts = "".join(e.text for e in events if e.kind == "draft")
    checked = "".join(e.text for e in events if e.kind == "token")
    answer = events[-1].answer
    assert answer.raw_answer == drafts and "golden tiger" in answer.raw_answer
    assert "golden tiger" not in checked and checked.split() == [
        w for s in answer.shown_sentences for w in s.text.split()
    ]
    assert "15,000" in answer.text and "golden tiger" not in answer.text
    assert [s.supported for s in answer.sentences] == [True, False]
    assert answer.backend == "fake-llm"
    system, *_, user = fake.calls[0]
    assert "ONLY the numbered passages" in system["content"] and "[1]" in user["content"]


def test_unusable_or_failing_model_falls_back_to_the_offline_answer(minilm_seed_index):
    question = "How many troops has North Korea sent to Russia?"
    for reply in ("Kim gave Putin a golden tiger statue [1].", GeneratorUnavailable("the server is unreachable")):
        answer = rag.answer(question, news_index=minilm_seed_index, generator=FakeGenerator([reply]))
        assert answer.backend == "offline" and "15,000" in answer.text
        assert answer.notice and "offline answer" in answer.notice


def test_a_model_refusal_is_a_refusal_with_related_passages(minilm_seed_index):
    answer = rag.answer(
        "What gift did Xi give Putin?", news_index=minilm_seed_index, generator=FakeGenerator(["NOT IN ARTICLES"])
    )
    assert answer.refused and answer.backend == "fake-llm" and answer.raw_answer == "NOT IN ARTICLES"
    assert answer.related and all(
        minilm_seed_index.article(c.doc_id).text[c.start : c.end] == c.quote for c in answer.related
    )
