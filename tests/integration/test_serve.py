"""`python -m rag serve` as a real process on loopback, used by the real `openai` client.

The seed corpus is indexed with the deterministic fake embedder, so the server
starts in a few seconds; what is tested is the HTTP API, not the model.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import openai
import pytest

from tests.conftest import ROOT, make_settings
from tests.integration.servers import rag_serve

pytestmark = pytest.mark.slow

TROOPS = "How many troops has North Korea sent to Russia?"
UNANSWERABLE = "Which football team won the 2022 World Cup?"
KEY = "serve-test-key-5f1d2c3b4a"
START_TIMEOUT_S = 90


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory) -> Path:
    import index

    settings = make_settings(tmp_path_factory.mktemp("serve"), embedder="fake")
    index.build(settings=settings)
    return settings.index.store_dir


def _env(store: Path, **variables: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_") and not k.startswith("OPENAI_")}
    env.update(PYTHONPATH=str(ROOT), NEWSDESK_INDEX__STORE_DIR=str(store), **variables)
    return env


@contextmanager
def served(store: Path, *args: str, **variables: str) -> Iterator[str]:
    """A running `python -m rag serve --port 0`; yields its base URL (…/v1); always stopped afterwards."""
    log = store.parent / f"serve-{time.monotonic_ns()}.log"
    env = _env(store, **variables)
    with rag_serve(store, *args, env=env, log=log, timeout=START_TIMEOUT_S, cwd=store.parent) as (base_url, _):
        yield base_url


@pytest.fixture(scope="module")
def server(seed_store) -> Iterator[str]:
    with served(seed_store, NEWSDESK_SERVE__API_KEYS=f'["{KEY}"]', NEWSDESK_SERVE__MAX_REQUEST_BYTES="8192") as url:
        yield url


def openai_client(base_url: str, key: str = KEY) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key=key, max_retries=0, timeout=60)


def test_the_openai_client_gets_a_cited_answer(server):
    completion = openai_client(server).chat.completions.create(
        model="newsdesk", messages=[{"role": "user", "content": TROOPS}]
    )
    text = completion.choices[0].message.content
    assert "15,000" in text and "[1]" in text
    extra = completion.model_extra["newsdesk"]
    assert extra["refused"] is False and extra["short_answer"]
    first = extra["citations"][0]
    assert {"doc_id", "title", "date", "source", "url", "quote", "start", "end"} <= set(first)
    # The citation opens: the article's text holds the quote at the cited offsets.
    article = httpx.get(f"{server}/articles/{first['doc_id']}", headers={"Authorization": f"Bearer {KEY}"}).json()
    assert article["text"][first["start"] : first["end"]] == first["quote"]


def test_the_openai_client_streams_the_same_checked_answer(server):
    client = openai_client(server)
    messages = [{"role": "user", "content": TROOPS}]
    chunks = list(client.chat.completions.create(model="newsdesk", messages=messages, stream=True))
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "15,000" in streamed and "[1]" in streamed
    assert len(chunks) > 3  # in pieces, not one blob
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["newsdesk"]["citations"][0]["quote"] in streamed
    whole = client.chat.completions.create(model="newsdesk", messages=messages).choices[0].message.content
    assert streamed == whole


def test_a_follow_up_uses_the_conversation(server):
    client = openai_client(server)
    first = client.chat.completions.create(model="newsdesk", messages=[{"role": "user", "content": TROOPS}])
    follow_up = client.chat.completions.create(
        model="newsdesk",
        messages=[
            {"role": "user", "content": TROOPS},
            {"role": "assistant", "content": first.choices[0].message.content},
            {"role": "user", "content": "And what did they supply besides troops?"},
        ],
    )
    standalone = follow_up.model_extra["newsdesk"]["standalone_question"]
    assert standalone and "North Korea" in standalone


def test_a_question_the_corpus_does_not_answer_is_refused(server):
    completion = openai_client(server).chat.completions.create(
        model="newsdesk", messages=[{"role": "user", "content": UNANSWERABLE}]
    )
    assert completion.model_extra["newsdesk"]["refused"] is True
    assert completion.choices[0].message.content.startswith("The articles don't say.")
    assert "Sources:" not in completion.choices[0].message.content


def test_a_wrong_key_gets_401_and_is_not_echoed(server):
    wrong = "wrong-key-but-long-enough-42"
    with pytest.raises(openai.AuthenticationError) as caught:
        openai_client(server, key=wrong).chat.completions.create(
            model="newsdesk", messages=[{"role": "user", "content": TROOPS}]
        )
    assert caught.value.status_code == 401
    assert wrong not in str(caught.value.body) and KEY not in str(caught.value.body)
    with pytest.raises(openai.AuthenticationError):
        openai_client(server, key=wrong).models.list()
    assert [m.id for m in openai_client(server).models.list()] == ["newsdesk"]


def test_over_limit_requests_get_a_clear_error(server):
    client = openai_client(server)
    with pytest.raises(openai.BadRequestError) as too_long:
        client.chat.completions.create(model="newsdesk", messages=[{"role": "user", "content": "why " * 600}])
    assert "limit is 2,000" in too_long.value.body["message"]
    history = [{"role": "user", "content": "x" * 5000}, {"role": "assistant", "content": "y" * 5000}]
    with pytest.raises(openai.APIStatusError) as too_big:
        client.chat.completions.create(model="newsdesk", messages=[*history, {"role": "user", "content": TROOPS}])
    assert too_big.value.status_code == 413
    assert too_big.value.body["message"] == "the request is larger than 8,192 bytes"


def test_native_endpoints_answer_over_http(server):
    headers = {"Authorization": f"Bearer {KEY}"}
    answer = httpx.post(f"{server}/answer", json={"question": TROOPS}, headers=headers, timeout=60).json()
    assert "15,000" in answer["text"] and "trace" not in answer
    info = httpx.get(f"{server}/index", headers=headers).json()
    assert info["articles"] == 5 and info["chunks"] == 54 and info["embedder"] == "fake"


def _refused_start(store: Path, command: list[str], **variables: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, env=_env(store, **variables), capture_output=True, text=True, timeout=120, cwd=store.parent
    )


def test_binding_beyond_loopback_without_keys_is_refused_in_one_line(seed_store):
    for command in (
        [sys.executable, "-m", "rag", "serve", "--host", "0.0.0.0", "--port", "0"],
        [sys.executable, "-c", "import sys; from newsdesk.cli import main; sys.exit(main())", "serve", "--host", "0.0.0.0"],
    ):  # fmt: skip
        done = _refused_start(seed_store, command)
        assert done.returncode == 2, done.stderr
        assert done.stdout == ""
        (line,) = done.stderr.strip().splitlines()
        assert line.startswith("error: refusing to listen on 0.0.0.0 without API keys")
        assert "NEWSDESK_SERVE__API_KEYS" in line


def test_a_short_key_is_a_settings_error_that_does_not_echo_it(seed_store):
    done = _refused_start(
        seed_store, [sys.executable, "-m", "rag", "serve", "--port", "0"], NEWSDESK_SERVE__API_KEYS='["tiny-secret"]'
    )
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert "serve.api_keys" in line and "16 characters" in line and "tiny-secret" not in line


def test_keys_allow_a_non_loopback_bind(seed_store):
    with served(seed_store, "--host", "0.0.0.0", NEWSDESK_SERVE__API_KEYS=f'["{KEY}"]') as url:
        local = url.replace("0.0.0.0", "127.0.0.1")
        assert [m.id for m in openai_client(local).models.list()] == ["newsdesk"]
        with pytest.raises(openai.AuthenticationError):
            openai_client(local, key="x" * 20).models.list()


def test_no_key_reaches_the_server_log(seed_store, server):
    wrong = "wrong-key-for-the-log-check-77"
    openai_client(server).models.list()
    with pytest.raises(openai.AuthenticationError):
        openai_client(server, key=wrong).models.list()
    logs = "".join(p.read_text() for p in seed_store.parent.glob("serve-*.log"))
    assert "GET /v1/models" in logs  # the access log is there, and written by now
    assert KEY not in logs and wrong not in logs


def test_with_a_model_backend_only_checked_text_is_streamed(seed_store):
    """The model's reply holds one supported sentence and one invented one: only the first may reach the client."""
    from tests.integration.faulty_llm import faulty_llm

    invented = "North Korea also sent 99,000 sailors to Cuba [1]."
    reply = f"South Korean intelligence estimates that North Korea has deployed roughly 15,000 troops to Russia [1]. {invented}"
    with faulty_llm(["ok"], reply=reply) as llm:
        llm_env = {
            "NEWSDESK_ANSWER__BACKEND": "openai",
            "OPENAI_BASE_URL": llm.url,
            "OPENAI_API_KEY": "sk-llm-backend-key-not-for-clients",
            "NEWSDESK_ANSWER__OPENAI_MODEL": "faulty",
        }
        with served(seed_store, **llm_env) as url:
            client = openai_client(url, key="unused-on-loopback")
            chunks = list(
                client.chat.completions.create(
                    model="newsdesk", messages=[{"role": "user", "content": TROOPS}], stream=True
                )
            )
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    extra = chunks[-1].model_extra["newsdesk"]
    assert extra["backend"] == "openai:faulty" and llm.count >= 1  # the model did answer
    assert "15,000" in streamed and "[" in streamed
    assert "99,000" in extra["raw_answer"]  # what the model wrote is kept apart, labelled unchecked
    assert "99,000" not in streamed and "99,000" not in extra["text"]
    assert "sk-llm-backend-key" not in streamed + json.dumps(extra)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def test_worker_processes_share_the_port_and_stop_with_the_server(seed_store):
    """serve.workers: the answer's Python runs in several processes (one holds the GIL at a time)."""
    log = seed_store.parent / f"serve-{time.monotonic_ns()}.log"
    env = _env(seed_store, NEWSDESK_SERVE__WORKERS="2")
    with rag_serve(seed_store, env=env, log=log, timeout=START_TIMEOUT_S, cwd=seed_store.parent) as (url, proc):
        assert "2 processes" in log.read_text()
        (worker,) = _children(proc.pid)
        questions = [TROOPS, UNANSWERABLE] * 4
        with httpx.Client(timeout=60) as http:
            answers = [http.post(f"{url}/answer", json={"question": q}).json() for q in questions]
        assert all("15,000" in a["text"] for a in answers[::2]) and all(a["refused"] for a in answers[1::2])
        proc.send_signal(signal.SIGTERM)  # the server alone, as `kill PID` does: its worker goes with it
        proc.wait(timeout=30)
    deadline = time.monotonic() + 30
    while Path(f"/proc/{worker}").exists() and time.monotonic() < deadline:  # it finishes what it was doing
        time.sleep(0.2)
    assert not Path(f"/proc/{worker}").exists(), "a worker outlived the server"
