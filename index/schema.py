"""What Newsdesk stores per chunk and per article, and how it reads it back: one schema, owned here.

A chunk row holds only what Chroma is asked about: its article (``doc_id``: deletes and
the "this article" filter) and the two other fields dense search filters on (``date_int``,
``source``). Its span of the article's ORIGINAL text is in the tables saved beside the
store (index/tables.py), which every reader uses; reading Chroma without them, the spans
are cut again from the article's text by the same chunking rules (``chunk_spans``). Rows
written before (schema 3 until 2026-12-02) also hold ``start`` and ``end``, which are read
when present. Each metadata key costs Chroma a row and index entries per chunk: 10k rows
took 9.5 s to add with five keys, 4.1 s with none. Its text is ``article.text[start:end]``
and its title, date and url are the article's, so neither is stored again per chunk
(llama-index's node JSON, which was, cost 764 bytes a chunk).

An article row holds its text and metadata (content hash, chunk count, path, title,
date, outlet, url, byline) packed into one metadata value (``record_z``: JSON, zlib,
then base64), and its story group (``story``, ``also_in``: the fields builds update).
Nothing is filtered on them, and one key instead of nine made 4,000 records take 4.9 s
to write instead of 10.4 s. The text is not a Chroma document: Chroma's local engine
keeps a document in its metadata table, that table's string index and a trigram
full-text index Newsdesk never queries, ~6 times the text (28 MB for 4.7 MB of articles
at 10k chunks). Rows written before (schema 3 until 2026-12-02) hold the fields as keys
and the text alone in ``text_z``, and are read as they are. Its vector is the mean of
its chunks' vectors (Chroma wants one per record); nothing queries them, so their HNSW
graph is the cheapest Chroma builds (index/store.py, ``ARTICLE_VECTOR_INDEX``): story
grouping finds nearest articles exactly in process (index/stories.py).
"""

from __future__ import annotations

import base64
import json
import zlib

from index.records import Article, Chunk

# 1: chunks written through llama-index (node JSON, text and metadata per chunk); 2: article text as a document
SCHEMA_VERSION = 3

CHUNK_DOC_ID = "doc_id"
ARTICLE_TEXT = "text_z"  # schema 3: the text alone, the fields as keys
ARTICLE_RECORD = "record_z"  # the text and every field but the story group, packed
STORY_FIELDS = ("story", "also_in")  # set by story grouping (index/stories.py)
_ARTICLE_FIELDS = ("title", "date", "source", "url", "byline")


def date_int(date: str | None) -> int:
    """YYYYMMDD as a number (0 when undated): what date filters compare."""
    return int(date.replace("-", "")) if date else 0


def chunk_metadata(article: Article, chunk: Chunk) -> dict:  # noqa: ARG001 (the chunk's span is in the tables)
    meta: dict = {CHUNK_DOC_ID: article.doc_id}
    if article.date:
        meta["date_int"] = date_int(article.date)
    if article.source:
        meta["source"] = article.source
    return meta


def pack_text(text: str) -> str:
    return base64.b64encode(zlib.compress(text.encode("utf-8"), 6)).decode("ascii")


def unpack_text(packed: str) -> str:
    return zlib.decompress(base64.b64decode(packed)).decode("utf-8")


def article_metadata(article: Article, content_hash: str, n_chunks: int) -> dict:
    record: dict = {"text": article.text, "content_hash": content_hash, "n_chunks": n_chunks, "path": article.path}
    for key in _ARTICLE_FIELDS:
        value = getattr(article, key)
        if value:
            record[key] = value
    return {ARTICLE_RECORD: pack_text(json.dumps(record, ensure_ascii=False))}


def split_article_record(meta: dict) -> tuple[str, dict]:
    """(the article's text, its metadata without the packed value), from a record of either form."""
    if meta.get(ARTICLE_RECORD):
        fields = json.loads(unpack_text(meta[ARTICLE_RECORD]))
        text = fields.pop("text", "")
        # Chroma's upsert merges keys into a record: one of schema 3 rewritten keeps its old keys, stale now.
        fields.update((k, meta[k]) for k in STORY_FIELDS if k in meta)
        return text, fields
    rest = {k: v for k, v in meta.items() if k != ARTICLE_TEXT}
    return (unpack_text(meta[ARTICLE_TEXT]) if meta.get(ARTICLE_TEXT) else ""), rest


def article_from_record(doc_id: str, text: str | None, meta: dict) -> Article:
    return Article(
        doc_id=doc_id,
        text=text or "",
        path=meta.get("path", ""),
        **{key: (meta.get(key) or None) for key in _ARTICLE_FIELDS},
    )
