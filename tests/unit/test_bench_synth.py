"""The benchmark's synthetic growth corpus: deterministic, the right size, unique ids."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from bench import synth

pytestmark = pytest.mark.skipif(not (synth.RGB_DIR / "corpus.jsonl").exists(), reason="needs ../shared RGB data")


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _ids(folder: Path) -> list[str]:
    ids = [p.stem for p in folder.glob("*.txt")]
    for path in folder.glob("*.jsonl"):
        ids += [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return ids


def test_same_target_and_seed_give_identical_files(tmp_path):
    a = synth.make_corpus(3000, tmp_path / "a")
    b = synth.make_corpus(3000, tmp_path / "b")
    assert a.articles == b.articles
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")


def test_another_seed_gives_another_corpus(tmp_path):
    synth.make_corpus(3000, tmp_path / "a", seed=0)
    synth.make_corpus(3000, tmp_path / "b", seed=1)
    assert _digest(tmp_path / "a") != _digest(tmp_path / "b")


def test_chunk_count_is_near_the_target_when_the_index_chunks_it(tmp_path):
    from index.chunk import chunk_article
    from index.clean import clean_article
    from index.load import load_corpus

    info = synth.make_corpus(3000, tmp_path / "c")
    articles = load_corpus(tmp_path / "c").articles
    chunks = sum(len(chunk_article(a.doc_id, clean_article(a.text), 90, 1)) for a in articles)
    assert len(articles) == info.articles
    assert abs(chunks - 3000) / 3000 < 0.05


def test_ids_are_unique_and_the_real_articles_are_kept(tmp_path):
    info = synth.make_corpus(2500, tmp_path / "d")
    ids = _ids(tmp_path / "d")
    assert len(ids) == len(set(ids)) == info.articles
    assert {p.stem for p in synth.SEED_DIR.glob("*.txt")} <= set(ids)
    assert "rgb_d0000" in ids
    assert not (tmp_path / "d" / "corpus_counterfactual.jsonl").exists()


def test_synthetic_articles_are_made_of_real_sentences_with_metadata():
    pool = synth.sentence_pool()
    records = list(synth.synthetic_articles(20, pool))
    known = set(pool)
    for r in records:
        assert r["id"].startswith("synth-") and r["date"] and r["source"] in synth.OUTLETS and r["title"]
        assert all(p.strip() for p in r["text"].split("\n\n"))
        assert any(s in r["text"] for s in known)


def test_seed_only_corpus_has_just_the_five_articles(tmp_path):
    info = synth.seed_corpus(tmp_path / "s")
    assert info.articles == 5 and info.synthetic_articles == 0
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == sorted(p.name for p in synth.SEED_DIR.glob("*.txt"))
