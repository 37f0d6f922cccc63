"""Incremental builds with the fake embedder: only changes are embedded, removals removed."""

from __future__ import annotations

import pytest

import index
import rag
from index.embedders.fake import FakeEmbedder
from newsdesk.errors import EmbedderMismatch, IndexMissing, StoreError
from tests.conftest import make_settings


def _state(settings):
    store = index.open_store(settings)
    ids, texts, metas = store.all_chunks()
    return sorted(ids), {d: r.content_hash for d, r in store.article_records().items()}


def test_build_then_rebuild_embeds_only_changes(tmp_path, seed_copy):
    settings = make_settings(tmp_path, corpus=seed_copy)
    embedder = FakeEmbedder()
    first = index.build(settings=settings, embedder=embedder)
    assert (first.articles, first.embedded_articles) == (5, 5)
    assert first.chunks == first.embedded_chunks > 20

    again = index.build(settings=settings, embedder=embedder)
    assert (again.embedded_articles, again.embedded_chunks, again.unchanged_articles) == (0, 0, 5)
    assert again.chunks == first.chunks

    doc = seed_copy / "003_9b0c19500f436efb.txt"
    doc.write_text(doc.read_text(encoding="utf-8") + "\nA new closing sentence was added.", encoding="utf-8")
    (seed_copy / "000_d5ae959b64b4b853.txt").unlink()
    changed = index.build(settings=settings, embedder=embedder)
    assert (changed.embedded_articles, changed.removed_articles, changed.articles) == (1, 1, 4)
    ids, hashes = _state(settings)
    assert not any(i.startswith("000_") for i in ids)
    assert len(ids) == len(set(ids)) == changed.chunks


def test_status_reports_stale_corpus(tmp_path, seed_copy):
    settings = make_settings(tmp_path, corpus=seed_copy)
    index.build(settings=settings, embedder=FakeEmbedder())
    state = index.status(settings)
    assert (state["articles"], state["stale"], state["embedder"]) == (5, False, "fake")
    (seed_copy / "new.txt").write_text("Brand new article. With text.", encoding="utf-8")
    state = index.status(settings)
    assert state["stale"] is True and state["changed"] == ["new"]


def test_chunks_carry_exact_offsets_into_the_original(tmp_path, seed_copy):
    settings = make_settings(tmp_path, corpus=seed_copy)
    index.build(settings=settings, embedder=FakeEmbedder())
    store = index.open_store(settings)
    ids, texts, metas = store.all_chunks()
    for text, meta in zip(texts, metas):
        original = (seed_copy / f"{meta['doc_id']}.txt").read_text(encoding="utf-8")
        assert original[meta["start"] : meta["end"]] == text


def test_missing_index_and_other_embedder_are_refused(tmp_path, seed_copy):
    settings = make_settings(tmp_path, corpus=seed_copy)
    with pytest.raises(IndexMissing, match="python -m index build"):
        index.open_store(settings)
    index.build(settings=settings, embedder=FakeEmbedder())
    other = make_settings(tmp_path, embedder="minilm-onnx", corpus=seed_copy)
    with pytest.raises(EmbedderMismatch, match="built with embedder 'fake'"):
        index.build(settings=other)


def test_rebuild_sets_a_broken_index_aside(tmp_path, seed_copy):
    settings = make_settings(tmp_path, corpus=seed_copy)
    store_dir = tmp_path / "store"
    store_dir.mkdir()
    (store_dir / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="rebuild it with"):
        index.open_store(settings)
    report = index.build(settings=settings, embedder=FakeEmbedder(), rebuild=True)
    assert report.articles == 5
    assert any("previous index moved to" in w for w in report.warnings)
    assert list(tmp_path.glob("store.old-*/chroma.sqlite3"))  # nothing deleted


def test_reads_page_through_large_collections(tmp_path, seed_copy, monkeypatch):
    """One get() over ~32k+ rows fails in Chroma ("too many SQL variables"): reads are paged."""
    from index.store import ChromaStore

    settings = make_settings(tmp_path, corpus=seed_copy)
    report = index.build(settings=settings, embedder=FakeEmbedder())
    monkeypatch.setattr(ChromaStore, "_PAGE", 7)
    store = index.open_store(settings)
    ids, texts, metas = store.all_chunks()
    assert len(ids) == len(set(ids)) == report.chunks and len(texts) == len(metas) == report.chunks
    assert len(store.all_articles()) == len(store.article_records()) == 5


