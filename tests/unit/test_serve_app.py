"""The served API in-process (Starlette's TestClient) over the seed corpus indexed with the fake embedder."""

from __future__ import annotations

import json
import threading

import pytest
from starlette.testclient import TestClient

import rag
from index.embedders.fake import FakeEmbedder
from newsdesk.settings import ServeSettings
from rag.serve import create_app
from tests.conftest import make_settings

TROOPS = "How many troops has North Korea sent to Russia?"
KEY = "test-key-0123456789abcdef"


def client(news_index, **serve) -> TestClient:
    return TestClient(create_app(news_index, ServeSettings(**serve)))


def ask_chat(http: TestClient, question: str = TROOPS, **extra):
    return http.post("/v1/chat/completions", json={"model": "newsdesk", "messages": [{"role": "user", "content": question}], **extra})  # fmt: skip


def assert_error(response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and set(error) == {"message", "type", "param", "code"}
    assert error["message"] and "\n" not in error["message"]
    return error["message"]


def test_chat_completion_answers_with_citations_and_the_structured_answer(fake_seed_index):
    body = ask_chat(client(fake_seed_index)).json()
    content = body["choices"][0]["message"]["content"]
    assert "15,000" in content and "[1]" in content and "\n\nSources:\n- [1] " in content
    extra = body["newsdesk"]
    assert extra["refused"] is False and "trace" not in extra
    first = extra["citations"][0]
    article = fake_seed_index.article(first["doc_id"])
    assert article.text[first["start"] : first["end"]] == first["quote"]


def test_streamed_chat_is_server_sent_events_ending_with_done(fake_seed_index):
    http = client(fake_seed_index, stream_chunk_chars=8)
    with http.stream("POST", "/v1/chat/completions", json={"messages": [{"role": "user", "content": TROOPS}], "stream": True}) as response:  # fmt: skip
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in response.iter_lines() if line]
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(line.removeprefix("data: ")) for line in lines[:-1]]
    streamed = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert streamed == ask_chat(http).json()["choices"][0]["message"]["content"]
    assert chunks[-1]["newsdesk"]["citations"][0]["doc_id"]


def test_native_answer_returns_the_answer_json_and_the_trace_only_when_asked(fake_seed_index):
    http = client(fake_seed_index)
    plain = http.post("/v1/answer", json={"question": TROOPS}).json()
    assert "15,000" in plain["text"] and plain["short_answer"] and "trace" not in plain
    traced = http.post("/v1/answer", json={"question": TROOPS, "trace": True}).json()
    assert traced["trace"] and traced["trace"][0]["chunk_id"]
    # Filters: nothing in the corpus is dated 2030, so the answer refuses.
    later = http.post("/v1/answer", json={"question": TROOPS, "since": "2030-01-01"}).json()
    assert later["refused"] is True


def test_history_in_a_native_request_makes_a_follow_up_standalone(fake_seed_index):
    history = [{"role": "user", "content": TROOPS}, {"role": "assistant", "content": "About 15,000. [1]"}]
    answer = client(fake_seed_index).post("/v1/answer", json={"question": "And where?", "history": history}).json()
    assert answer["standalone_question"] and "North Korea" in answer["standalone_question"]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"question": 3}, "question"),
        ({"question": "q", "since": "last week"}, "since"),
        ({"question": "q", "until": 20250101}, "until"),
        ({"question": "q", "sources": "DW"}, "sources"),
        ({"question": "q", "history": [{"role": "tool", "content": "x"}]}, "history"),
        ({"question": "q", "trace": "yes"}, "trace"),
        ({"question": "q", "top_k": 3}, "top_k"),
    ],
)
def test_bad_native_fields_are_400_naming_the_field(fake_seed_index, body, param):
    response = client(fake_seed_index).post("/v1/answer", json=body)
    assert response.status_code == 400 and response.json()["error"]["param"] == param
    assert "\n" not in response.json()["error"]["message"]


def test_article_and_index_endpoints(fake_seed_index):
    http = client(fake_seed_index)
    doc_id = next(iter(fake_seed_index.articles))
    article = http.get(f"/v1/articles/{doc_id}").json()
    assert article["text"] == fake_seed_index.article(doc_id).text
    assert set(article) == {"doc_id", "title", "date", "source", "url", "byline", "text"}  # no server path
    assert_error(http.get("/v1/articles/no-such-doc"), 404, "article_not_found")
    info = http.get("/v1/index").json()
    assert (info["articles"], info["chunks"], info["embedder"]) == (5, 54, "fake") and info["last_build"]
    assert http.get("/v1/models").json()["data"] == [
        {"id": "newsdesk", "object": "model", "created": 0, "owned_by": "newsdesk"}
    ]
    assert http.get("/v1/models/newsdesk").json()["id"] == "newsdesk"
    assert http.get("/healthz").json() == {"status": "ok"}


