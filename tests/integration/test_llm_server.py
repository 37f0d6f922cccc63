"""Generation through `openai` against a real local OpenAI-compatible server.

llama-cpp-python serves SmolLM2-135M-Instruct on 127.0.0.1. The model is weak on
purpose: it invents facts, and the verifier must keep them from being shown as
sourced. Assertions are invariants that hold whatever the model writes.
"""

from __future__ import annotations

import re

import pytest

import rag
from tests.conftest import make_settings
from tests.integration.servers import llama_cpp_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def llm_url(tmp_path_factory):
    with llama_cpp_server(tmp_path_factory.mktemp("llm")) as url:
        yield url


def _llm_settings(tmp_path, url):
    return make_settings(
        tmp_path,
        embedder="minilm-onnx",
        answer={
            "backend": "openai",
            "openai_base_url": url,
            "openai_model": "smollm2",
            "max_tokens": 120,
            "timeout_s": 240,
            "max_total_wait_s": 400,
        },
        retrieval={"top_k": 3},
    )


def _names_and_numbers(text: str) -> set[str]:
    return set(re.findall(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]{2,}\b|\d[\d,]*", text.strip()))


def _check_invariants(answer, news_index, threshold):
    """What must hold for any reply: nothing unsupported is shown as sourced."""
    assert answer.raw_answer is not None  # the model's own words are kept beside the checked answer
    for c in answer.citations:
        assert news_index.article(c.doc_id).text[c.start : c.end] == c.quote
    given = " ".join(p.text for p in answer.trace)
    for s in answer.sentences:
        if s.supported:
            assert s.citations and s.support >= threshold
            assert s.text in answer.text
            invented = {w for w in _names_and_numbers(s.text) if w not in given}
            assert not invented, f"shown as sourced but absent from every passage: {invented}"
        else:
            assert s.text not in answer.text


def test_streams_and_verifies_a_real_reply(llm_url, minilm_seed_index, tmp_path):
    settings = _llm_settings(tmp_path, llm_url)
    events = list(
        rag.answer_stream(
            "How many troops has North Korea sent to Russia?", settings=settings, news_index=minilm_seed_index
        )
    )
    drafts = [e.text for e in events if e.kind == "draft"]
    answer = events[-1].answer
    assert events[-1].kind == "answer"
    assert len(drafts) >= 3  # the reply streamed, piece by piece, as an unchecked draft
    assert answer.raw_answer == "".join(drafts)
    _check_invariants(answer, minilm_seed_index, settings.answer.support_threshold)
    if answer.backend == "offline":  # the model's reply did not survive the check
        assert answer.notice and "offline answer" in answer.notice and "15,000" in answer.text
    else:
        assert answer.backend == "openai:smollm2"


def test_invented_answers_are_not_shown_as_sourced(llm_url, minilm_seed_index, tmp_path):
    settings = _llm_settings(tmp_path, llm_url)
    answer = rag.answer(
        "What gift did Xi Jinping give Putin and how much was it worth?",
        settings=settings,
        news_index=minilm_seed_index,
    )
    _check_invariants(answer, minilm_seed_index, settings.answer.support_threshold)
    # The articles never mention a gift: whatever the model wrote, no sentence about one may stand as sourced.
    assert not any(s.supported and re.search(r"gift|ring|diamond|worth", s.text, re.I) for s in answer.sentences)


def test_follow_up_is_condensed_by_the_model(llm_url, minilm_seed_index, tmp_path):
    settings = _llm_settings(tmp_path, llm_url)
    history = [
        {"role": "user", "content": "Who did Putin meet at the Diaoyutai State Guest House?"},
        {"role": "assistant", "content": "He met North Korean leader Kim Jong Un [1]."},
    ]
    answer = rag.answer(
        "And how many troops has his country sent?", history=history, settings=settings, news_index=minilm_seed_index
    )
    assert answer.standalone_question and answer.standalone_question != answer.question
    _check_invariants(answer, minilm_seed_index, settings.answer.support_threshold)
