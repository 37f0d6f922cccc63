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
(llama-index's node JSON, which was, cost 764 bytes a chunk). An article row holds its metadata, content hash, chunk count and
story group, and its text packed into one metadata value (``text_z``: zlib, then
base64) rather than as a Chroma document: Chroma's local engine keeps a document
in its metadata table, that table's string index and a trigram full-text index
Newsdesk never queries, ~6 times the text (28 MB for 4.7 MB of articles at 10k
chunks); packed, it takes about as much as the text.
"""

from __future__ import annotations

import base64
import zlib

from index.records import Article, Chunk

# 1: chunks written through llama-index (node JSON, text and metadata per chunk); 2: article text as a document
SCHEMA_VERSION = 3

CHUNK_DOC_ID = "doc_id"
ARTICLE_TEXT = "text_z"
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
    meta: dict = {
        "content_hash": content_hash,
        "n_chunks": n_chunks,
        "path": article.path,
        ARTICLE_TEXT: pack_text(article.text),
    }
    for key in _ARTICLE_FIELDS:
        value = getattr(article, key)
        if value:
            meta[key] = value
    return meta


def split_article_record(meta: dict) -> tuple[str, dict]:
    """(the article's text, its metadata without the packed text)."""
    rest = {k: v for k, v in meta.items() if k != ARTICLE_TEXT}
    return (unpack_text(meta[ARTICLE_TEXT]) if meta.get(ARTICLE_TEXT) else ""), rest


def article_from_record(doc_id: str, text: str | None, meta: dict) -> Article:
    return Article(
        doc_id=doc_id,
        text=text or "",
        path=meta.get("path", ""),
        **{key: (meta.get(key) or None) for key in _ARTICLE_FIELDS},
    )
