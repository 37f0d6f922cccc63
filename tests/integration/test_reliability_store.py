"""The store under faults: Chroma server lost mid-session, a full disk, a corrupted index folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

import index
import rag
from index.embedders.fake import FakeEmbedder
from index.ids import doc_id_of_chunk
from index.load import load_corpus
from newsdesk.errors import StoreError
from tests.conftest import ROOT, SEED_CORPUS, make_settings
from tests.integration.servers import chroma_server
from tests.integration.test_index_servers import _make_corpus

pytestmark = pytest.mark.slow
TROOPS = "How many troops has North Korea sent to Russia?"


def _cli(*args, cwd, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**clean, "PYTHONPATH": str(ROOT), **env},
    )


def _last_line(done) -> str:
    lines = done.stderr.strip().splitlines()
    return lines[-1] if lines else ""


def test_the_chroma_server_goes_away_and_comes_back_mid_session(tmp_path):
    data = tmp_path / "chroma-data"
    with chroma_server(data, tmp_path) as (host, port, _proc):
        settings = make_settings(tmp_path, embedder="minilm-onnx", index={"chroma_host": host, "chroma_port": port})
        index.build(settings=settings)
        news = rag.open_index(settings)
        assert "15,000" in rag.answer(TROOPS, news_index=news).text
    # Gone: the open index still answers, from the chunks, vectors and BM25 it read when it opened ...
    assert "15,000" in rag.answer(TROOPS, news_index=news).text
    # ... and whatever must reach the server (here: dense search through Chroma's HNSW index, as on a
    # corpus above retrieval.exact_search_max_chunks) fails with a clear one-line error, not an httpx traceback.
    via_server = settings.model_copy(
        update={"retrieval": settings.retrieval.model_copy(update={"exact_search_max_chunks": 0})}
    )
    with pytest.raises(StoreError) as err:
        rag.answer(TROOPS, news_index=news, settings=via_server)
    assert str(err.value).startswith(f"lost the connection to the index at Chroma server {host}:{port}")
    assert "\n" not in str(err.value)
    # Back on the same port and data: the SAME open index answers through the server again, no restart.
    with chroma_server(data, tmp_path, port=port):
        assert "15,000" in rag.answer(TROOPS, news_index=news, settings=via_server).text


@pytest.fixture
def small_disk(tmp_path):
    """A 16 MB tmpfs (we are root in CI); skipped with the reason where mounting is not allowed."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill ({done.stderr.strip() or done.returncode})")

    def resize(mb: int) -> None:
        subprocess.run(["mount", "-o", f"remount,size={mb}m", str(mount)], check=True)

    try:
        yield mount, resize
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _consistent(settings) -> tuple[int, int]:
    """(articles, chunks), after checking every chunk belongs to a committed article and counts agree."""
    store = index.open_store(settings)
    records = store.article_records()
    assert store.chunk_doc_ids() <= set(records)  # no orphan chunk
    assert store.count_chunks() == sum(r.n_chunks for r in records.values())  # no duplicate chunk
    return len(records), store.count_chunks()


