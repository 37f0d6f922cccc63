"""Newsdesk's index: load articles, clean, chunk with exact offsets, embed, store in Chroma.

Public surface: ``build()``, ``status()``, ``open_store()`` (read-only access for rag/).
"""

from __future__ import annotations

from index.build import build, status
from index.embedders import embedder_id
from index.records import Article, BuildReport, Chunk
from index.store import ChromaStore


def open_store(settings=None, *, fresh: bool = False) -> ChromaStore:
    """Open an existing index for reading; raises IndexMissing when there is none.

    ``fresh`` skips a client this process cached for the folder (reopening after a rebuild).
    """
    from newsdesk.settings import load_settings

    return ChromaStore(settings or load_settings(), create=False, fresh=fresh)


__all__ = ["Article", "BuildReport", "Chunk", "ChromaStore", "build", "embedder_id", "open_store", "status"]
