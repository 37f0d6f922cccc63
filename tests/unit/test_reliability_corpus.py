"""A messy corpus folder: what test_load.py does not cover yet (pipes, devices, 50 MB files, root, the CLI)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

import index
import rag
from index.embedders.fake import FakeEmbedder
from index.load import load_corpus
from tests.conftest import ROOT, make_settings

ARTICLE = "Officials in Köln said the bridge reopened on Monday. Traffic was light in the morning."


def _cli(*args, cwd, env=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.timeout(30)
def test_named_pipes_and_devices_are_skipped_not_read_forever(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "good.txt").write_text(ARTICLE, encoding="utf-8")
    os.mkfifo(corpus / "pipe.txt")  # reading it would block until someone writes
    (corpus / "zeros.txt").symlink_to("/dev/zero")  # reading it never ends
    result = load_corpus(corpus)
    assert [a.doc_id for a in result.articles] == ["good"]
    assert "skipped pipe.txt: not a regular file" in result.warnings
    assert "skipped zeros.txt: not a regular file" in result.warnings


def test_a_50_mb_file_is_skipped_without_being_read(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "good.txt").write_text(ARTICLE, encoding="utf-8")
    for name in ("huge.txt", "huge feed.jsonl"):
        with open(corpus / name, "wb") as fh:  # sparse: 50 MB on paper, nothing on disk
            fh.truncate(50_000_000)
    started = time.perf_counter()
    result = load_corpus(corpus)  # default limit, 20 MB
    assert time.perf_counter() - started < 2
    assert [a.doc_id for a in result.articles] == ["good"]
    assert "skipped huge.txt: 50.0 MB is over the 20.0 MB limit" in result.warnings
    assert "skipped huge feed.jsonl: 50.0 MB is over the 20.0 MB limit" in result.warnings


@pytest.mark.skipif(not shutil.which("setpriv"), reason="setpriv is needed to drop root's read-anything capability")
def test_an_unreadable_file_is_skipped_even_when_running_as_root(tmp_path):
    """test_load.py cannot check this as root; drop CAP_DAC_OVERRIDE so permissions bite again."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "good.txt").write_text(ARTICLE, encoding="utf-8")
    locked = corpus / "locked.txt"
    locked.write_text("Secret text nobody may read. Second sentence.", encoding="utf-8")
    locked.chmod(0)
    code = (
        f"from index.load import load_corpus; r = load_corpus({str(corpus)!r}); print([a.doc_id for a in r.articles])"
    )
    cmd = [sys.executable, "-c", code]
    if os.geteuid() == 0:
        caps = "-dac_override,-dac_read_search"
        cmd = ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}", *cmd]
    done = subprocess.run(
        cmd, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['good']"
    assert done.stderr.strip() == "skipped locked.txt: cannot read (Permission denied)"


def test_duplicate_ids_across_files_keep_the_first_with_a_warning(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.md").write_text("First version of the article. It is kept.", encoding="utf-8")
    (corpus / "a.txt").write_text("Second file with the same stem. It is skipped.", encoding="utf-8")
    (corpus / "feed.jsonl").write_text(
        '{"id": "a", "text": "Third copy from a feed. Also skipped."}\n', encoding="utf-8"
    )
    result = load_corpus(corpus)
    assert [a.text.split()[0] for a in result.articles] == ["First"]
    dupes = [w for w in result.warnings if "duplicate doc id 'a'" in w]
    assert dupes == [
        "skipped duplicate doc id 'a' in a.txt (first seen in a.md)",
        "skipped duplicate doc id 'a' in feed.jsonl (first seen in a.md)",
    ]


def test_spaces_and_non_ascii_names_build_answer_and_cite(tmp_path):
    corpus = tmp_path / "Zeitungsartikel März"
    corpus.mkdir()
    (corpus / "Brücke in Köln – Nachricht 1.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "北京 阅兵.md").write_text(
        "The parade in Beijing drew large crowds. Soldiers marched for hours.", encoding="utf-8"
    )
    settings = make_settings(tmp_path, corpus=corpus, index={"store_dir": str(tmp_path / "store ü")})
    report = index.build(settings=settings, embedder=FakeEmbedder())
    assert report.articles == 2 and report.warnings == []
    news = rag.open_index(settings, embedder=FakeEmbedder())
    answer = rag.answer("When did the bridge in Köln reopen?", news_index=news)
    assert not answer.refused
    cited = {c.doc_id for c in answer.citations}
    assert cited == {"Brücke in Köln – Nachricht 1"}
    c = answer.citations[0]
    assert news.article(c.doc_id).text[c.start : c.end] == c.quote


def test_an_empty_corpus_folder_is_one_clear_line_from_the_cli(tmp_path):
    (tmp_path / "empty").mkdir()
    done = _cli("-m", "index", "build", "--corpus", str(tmp_path / "empty"), "--embedder", "fake", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: no readable articles in {tmp_path / 'empty'} (looked for .txt, .md and .jsonl files)"
    ]