def test_keys_are_required_when_configured_and_never_echoed(fake_seed_index):
    http = client(fake_seed_index, api_keys=[KEY, "another-key-0123456789"])
    missing = http.get("/v1/models")
    assert "Authorization: Bearer" in assert_error(missing, 401, "invalid_api_key")
    assert missing.headers["www-authenticate"] == "Bearer"
    for wrong in (
        "Bearer wrong-key-0123456789abcdef",
        f"Bearer {KEY[:-1]}",
        f"Bearer {KEY}x",
        f"Basic {KEY}",
        "Bearer ",
    ):
        response = http.get("/v1/models", headers={"Authorization": wrong})
        assert_error(response, 401, "invalid_api_key")
        assert "0123456789" not in response.text  # neither the key sent nor the real one is echoed
    ok = {"Authorization": f"Bearer {KEY}"}
    assert http.get("/v1/models", headers=ok).status_code == 200
    assert http.get("/v1/models", headers={"Authorization": "bearer another-key-0123456789"}).status_code == 200
    assert ask_chat(http).status_code == 401 and http.post("/v1/answer", json={"question": TROOPS}).status_code == 401
    assert http.get("/healthz").status_code == 200  # the health check needs no key and says nothing else
    assert http.get("/no-such-path").status_code == 401  # unknown paths do not reveal themselves either


def test_no_key_is_asked_when_none_is_configured(fake_seed_index):
    assert client(fake_seed_index).get("/v1/models", headers={"Authorization": "Bearer anything"}).status_code == 200


def test_over_limit_bodies_are_413_before_being_read_whole(fake_seed_index):
    http = client(fake_seed_index, max_request_bytes=2048)
    history = [{"role": "user", "content": "x" * 1500}, {"role": "assistant", "content": "y" * 1500}]
    messages = [*history, {"role": "user", "content": TROOPS}]
    message = assert_error(http.post("/v1/chat/completions", json={"messages": messages}), 413, "request_too_large")
    assert "2,048 bytes" in message

    def chunked():  # no Content-Length: the body is counted as it arrives
        yield b'{"question": "'
        for _ in range(100):
            yield b"x" * 100
        yield b'"}'

    assert_error(http.post("/v1/answer", content=chunked()), 413, "request_too_large")


def test_question_length_and_bad_json_are_one_line_400s(fake_seed_index):
    http = client(fake_seed_index)
    message = assert_error(ask_chat(http, "why " * 600), 400, "invalid_question")
    assert "limit is 2,000" in message
    assert_error(ask_chat(http, "   "), 400, "invalid_question")
    bad = http.post("/v1/answer", content=b"{not json")
    assert bad.status_code == 400 and "not valid JSON" in bad.json()["error"]["message"]
    assert http.post("/v1/answer", content=b"").status_code == 400
    assert_error(ask_chat(http, TROOPS, model="gpt-4o"), 404, "model_not_found")


def test_unknown_paths_and_methods_are_json_errors(fake_seed_index):
    http = client(fake_seed_index)
    assert_error(http.get("/v2/whatever"), 404, "not_found")
    assert_error(http.get("/v1/chat/completions"), 405, "method_not_allowed")


class GatedEmbedder(FakeEmbedder):
    """The fake embedder, but a query waits until the test opens the gate: holds a worker busy on demand."""

    def __init__(self):
        super().__init__()
        self.entered = threading.Event()
        self.gate = threading.Event()

    def embed_query(self, text):
        self.entered.set()
        assert self.gate.wait(30), "the test never opened the gate"
        return super().embed_query(text)


def test_requests_beyond_the_workers_and_the_queue_get_a_clear_503(fake_seed_index):
    embedder = GatedEmbedder()
    gated = rag.open_index(fake_seed_index.settings, embedder=embedder)
    http = client(gated, max_concurrency=1, max_waiting=0)
    first: dict = {}
    worker = threading.Thread(target=lambda: first.update(response=ask_chat(http)))
    worker.start()
    try:
        assert embedder.entered.wait(30)
        busy = ask_chat(http)
        assert "busy" in assert_error(busy, 503, "server_busy")
        assert busy.headers["retry-after"] == "1"
        assert http.get("/v1/index").status_code == 200  # reading endpoints do not need a worker
    finally:
        embedder.gate.set()
        worker.join(30)
    assert first["response"].status_code == 200
    assert ask_chat(http).status_code == 200  # the slot is free again


def test_cors_is_off_unless_origins_are_configured(fake_seed_index):
    origin = {"Origin": "http://localhost:3000"}
    assert "access-control-allow-origin" not in client(fake_seed_index).get("/v1/models", headers=origin).headers
    http = client(fake_seed_index, cors_origins=["http://localhost:3000"], api_keys=[KEY])
    preflight = http.options(
        "/v1/chat/completions",
        headers={**origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"},
    )
    assert preflight.status_code == 200  # preflight carries no key, by design of browsers
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:3000"
    other = http.get("/v1/models", headers={"Origin": "http://evil.example", "Authorization": f"Bearer {KEY}"})
    assert "access-control-allow-origin" not in other.headers


def test_a_build_that_changes_the_index_is_served_without_a_restart(tmp_path, seed_copy):
    import index

    settings = make_settings(tmp_path, corpus=seed_copy)
    index.build(settings=settings)
    http = TestClient(create_app(rag.open_index(settings), ServeSettings(), index_check_s=0))
    assert http.get("/v1/index").json()["articles"] == 5
    (seed_copy / "zz_new.txt").write_text(
        "Glacier melt in the Alps\n\nThe Rhone glacier lost 4.7 percent of its ice volume in 2024, Swiss researchers said.\n",
        encoding="utf-8",
    )
    index.build(settings=settings)
    assert http.get("/v1/index").json()["articles"] == 6
    assert "Rhone glacier" in http.get("/v1/articles/zz_new").json()["text"]
    answer = http.post("/v1/answer", json={"question": "How much of its ice volume did the Rhone glacier lose?"}).json()
    assert "4.7 percent" in answer["text"] and answer["citations"][0]["doc_id"] == "zz_new"
