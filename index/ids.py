"""Content hashes of articles and the ids of their chunks (which name the article and the version they came from)."""

from __future__ import annotations

import hashlib
import json

from index.records import Article


def article_hash(article: Article, pipeline: str) -> str:
    """Changes whenever the text, the metadata or the chunking settings change."""
    payload = json.dumps(
        [article.text, article.title, article.date, article.source, article.url, article.byline, pipeline],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def chunk_id(doc_id: str, content_hash: str, index: int) -> str:
    return f"{doc_id}#{content_hash[:12]}#{index}"


def doc_id_of_chunk(chunk_id: str) -> str:
    return chunk_id.rsplit("#", 2)[0]  # a doc id may hold "#"; the hash and the index do not
