"""An open index notices that a build changed the index (its generation) and reopens; until then it answers."""

from __future__ import annotations

import pytest

import index
import rag
from index.embedders.fake import FakeEmbedder
from rag.retrieve import hybrid_retrieve
from tests.conftest import make_settings

TROOPS = "How many troops has North Korea sent to Russia?"
TROOPS_DOC = "004_54ac3c588acb31a6"


def _doc_ids(news, question: str) -> set[str]:
    return {p.doc_id for p in hybrid_retrieve(question, news_index=news, settings=news.settings).passages}


@pytest.mark.parametrize("rebuild", [False, True], ids=["update", "rebuild"])
def test_an_open_index_stops_serving_a_removed_article_once_reopened(tmp_path, seed_copy, rebuild):
    settings = make_settings(tmp_path, corpus=seed_copy)
    first = index.build(settings=settings, embedder=FakeEmbedder())
    news = rag.open_index(settings, embedder=FakeEmbedder())
    assert news.generation == first.generation == 1 and not news.is_stale()
    assert TROOPS_DOC in _doc_ids(news, TROOPS)

    (seed_copy / f"{TROOPS_DOC}.txt").unlink()
    (seed_copy / "new.txt").write_text("A new article about the weather in Berlin. It rained.", encoding="utf-8")
    during: list[tuple[bool, str]] = []

    def ask_the_open_index(done: int, total: int) -> None:  # called while the build embeds
        during.append((news.is_stale(), rag.answer(TROOPS, news_index=news).text))

    second = index.build(settings=settings, embedder=FakeEmbedder(), rebuild=rebuild, progress=ask_the_open_index)
    assert during and all(not stale and "15,000" in text for stale, text in during)  # the old index kept answering
    assert second.generation == 2 and news.is_stale()
    assert "15,000" in rag.answer(TROOPS, news_index=news).text  # still the old one for whoever holds it

    fresh = news.refreshed()
    assert fresh is not news and fresh.generation == 2 and not fresh.is_stale() and fresh.refreshed() is fresh
    assert fresh.article(TROOPS_DOC) is None and fresh.article("new") is not None
    assert TROOPS_DOC not in _doc_ids(fresh, TROOPS)
    assert "15,000" not in rag.answer(TROOPS, news_index=fresh).text


def test_a_build_that_changes_nothing_keeps_the_generation(tmp_path, seed_copy):
    settings = make_settings(tmp_path, corpus=seed_copy)
    index.build(settings=settings, embedder=FakeEmbedder())
    news = rag.open_index(settings, embedder=FakeEmbedder())
    again = index.build(settings=settings, embedder=FakeEmbedder())
    assert again.generation == news.generation == 1 and not news.is_stale() and news.refreshed() is news
    index.build(settings=settings, embedder=FakeEmbedder(), rebuild=True)  # same content, but a new index
    assert news.is_stale()


def test_the_app_reopens_its_shared_index_after_a_build(tmp_path, seed_copy):
    from ui import resources

    settings = make_settings(tmp_path, corpus=seed_copy)
    index.build(settings=settings, embedder=FakeEmbedder())
    resources.forget_index()
    opened = resources.open_news_index(settings)
    assert resources.open_news_index(settings) is opened  # shared while nothing changed
    (seed_copy / f"{TROOPS_DOC}.txt").unlink()
    index.build(settings=settings, embedder=FakeEmbedder(), rebuild=True)
    reopened = resources.open_news_index(settings)
    assert reopened is not opened and reopened.article(TROOPS_DOC) is None
    assert opened.article(TROOPS_DOC) is not None
    resources.forget_index()
