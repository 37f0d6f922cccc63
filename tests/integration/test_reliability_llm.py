"""A misbehaving OpenAI-compatible server: bounded retries, then the offline answer with a one-line notice.

The server (tests/integration/faulty_llm.py) is real HTTP on 127.0.0.1, so the
real ``openai`` client's timeouts, parsing and our retry loop all run. Budget:
timeout_s=1, max_retries=2, max_total_wait_s=5.
"""

from __future__ import annotations

import time

import pytest

import rag
from newsdesk.errors import GeneratorUnavailable
from rag.llms.base import complete
from rag.llms.openai_compat import OpenAIGenerator
from tests.conftest import make_settings
from tests.integration.faulty_llm import faulty_llm
from tests.integration.servers import free_port

TIMEOUT_S, RETRIES, TOTAL_S = 1.0, 2, 5.0
SLACK_S = 1.0  # retrieval, the offline answer, thread start-up
TROOPS = "How many troops has North Korea sent to Russia?"


def _settings(tmp_path, url, **answer):
    return make_settings(
        tmp_path,
        embedder="minilm-onnx",
        answer={
            "backend": "openai",
            "openai_base_url": url,
            "openai_model": "faulty",
            "timeout_s": TIMEOUT_S,
            "max_retries": RETRIES,
            "max_total_wait_s": TOTAL_S,
            **answer,
        },
    )


# (behaviour script, server options, requests the server must see, what the notice says)
FAULTS = [
    (["429"], {"retry_after": "0"}, 3, "rate limited (429) (3 attempts"),
    (["429"], {"retry_after": "30"}, 1, "rate limited (429); the next attempt would end after max_total_wait_s=5 s"),
    (["500"], {}, 3, "the server answered HTTP 500 (3 attempts"),
    (["400"], {}, 1, "the server answered HTTP 400"),  # a client error is not retried
    (["slow"], {"slow_s": 30}, 3, "the request timed out (3 attempts"),
    (["stall"], {"slow_s": 30}, 1, "the request timed out"),
    (["trickle"], {"trickle_s": 0.3}, 1, "the LLM reply took longer than 5 s"),
    (["garbage"], {}, 1, "the reply is not an OpenAI-compatible stream"),
    (["bad_json"], {}, 1, "the reply is not an OpenAI-compatible stream"),
    (["empty"], {}, 1, "sent an empty reply"),
    (["close"], {}, 3, "the server is unreachable (3 attempts"),
    (["cut"], {}, 1, "the connection broke off in the middle of the reply"),
]


@pytest.mark.parametrize("script, options, requests, says", FAULTS, ids=[f"{s[0]}-{o}" for s, o, _, _ in FAULTS])
def test_a_faulty_server_gives_the_offline_answer_within_the_budget(
    tmp_path, minilm_seed_index, script, options, requests, says
):
    with faulty_llm(script, **options) as llm:
        settings = _settings(tmp_path, llm.url)
        started = time.monotonic()
        answer = rag.answer(TROOPS, settings=settings, news_index=minilm_seed_index)
        elapsed = time.monotonic() - started
        assert llm.count == requests  # retries are bounded, and 4xx/garbage/empty are not retried
    assert elapsed <= TOTAL_S + SLACK_S, f"waited {elapsed:.1f} s"
    assert answer.backend == "offline" and not answer.refused
    assert "15,000" in answer.text  # the user still gets the sourced answer
    assert answer.notice and "\n" not in answer.notice
    assert says in answer.notice and answer.notice.endswith("showing the offline answer")


def test_a_server_that_is_down_is_reported_as_unreachable(tmp_path, minilm_seed_index):
    settings = _settings(tmp_path, f"http://127.0.0.1:{free_port()}/v1")
    started = time.monotonic()
    answer = rag.answer(TROOPS, settings=settings, news_index=minilm_seed_index)
    assert time.monotonic() - started <= TOTAL_S + SLACK_S
    assert answer.backend == "offline" and "15,000" in answer.text
    assert "the server is unreachable (3 attempts" in answer.notice


def test_total_wait_is_bounded_even_with_many_retries(tmp_path):
    """max_retries=10 against a server that always times out: the deadline, not the retry count, ends it."""
    with faulty_llm(["slow"], slow_s=30) as llm:
        cfg = _settings(tmp_path, llm.url, max_retries=10, max_total_wait_s=3.0).answer
        started = time.monotonic()
        with pytest.raises(GeneratorUnavailable, match="timed out"):
            complete(OpenAIGenerator(cfg), [{"role": "user", "content": "hi"}])
        elapsed = time.monotonic() - started
        assert elapsed <= 3.0 + 0.5, f"waited {elapsed:.1f} s"
        assert 2 <= llm.count < 11


def test_a_transient_error_then_success_is_a_real_reply(tmp_path):
    with faulty_llm(["500", "429", "ok"], retry_after="0") as llm:
        cfg = _settings(tmp_path, llm.url).answer
        reply = complete(OpenAIGenerator(cfg), [{"role": "user", "content": "hi"}])
        assert reply == llm.reply and llm.count == 3


def test_credentials_in_the_base_url_never_reach_the_notice(tmp_path, minilm_seed_index):
    with faulty_llm(["500"]) as llm:
        url = llm.url.replace("http://", "http://user:sk-test-SECRET-123@")
        answer = rag.answer(TROOPS, settings=_settings(tmp_path, url, max_retries=0), news_index=minilm_seed_index)
    assert "HTTP 500" in answer.notice and "SECRET" not in answer.notice and "user" not in answer.notice
