"""Done when: a feed of 20 real news pages on a local server becomes 20 articles the chat answers from,
with citations whose `url` is the page's; a second add adds nothing; an edited page is updated.

Real MiniLM embedder, the `newsdesk index add` command, `rag.answer` with the offline answerer.
"""

from __future__ import annotations

import json

import pytest

import rag
from newsdesk.cli import main as newsdesk_main
from tests.conftest import make_settings
from tests.web_site import NewsSite, real_pages

pytestmark = pytest.mark.slow

PAGES = real_pages()[:20]
STAMP = "Tue, 19 Nov 2019 10:00:00 GMT"


def _entries(site: NewsSite, stamps: dict[str, str] | None = None) -> list[dict]:
    entries = []
    for label in PAGES:
        path = "/news/" + label["file"].removesuffix(".html.gz") + ".html"
        entries.append(
            {
                "title": label["title"],
                "link": site.url(path) + "?utm_source=rss",
                "published": (stamps or {}).get(path, STAMP),
            }
        )
    return entries


def _quote_is_exact(news, citation) -> bool:
    return news.article(citation.doc_id).text[citation.start : citation.end] == citation.quote


def test_a_feed_of_20_pages_becomes_20_articles_the_chat_cites_by_url(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NEWSDESK_WEB__ALLOW_PRIVATE_ADDRESSES", "true")  # the site is on 127.0.0.1
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    args = ["index", "add", "--corpus", str(corpus), "--store", str(store), "--embedder", "minilm-onnx"]
    settings = make_settings(tmp_path, embedder="minilm-onnx", corpus=corpus)
    with NewsSite() as site:
        urls = {}
        for label in PAGES:
            path = "/news/" + label["file"].removesuffix(".html.gz") + ".html"
            site.set(path, label["html"])
            urls[label["file"]] = site.url(path)
        site.feed("/feed.xml", _entries(site))

        assert newsdesk_main([*args, site.url("/feed.xml")]) == 0
        out = capsys.readouterr().out
        assert "added: 20 new, 0 updated" in out and "built: 20 articles" in out

        news = rag.open_index(settings)
        spacenews = urls["spacenews.com-d1c57d7821.html.gz"]
        nbc = urls["nbcnews.com-7a457a4f71.html.gz"]
        for question, fact, url in [
            ("How many companies did NASA add to its commercial lunar lander program?", "five companies", spacenews),
            ("Who pleaded guilty to threatening to kill Rep. Ilhan Omar?", "pleaded guilty", nbc),
        ]:
            answer = rag.answer(question, news_index=news)
            assert not answer.refused, question
            assert fact in answer.text
            citing = [c for c in answer.citations if fact in c.quote]
            assert citing and citing[0].url == url  # the page's own URL, tracking tags dropped
            assert all(_quote_is_exact(news, c) for c in answer.citations)

        # A second add of the same feed adds nothing (the feed answers 304, no page is fetched again).
        page_hits = len([r for r in site.requests if r.path.startswith("/news/")])
        assert newsdesk_main([*args, site.url("/feed.xml")]) == 0
        out = capsys.readouterr().out
        assert "added: 0 new, 0 updated" in out and "(0 articles / 0 chunks" in out and "embedded, 20 unchanged" in out
        assert len([r for r in site.requests if r.path.startswith("/news/")]) == page_hits

        # The SpaceNews page is edited; its feed entry says so; the next add updates (re-embeds) that one article.
        path = "/news/spacenews.com-d1c57d7821.html"
        edited = site.routes[path].body.decode("utf-8").replace("five companies", "six companies")
        site.set(path, edited)
        site.feed("/feed.xml", _entries(site, {path: "Wed, 20 Nov 2019 08:00:00 GMT"}))
        assert newsdesk_main([*args, site.url("/feed.xml")]) == 0
        out = capsys.readouterr().out
        assert "added: 0 new, 1 updated" in out and "(1 articles / " in out

    news = rag.open_index(settings)  # offline now: the articles reopen from the index, the server is gone
    answer = rag.answer("How many companies did NASA add to its commercial lunar lander program?", news_index=news)
    assert "six companies" in answer.text and "five companies" not in answer.text
    assert all(_quote_is_exact(news, c) for c in answer.citations)
    records = [json.loads(p.read_text()) for p in (corpus / "web").rglob("*.jsonl")]
    assert len(records) == 20 and len({r["url"] for r in records}) == 20