def test_story_grouping_pages_its_queries_and_writes(tmp_path, seed_copy, monkeypatch):
    """Chroma refuses writes above its max batch size (5461): 41k articles failed in one update."""
    import index.stories as stories
    from index.store import ChromaStore

    settings = make_settings(tmp_path, corpus=seed_copy)
    index.build(settings=settings, embedder=FakeEmbedder())
    store = index.open_store(settings)
    whole = stories.group_stories(store, FakeEmbedder.similarity_floor)
    monkeypatch.setattr(ChromaStore, "WRITE_PAGE", 2)
    store.update_article_metadata(list(whole), [{"story": "", "also_in": ""} for _ in whole])
    assert stories.group_stories(store, FakeEmbedder.similarity_floor) == whole
    assert {d: r.metadata["story"] for d, r in store.article_records().items()} == {
        d: g["story"] for d, g in whole.items()
    }


def test_rebuild_waits_for_the_build_that_holds_the_lock(tmp_path, seed_copy):
    """--rebuild used to move the index aside before taking the lock: both builds ran and the first failed."""
    from index.lock import build_lock

    settings = make_settings(tmp_path, corpus=seed_copy)
    index.build(settings=settings, embedder=FakeEmbedder())
    before = sorted(p.name for p in (tmp_path / "store").iterdir())
    with build_lock(settings):  # another build is writing
        with pytest.raises(StoreError, match="another build is writing this index"):
            index.build(settings=settings, embedder=FakeEmbedder(), rebuild=True)
    assert sorted(p.name for p in (tmp_path / "store").iterdir()) == before
    assert not list(tmp_path.glob("store.old-*"))
    report = index.build(settings=settings, embedder=FakeEmbedder(), rebuild=True)  # lock released: it runs
    assert report.embedded_articles == 5 and list(tmp_path.glob("store.old-*/chroma.sqlite3"))


@pytest.mark.parametrize("relative", [False, True], ids=["path", "dot"])
def test_rebuild_refuses_to_move_a_folder_that_is_not_an_index(tmp_path, seed_copy, monkeypatch, relative):
    """`--store . --rebuild` ended in a traceback; a folder of the user's own files must never move."""
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("my own file", encoding="utf-8")
    monkeypatch.chdir(folder)
    settings = make_settings(tmp_path, corpus=seed_copy, index={"store_dir": "." if relative else str(folder)})
    with pytest.raises(StoreError, match=r"is not a Newsdesk index \(it holds notes.txt\): refusing to move it aside"):
        index.build(settings=settings, embedder=FakeEmbedder(), rebuild=True)
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]  # nothing moved, nothing created
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "mine"]


def test_chunk_rows_store_only_what_is_read(tmp_path, seed_copy):
    """No llama-index node JSON, no second copy of the text or the article's metadata per chunk."""
    settings = make_settings(tmp_path, corpus=seed_copy)
    index.build(settings=settings, embedder=FakeEmbedder())
    store = index.open_store(settings)
    got = store.chunks.get(include=["metadatas", "documents"])
    assert set().union(*got["metadatas"]) == {"doc_id", "date_int", "source"}  # what Chroma is asked about
    assert all("doc_id" in m for m in got["metadatas"])
    assert not any(got["documents"])
    # An article's text and fields are one packed value, not a Chroma document (which Chroma indexes three
    # times over) nor a key each.
    articles = store.articles.get(include=["metadatas", "documents"])
    assert not any(articles["documents"])
    assert set().union(*articles["metadatas"]) == {"record_z", "story", "also_in"}
    for article in store.all_articles():
        assert article.text == (seed_copy / f"{article.doc_id}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("rows", ["as written", "with their spans (schema 3)"])
def test_chunk_spans_read_from_the_store_are_those_of_the_tables(tmp_path, seed_copy, rows):
    """Chunk rows hold no span: read from Chroma (no tables: a server's other replica, a lost folder), the spans
    are cut again from the article texts; rows of schema 3, which held them, are read as they are."""
    import shutil

    from index.tables import load_tables, tables_root

    settings = make_settings(tmp_path, corpus=seed_copy)
    index.build(settings=settings, embedder=FakeEmbedder())
    tables = load_tables(settings, 1, "fake")
    expected = dict(zip(tables.chunk_ids(), zip(tables.chunk_start.tolist(), tables.chunk_end.tolist())))
    store = index.open_store(settings)
    if rows != "as written":
        got = store.chunks.get(include=["metadatas"])
        spans = [{"start": expected[c][0], "end": expected[c][1]} for c in got["ids"]]
        store.chunks.update(ids=got["ids"], metadatas=[{**m, **s} for m, s in zip(got["metadatas"], spans)])
        store.set_info(pipeline="rules the spans could not be cut by again")  # so they must be read
    read = store.chunk_rows()
    assert dict(zip(read.ids, zip(read.starts.tolist(), read.ends.tolist()))) == expected
    shutil.rmtree(tables_root(settings))
    news = rag.open_index(settings, embedder=FakeEmbedder())
    assert dict(zip(news.chunks.ids, zip(news.chunks.starts.tolist(), news.chunks.ends.tolist()))) == expected


def test_chunk_spans_cut_by_other_rules_are_refused_with_what_to_do(tmp_path, seed_copy):
    from index.tables import tables_root

    settings = make_settings(tmp_path, corpus=seed_copy)
    index.build(settings=settings, embedder=FakeEmbedder())
    store = index.open_store(settings)
    store.set_info(pipeline="clean0/words50/overlap0")
    import shutil

    shutil.rmtree(tables_root(settings))
    with pytest.raises(StoreError, match="cut into chunks by other rules .* update it with `python -m index build`"):
        index.open_store(settings).chunk_rows()


def test_an_index_written_with_article_fields_as_keys_is_read_and_updated(tmp_path, seed_copy, monkeypatch):
    """Schema 3 wrote each article field as a key and the text alone packed."""
    import index.store
    from index.schema import ARTICLE_TEXT, pack_text

    def as_schema_3(article, content_hash, n_chunks):
        fields = {k: getattr(article, k) for k in ("title", "date", "source", "url", "byline") if getattr(article, k)}
        packed = pack_text(article.text)
        return {
            "content_hash": content_hash,
            "n_chunks": n_chunks,
            "path": article.path,
            ARTICLE_TEXT: packed,
            **fields,
        }

    settings = make_settings(tmp_path, corpus=seed_copy)
    with monkeypatch.context() as patched:
        patched.setattr(index.store, "article_metadata", as_schema_3)
        index.build(settings=settings, embedder=FakeEmbedder())
    changed = seed_copy / "003_9b0c19500f436efb.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nA closing line.", encoding="utf-8")
    report = index.build(settings=settings, embedder=FakeEmbedder())  # writes a record of the new form among old ones
    assert report.embedded_articles == 1
    news = rag.open_index(settings, embedder=FakeEmbedder())
    for article in index.open_store(settings).all_articles():
        assert article.text == (seed_copy / f"{article.doc_id}.txt").read_text(encoding="utf-8")
        assert news.article(article.doc_id) == article
    assert index.build(settings=settings, embedder=FakeEmbedder()).embedded_articles == 0  # both forms' hashes read
    assert news.stories.story("001_6424d35343858a03") == news.stories.story("002_102502518f9dd0d1")