@pytest.mark.parametrize("min_free_mb, disk_mb", [(8, 16), (0, 8)], ids=["stops-before-full", "hits-full-disk"])
def test_a_full_disk_is_one_clear_line_and_the_index_survives(tmp_path, small_disk, min_free_mb, disk_mb):
    mount, resize = small_disk
    resize(disk_mb)
    corpus = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    store = mount / "store"
    env = {"NEWSDESK_INDEX__MIN_FREE_MB": str(min_free_mb)}
    build = ("index", "build", "--corpus", str(corpus), "--store", str(store), "--embedder", "fake")
    first = _cli(*build, cwd=tmp_path, **env)
    assert first.returncode == 0, first.stderr
    _make_corpus(tmp_path / "more", 1000)  # ~4,300 chunks, ~35 MB with the tables: more than the disk holds
    shutil.copy(tmp_path / "more" / "feed.jsonl", corpus / "feed.jsonl")
    wanted = len(load_corpus(corpus).articles)  # a few generated records clean down to nothing and are skipped

    full = _cli(*build, cwd=tmp_path, **env)
    assert full.returncode == 2
    assert _last_line(full).startswith(f"error: not enough free space for the index at {store}")
    assert "Traceback" not in full.stderr

    settings = make_settings(tmp_path, corpus=corpus, index={"store_dir": str(store), "min_free_mb": min_free_mb})
    if min_free_mb:  # stopped in time: the index still opens and answers on the full disk
        news = rag.open_index(settings, embedder=FakeEmbedder())
        assert news.article("000_d5ae959b64b4b853") is not None
        assert "15,000" in rag.answer(TROOPS, news_index=news).text
        articles, _ = _consistent(settings)
        assert 5 <= articles < wanted
    resize(64)  # space freed: the index is intact and the build resumes
    news = rag.open_index(settings, embedder=FakeEmbedder())
    assert "15,000" in rag.answer(TROOPS, news_index=news).text
    resumed = _cli(*build, cwd=tmp_path, **env)
    assert resumed.returncode == 0, resumed.stderr
    assert _consistent(settings)[0] == wanted


def test_a_truncated_index_is_a_clear_line_with_a_rebuild_path(tmp_path, seed_copy):
    """A half-copied or cut-off chroma.sqlite3 (test_build.py covers a garbage file through the API)."""
    store = tmp_path / "store"
    build = ("index", "build", "--corpus", str(seed_copy), "--store", str(store), "--embedder", "fake")
    assert _cli(*build, cwd=tmp_path).returncode == 0
    db = store / "chroma.sqlite3"
    db.write_bytes(db.read_bytes()[: db.stat().st_size // 3])
    for command in (("index", "status", "--store", str(store)), ("rag", "ask", TROOPS, "--store", str(store)), build):
        done = _cli(*command, cwd=tmp_path)
        assert done.returncode == 2, command
        assert done.stderr.strip().splitlines() == [_last_line(done)]  # one line, no traceback
        assert _last_line(done).startswith(f"error: the index at {store} is unreadable")
        assert _last_line(done).endswith("rebuild it with `python -m index build --rebuild`")
    rebuilt = _cli(*build, "--rebuild", cwd=tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "previous index moved to" in rebuilt.stderr and list(tmp_path.glob("store.old-*/chroma.sqlite3"))
    done = _cli("rag", "ask", TROOPS, "--store", str(store), cwd=tmp_path)
    assert done.returncode == 0 and "15,000" in done.stdout


def test_rebuild_of_a_folder_that_is_not_an_index_is_one_line(tmp_path, seed_copy):
    """`--store . --rebuild` from a folder of one's own files used to end in a traceback."""
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    done = _cli(
        "index", "build", "--corpus", str(seed_copy), "--store", ".", "--rebuild", "--embedder", "fake", cwd=tmp_path
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [_last_line(done)]
    assert "is not a Newsdesk index" in _last_line(done) and "refusing to move it aside" in _last_line(done)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_an_open_index_notices_a_rebuild_by_another_process(tmp_path, seed_copy):
    """The app and a command line are two processes: the app's cached Chroma client read the moved-aside files."""
    settings = make_settings(tmp_path, corpus=seed_copy)
    build = ("index", "build", "--corpus", str(seed_copy), "--store", str(tmp_path / "store"), "--embedder", "fake")
    assert _cli(*build, cwd=tmp_path).returncode == 0
    news = rag.open_index(settings)
    assert news.article("004_54ac3c588acb31a6") is not None and not news.is_stale()
    for doc_id, extra in (("000_d5ae959b64b4b853", ()), ("004_54ac3c588acb31a6", ("--rebuild",))):
        (seed_copy / f"{doc_id}.txt").unlink()
        done = _cli(*build, *extra, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert news.is_stale()
        news = news.refreshed()
        assert news.article(doc_id) is None and doc_id not in {doc_id_of_chunk(c) for c in news.chunks.ids}
    assert len(news.articles) == 3 and "15,000" not in rag.answer(TROOPS, news_index=news).text
