"""What Newsdesk stores per chunk and per article, and how it reads it back: one schema, owned here.

A chunk row holds only what is read from it: its article (``doc_id``), its span
of the article's ORIGINAL text (``start``, ``end``), and the two fields dense
search filters on in Chroma (``date_int``, ``source``). Its text is
``article.text[start:end]`` and its title, date and url are the article's, so
neither is stored again per chunk (llama-index's node JSON, which was, cost 764
bytes a chunk). An article row holds the text, its metadata, its content hash
and chunk count, and its story group.
"""

from __future__ import annotations

from index.records import Article, Chunk

SCHEMA_VERSION = 2  # 1: chunks written through llama-index (node JSON, text and metadata per chunk)

CHUNK_DOC_ID = "doc_id"
_ARTICLE_FIELDS = ("title", "date", "source", "url", "byline")


def date_int(date: str | None) -> int:
    """YYYYMMDD as a number (0 when undated): what date filters compare."""
    return int(date.replace("-", "")) if date else 0


def chunk_metadata(article: Article, chunk: Chunk) -> dict:
    meta: dict = {CHUNK_DOC_ID: article.doc_id, "start": chunk.start, "end": chunk.end}
    if article.date:
        meta["date_int"] = date_int(article.date)
    if article.source:
        meta["source"] = article.source
    return meta


def article_metadata(article: Article, content_hash: str, n_chunks: int) -> dict:
    meta: dict = {"content_hash": content_hash, "n_chunks": n_chunks, "path": article.path}
    for key in _ARTICLE_FIELDS:
        value = getattr(article, key)
        if value:
            meta[key] = value
    return meta


def article_from_record(doc_id: str, text: str | None, meta: dict) -> Article:
    return Article(
        doc_id=doc_id,
        text=text or "",
        path=meta.get("path", ""),
        **{key: (meta.get(key) or None) for key in _ARTICLE_FIELDS},
    )