def test_a_field_an_article_loses_is_gone_from_its_record(tmp_path):
    """Chroma's upsert merges keys into a record: with a key per field, a byline removed from an article stayed."""
    import json

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    row = {
        "id": "a1",
        "text": "The council met on Monday. It approved the budget.",
        "title": "Budget",
        "byline": "Ann Lee",
    }
    (corpus / "news.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    settings = make_settings(tmp_path, corpus=corpus)
    index.build(settings=settings, embedder=FakeEmbedder())
    assert index.open_store(settings).article_records()["a1"].metadata.get("byline") == "Ann Lee"
    del row["byline"]
    (corpus / "news.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    index.build(settings=settings, embedder=FakeEmbedder())
    assert index.open_store(settings).article_records()["a1"].metadata.get("byline") is None
    assert rag.open_index(settings, embedder=FakeEmbedder()).article("a1").byline is None


def test_an_index_of_an_earlier_schema_is_built_again_and_refused_until_then(tmp_path, seed_copy):
    settings = make_settings(tmp_path, corpus=seed_copy)
    index.build(settings=settings, embedder=FakeEmbedder())
    store = index.open_store(settings)
    store.articles.modify(metadata={**store.info, "schema": 1})  # as Newsdesk wrote it before owning the schema
    with pytest.raises(StoreError, match="built by an earlier version of Newsdesk: update it with `python -m index"):
        rag.open_index(settings)
    report = index.build(settings=settings, embedder=FakeEmbedder())
    assert report.embedded_articles == 5
    assert any("earlier version of Newsdesk" in w for w in report.warnings)
    assert list(tmp_path.glob("store.old-*/chroma.sqlite3"))  # the old one set aside, not deleted
    assert len(rag.open_index(settings).articles) == 5


def test_rebuild_moves_the_index_aside_but_keeps_the_corpus_web_state(tmp_path, seed_copy):
    settings = make_settings(tmp_path, corpus=seed_copy)
    index.build(settings=settings, embedder=FakeEmbedder())
    state = tmp_path / "store" / "web-state.json"  # index add/watch remember the pages they fetched here
    state.write_text('{"pages": {}}', encoding="utf-8")
    report = index.build(settings=settings, embedder=FakeEmbedder(), rebuild=True)
    assert any("previous index moved to" in w for w in report.warnings)
    assert state.read_text(encoding="utf-8") == '{"pages": {}}'
    (old,) = tmp_path.glob("store.old-*")
    assert (old / "chroma.sqlite3").exists() and not (old / "web-state.json").exists()
