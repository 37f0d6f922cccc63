"""The tables a build saves beside the store: sentence vectors, the chunk table and the keyword index."""

from __future__ import annotations

import logging
import shutil

import numpy as np
import pytest

import index
import rag
from index.embedders.fake import FakeEmbedder
from index.keywords import keyword_tokens
from index.tables import tables_root
from rag.cite import passage_sentences
from rag.retrieve import hybrid_retrieve
from tests.conftest import make_settings

QUESTIONS = [
    "How many troops has North Korea sent to Russia?",
    "Where was the military parade held?",
    "How long was Putin's state visit to China?",
    "Which leaders attended the parade in Beijing?",
]


def _every_passage_key(news) -> list[tuple[str, int, int]]:
    """The sentence keys a reader makes from every chunk retrieved as a passage."""
    keys = []
    for row in range(len(news.chunks)):
        passage = news.chunks.passage(row, 0.0)
        keys += [(passage.doc_id, s, e) for s, e, _ in passage_sentences(passage)]
    return keys


def _retrieved(news) -> list[list[tuple[str, float]]]:
    return [
        [(p.chunk_id, round(p.score, 6)) for p in hybrid_retrieve(q, news_index=news, settings=news.settings).passages]
        for q in QUESTIONS
    ]


def test_every_sentence_a_reader_sees_has_its_vector_from_the_build(tmp_path, seed_copy):
    settings = make_settings(tmp_path, corpus=seed_copy)
    report = index.build(settings=settings, embedder=FakeEmbedder())
    assert report.embedded_sentences > 0
    news = rag.open_index(settings, embedder=FakeEmbedder())
    keys = _every_passage_key(news)  # includes the sentences at chunk edges, split as each passage splits them
    vectors = news.sentence_vectors(keys)
    assert vectors.shape == (len(keys), FakeEmbedder().dim) and not np.isnan(vectors).any()
    assert news._sentences.embedded_on_demand == 0  # every one was in the tables
    texts = [news.article(d).text[s:e] for d, s, e in keys]
    expected = FakeEmbedder().embed_passages(texts)
    assert np.allclose(vectors, expected, atol=2e-3)  # float16 on disk
    assert len(news._sentences) == len(set(keys))  # each sentence stored once


def test_other_spans_are_embedded_on_demand_and_unknown_articles_get_nan(tmp_path, seed_copy):
    settings = make_settings(tmp_path, corpus=seed_copy)
    index.build(settings=settings, embedder=FakeEmbedder())
    news = rag.open_index(settings, embedder=FakeEmbedder())
    doc_id = next(iter(news.articles))
    text = news.article(doc_id).text
    got = news.sentence_vectors([(doc_id, 0, 20), ("no-such-article", 0, 5), (doc_id, 0, len(text) + 5)])
    assert np.allclose(got[0], FakeEmbedder().embed_passages([text[0:20]])[0], atol=1e-6)
    assert np.isnan(got[1]).all() and np.isnan(got[2]).all()
    assert news._sentences.embedded_on_demand == 1
    news.sentence_vectors([(doc_id, 0, 20)])
    assert news._sentences.embedded_on_demand == 1  # remembered


def test_sentences_follow_the_corpus_incrementally(tmp_path, seed_copy):
    settings = make_settings(tmp_path, corpus=seed_copy)
    index.build(settings=settings, embedder=FakeEmbedder())
    before = rag.open_index(settings, embedder=FakeEmbedder())
    keys_before = _every_passage_key(before)

    changed = seed_copy / "003_9b0c19500f436efb.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nA new closing sentence was added.", encoding="utf-8")
    (seed_copy / "000_d5ae959b64b4b853.txt").unlink()
    embedder = FakeEmbedder()
    report = index.build(settings=settings, embedder=embedder)
    after = rag.open_index(settings, embedder=FakeEmbedder())
    keys_after = _every_passage_key(after)
    # Only the changed article was embedded: its chunks and its sentences, nothing else.
    changed_keys = {k for k in keys_after if k[0] == "003_9b0c19500f436efb"}
    assert report.embedded_chunks == sum(1 for c in after.chunks.doc_ids if c == "003_9b0c19500f436efb")
    assert 0 < report.embedded_sentences <= len(changed_keys)
    assert sum(embedder.calls) == report.embedded_chunks + report.embedded_sentences
    # The removed article's sentences are gone; the unchanged ones kept their vectors.
    assert not any(k[0] == "000_d5ae959b64b4b853" for k in keys_after)
    assert len(after._sentences) == len(set(keys_after))
    kept = [k for k in keys_before if k[0] not in ("000_d5ae959b64b4b853", "003_9b0c19500f436efb")]
    assert np.array_equal(after.sentence_vectors(kept), before.sentence_vectors(kept))
    assert after._sentences.embedded_on_demand == before._sentences.embedded_on_demand == 0


