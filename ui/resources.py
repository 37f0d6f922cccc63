"""Objects shared between browser sessions, created once: the open index and its status.

``st.cache_resource`` keys on the index settings only (they hold no secret);
``NewsIndex`` is read-only after opening, so sessions can share it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import streamlit as st

import index
import rag
from newsdesk.settings import Settings

if TYPE_CHECKING:
    from rag.newsindex import NewsIndex


def index_key(settings: Settings) -> str:
    """What identifies one index: its section of the settings (no secrets live there)."""
    return settings.index.model_dump_json()


@st.cache_resource(show_spinner="Opening the index and loading the embedding model…", max_entries=4)
def _open_index(key: str, _settings: Settings) -> NewsIndex:  # noqa: ARG001 (key is the cache key)
    return rag.open_index(_settings, fresh=True)  # not a client cached before a rebuild moved the files


def open_news_index(settings: Settings) -> NewsIndex:
    """The shared NewsIndex for these settings; raises NewsdeskError (IndexMissing, StoreError, ...) when it can't open.

    When a build (this app's or a command line's) changed the index since it was opened, it is reopened:
    a question asked meanwhile is answered from the old one, which its session still holds.
    """
    news_index = _open_index(index_key(settings), settings)
    if news_index.is_stale():
        forget_index()
        news_index = _open_index(index_key(settings), settings)
    return news_index


@st.cache_data(ttl=30, show_spinner=False, max_entries=8)
def _status(key: str, _settings: Settings) -> dict:  # noqa: ARG001
    return index.status(_settings)


def index_status(settings: Settings) -> dict:
    """index.status(), cached briefly: it re-reads the corpus to say whether the index is stale."""
    return _status(index_key(settings), settings)


def build_index(settings: Settings, progress: Callable[[int, int], None] | None = None) -> index.BuildReport:
    """Bring the index in line with the corpus, then drop the cached copies so every session reopens it."""
    report = index.build(settings=settings, progress=progress)
    forget_index()
    return report


def forget_index() -> None:
    _open_index.clear()
    _status.clear()


@st.cache_data(max_entries=4, show_spinner="Reading what the corpus holds…")
def _overview(key: str, generation: int, _news_index: NewsIndex):  # noqa: ARG001 (key and generation: cache keys)
    from ui import render

    offline = _news_index.settings.with_overrides(answer={"backend": "offline"})  # a first screen never calls a model

    def cited_by(question: str) -> set[str] | None:
        answer = rag.answer(question, settings=offline, news_index=_news_index)
        if answer.refused or not answer.citations:
            return None
        first = answer.citations[0]
        return {first.doc_id, *first.also_in}

    return render.corpus_overview(_news_index.articles.values(), cited_by)


def corpus_overview(news_index: NewsIndex):
    """The first screen's summary, topics and starter questions, computed once per index generation."""
    return _overview(index_key(news_index.settings), news_index.generation, news_index)