def _notices(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def _memory_mapped(array) -> bool:
    while array is not None:
        if isinstance(array, np.memmap):
            return True
        array = getattr(array, "base", None)
    return False


def test_opening_reads_the_saved_tables_and_rebuilds_them_once_when_missing(tmp_path, seed_copy, caplog):
    settings = make_settings(tmp_path, corpus=seed_copy)
    index.build(settings=settings, embedder=FakeEmbedder())
    folder = tables_root(settings) / "newsdesk-g1"
    assert (folder / "manifest.json").exists() and (folder / "bm25").is_dir()
    caplog.clear()
    saved = rag.open_index(settings, embedder=FakeEmbedder())
    assert not _notices(caplog) and _memory_mapped(saved.chunks.vectors)
    shutil.rmtree(tables_root(settings))
    from_store = rag.open_index(settings, embedder=FakeEmbedder())
    assert len(_notices(caplog)) == 1 and "missing or stale" in _notices(caplog)[0]
    assert (folder / "manifest.json").exists()  # written again for the next opening
    caplog.clear()
    again = rag.open_index(settings, embedder=FakeEmbedder())
    assert not _notices(caplog)
    # Same chunks, same order, same answers whichever way the index was opened.
    assert saved.chunks.ids == from_store.chunks.ids == again.chunks.ids
    assert np.allclose(saved.chunks.vectors, from_store.chunks.vectors, atol=1e-6)  # Chroma: last-bit rounding
    assert _retrieved(saved) == _retrieved(from_store) == _retrieved(again)
    assert dict(saved.keyword_index.doc_freq) == dict(from_store.keyword_index.doc_freq)
    # Sentence vectors are not in Chroma: the reopened index carries them from the newest tables left,
    # and with none left (here) embeds them on demand.
    keys = _every_passage_key(from_store)
    assert np.allclose(from_store.sentence_vectors(keys), saved.sentence_vectors(keys), atol=2e-3)


def test_the_saved_keyword_index_counts_words_as_the_texts_do(tmp_path, seed_copy):
    settings = make_settings(tmp_path, corpus=seed_copy)
    index.build(settings=settings, embedder=FakeEmbedder())
    news = rag.open_index(settings, embedder=FakeEmbedder())
    counted: dict[str, int] = {}
    for text in news.chunks.texts:
        for word in set(keyword_tokens(text)):
            counted[word] = counted.get(word, 0) + 1
    assert dict(news.keyword_index.doc_freq) == counted


@pytest.mark.parametrize("damage", ["manifest", "array", "leftover"])
def test_damaged_or_half_written_tables_are_never_trusted(tmp_path, seed_copy, damage):
    settings = make_settings(tmp_path, corpus=seed_copy)
    index.build(settings=settings, embedder=FakeEmbedder())
    good = _retrieved(rag.open_index(settings, embedder=FakeEmbedder()))
    folder = tables_root(settings) / "newsdesk-g1"
    if damage == "manifest":
        (folder / "manifest.json").write_text("{not json", encoding="utf-8")
    elif damage == "array":
        (folder / "chunk_vectors.npy").write_bytes(b"\x93NUMPY garbage")
    else:  # a build killed while writing the next generation leaves its temporary folder
        (tables_root(settings) / ".newsdesk-g2.999.tmp").mkdir()
    assert _retrieved(rag.open_index(settings, embedder=FakeEmbedder())) == good


def test_a_build_keeps_only_the_current_generation(tmp_path, seed_copy):
    settings = make_settings(tmp_path, corpus=seed_copy)
    index.build(settings=settings, embedder=FakeEmbedder())
    (seed_copy / "000_d5ae959b64b4b853.txt").unlink()
    index.build(settings=settings, embedder=FakeEmbedder())
    assert sorted(p.name for p in tables_root(settings).iterdir()) == ["newsdesk-g2"]


def test_a_build_that_finds_the_tables_gone_saves_them_again_with_every_sentence(tmp_path, seed_copy):
    settings = make_settings(tmp_path, corpus=seed_copy)  # the fake embedder, loaded through the registry
    index.build(settings=settings)
    shutil.rmtree(tables_root(settings))
    report = index.build(settings=settings)  # nothing changed in the corpus
    assert report.embedded_chunks == 0 and report.generation == 1
    news = rag.open_index(settings)
    keys = _every_passage_key(news)
    assert not np.isnan(news.sentence_vectors(keys)).any() and news._sentences.embedded_on_demand == 0


def test_story_groups_from_the_tables_are_those_read_from_the_store(tmp_path, seed_copy):
    """A build groups stories from the tables it assembles (no read of Chroma); the groups are the same."""
    from index.stories import group_stories

    copy = seed_copy / "copy_of_004.txt"  # a second copy of one story: one group of two
    copy.write_text((seed_copy / "004_54ac3c588acb31a6.txt").read_text(encoding="utf-8"), encoding="utf-8")
    settings = make_settings(tmp_path, corpus=seed_copy)
    report = index.build(settings=settings, embedder=FakeEmbedder())
    store = index.open_store(settings)
    from_store = group_stories(store, FakeEmbedder.similarity_floor)  # the store's own records and vectors
    news = rag.open_index(settings, embedder=FakeEmbedder())
    assert report.story_groups == len({g["story"] for g in from_store.values()}) == 4  # the DW pair, and this pair
    for doc_id, group in from_store.items():
        record = store.article_records()[doc_id].metadata
        assert record["story"] == group["story"] == news.stories.story(doc_id)


def test_a_keyword_index_saved_under_other_word_rules_is_rebuilt(tmp_path, seed_copy, monkeypatch, caplog):
    settings = make_settings(tmp_path, corpus=seed_copy)
    index.build(settings=settings, embedder=FakeEmbedder())
    good = _retrieved(rag.open_index(settings, embedder=FakeEmbedder()))
    monkeypatch.setattr("index.tables.tokenizer_signature", lambda: "other-rules")
    caplog.clear()
    news = rag.open_index(settings, embedder=FakeEmbedder())
    assert any("word rules changed" in n for n in _notices(caplog)) and _retrieved(news) == good
    index.build(settings=settings, embedder=FakeEmbedder())  # nothing changed in the corpus: saves them again
    caplog.clear()
    assert _retrieved(rag.open_index(settings, embedder=FakeEmbedder())) == good and not _notices(caplog)


def test_a_build_removes_what_killed_processes_left_half_written_but_not_a_live_ones(tmp_path, seed_copy):
    import os

    settings = make_settings(tmp_path, corpus=seed_copy)
    index.build(settings=settings, embedder=FakeEmbedder())
    gone = tables_root(settings) / ".newsdesk-g7.999999999.tmp"  # no such process
    live = tables_root(settings) / f".newsdesk-g7.{os.getpid()}.tmp"  # this one, writing
    gone.mkdir()
    live.mkdir()
    (seed_copy / "000_d5ae959b64b4b853.txt").unlink()
    index.build(settings=settings, embedder=FakeEmbedder())
    assert not gone.exists() and live.exists()
    assert sorted(p.name for p in tables_root(settings).iterdir() if not p.name.startswith(".")) == ["newsdesk-g2"]


def test_a_sentence_text_repeated_across_articles_has_one_vector_row(tmp_path, seed_copy):
    copy = seed_copy / "copy_of_004.txt"  # every sentence of this article twice
    copy.write_text((seed_copy / "004_54ac3c588acb31a6.txt").read_text(encoding="utf-8"), encoding="utf-8")
    settings = make_settings(tmp_path, corpus=seed_copy)
    index.build(settings=settings, embedder=FakeEmbedder())
    news = rag.open_index(settings, embedder=FakeEmbedder())
    keys = sorted(set(_every_passage_key(news)))
    texts = [news.article(d).text[s:e] for d, s, e in keys]
    tables = index.tables.load_tables(settings, 1, FakeEmbedder().name)
    assert len(tables.sentence_doc) == len(keys)  # a row per span, as the reader keys them
    assert len(tables.sentence_vectors) == len(set(texts)) < len(keys)  # a vector per distinct text
    got = news.sentence_vectors(keys)
    assert np.allclose(got, FakeEmbedder().embed_passages(texts), atol=2e-3)
    assert news._sentences.embedded_on_demand == 0


def _as_format_1(folder) -> None:
    """Rewrite a tables folder as format 1 wrote it: a sentence vector per span, no sentence_row."""
    import json

    rows = np.load(folder / "sentence_row.npy")
    vectors = np.load(folder / "sentence_vectors.npy")
    np.save(folder / "sentence_vectors.npy", vectors[rows])
    (folder / "sentence_row.npy").unlink()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["format"] = 1
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.parametrize("then", ["open", "build"])
def test_tables_of_the_earlier_format_are_rewritten_once_keeping_their_sentence_vectors(
    tmp_path, seed_copy, caplog, then
):
    settings = make_settings(tmp_path, corpus=seed_copy)
    index.build(settings=settings, embedder=FakeEmbedder())
    before = rag.open_index(settings, embedder=FakeEmbedder())
    keys = _every_passage_key(before)
    good = (_retrieved(before), before.sentence_vectors(keys))
    folder = tables_root(settings) / "newsdesk-g1"
    _as_format_1(folder)
    caplog.clear()
    embedder = FakeEmbedder()
    if then == "open":
        rag.open_index(settings, embedder=embedder)
        assert len(_notices(caplog)) == 1 and "missing or stale" in _notices(caplog)[0]
    else:
        report = index.build(settings=settings, embedder=embedder)  # nothing changed in the corpus
        assert report.generation == 1 and not _notices(caplog)
    assert sum(embedder.calls) == 0  # the old tables' sentence vectors were carried, not embedded again
    assert (folder / "sentence_row.npy").exists()  # saved in this format
    caplog.clear()
    again = rag.open_index(settings, embedder=FakeEmbedder())
    assert not _notices(caplog)
    assert _retrieved(again) == good[0]
    assert np.array_equal(again.sentence_vectors(keys), good[1]) and again._sentences.embedded_on_demand == 0
