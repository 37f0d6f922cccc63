"""`index add`: pages, feeds, sitemaps and files into the corpus, once each, updated when they change.

Every web test runs against a real HTTP server on 127.0.0.1 (tests/web_site.py) and the fake
embedder; the real news pages are tests/data/web's labelled ones.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import index
from index.add import add_sources
from index.load import load_corpus
from index.web.urls import doc_id_for
from tests.conftest import make_settings
from tests.web_site import NewsSite, article_html, real_pages

PAGES = real_pages()


def _settings(tmp_path: Path, **web):
    values = {"delay_s": 0.0, "timeout_s": 2.0, "max_bytes": 2_000_000, "allow_private_addresses": True}  # 127.0.0.1
    values.update(web)
    return make_settings(tmp_path, corpus=tmp_path / "corpus", web=values)


def _serve_real_pages(site: NewsSite, count: int) -> list[dict]:
    served = []
    for label in PAGES[:count]:
        path = "/news/" + label["file"].removesuffix(".html.gz") + ".html"
        site.set(path, label["html"])
        served.append({**label, "path": path, "link": site.url(path)})
    return served


def _with_canonical(html: bytes, url: str) -> str:
    """The page with its own canonical link(s) replaced by one to ``url``."""
    text = re.sub(r"<link[^>]*rel=[\"']?canonical[^>]*>", "", html.decode("utf-8"), flags=re.IGNORECASE)
    return re.sub(r"(<head[^>]*>)", rf'\1<link rel="canonical" href="{url}">', text, count=1, flags=re.IGNORECASE)


def _saved(tmp_path: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((tmp_path / "corpus" / "web").rglob("*.jsonl"))]


def _lines(report) -> list[str]:
    return [f.line() for f in report.failed]


@pytest.fixture
def site():
    with NewsSite() as running:
        yield running


def test_a_feed_of_real_pages_becomes_one_article_each_and_a_second_add_adds_nothing(tmp_path, site):
    pages = _serve_real_pages(site, 8)
    site.feed("/feed.xml", [{"title": p["title"], "link": p["link"] + "?utm_source=rss"} for p in pages])
    settings = _settings(tmp_path)

    first = add_sources([site.url("/feed.xml")], settings)
    assert len(first.new) == 8 and not first.failed and first.build.articles == 8
    saved = {r["url"]: r for r in _saved(tmp_path)}
    assert set(saved) == {p["link"] for p in pages}  # the page's own URL, tracking tags dropped
    for page in pages:
        record = saved[page["link"]]
        assert page["body_last"].split()[-1] in record["text"]
        assert record["title"] and record["source"] and record["date"] and record["added_at"]
    # the loader reads them like any article: URL, title, date, author and outlet in the metadata
    articles = {a.url: a for a in load_corpus(settings.index.corpus_dir).articles}
    assert set(articles) == set(saved)
    assert any(a.byline for a in articles.values())

    page_hits = len([r for r in site.requests if r.path.startswith("/news/")])
    second = add_sources([site.url("/feed.xml")], settings)
    assert second.new == [] and second.updated == [] and not second.failed
    assert second.build.embedded_articles == 0 and second.build.articles == 8
    assert site.hits("/feed.xml")[-1].headers.get("if-none-match")  # asked conditionally, got a 304
    assert len([r for r in site.requests if r.path.startswith("/news/")]) == page_hits  # no page fetched again
    assert len(_saved(tmp_path)) == 8


def test_one_article_reached_by_many_urls_is_one_article(tmp_path, site):
    label = PAGES[0]
    story = site.url("/world/bridge-story")
    html = _with_canonical(label["html"], story)
    site.set("/world/bridge-story", html)
    amp = html.replace("<html", "<html amp", 1)
    site.set("/amp/world/bridge-story", amp)
    site.set("/world/bridge-story/amp", amp)
    site.set("/s/123", status=301, headers={"Location": "/world/bridge-story?fbclid=abc"})
    site.feed(
        "/feed.xml",
        [
            {"title": "a", "link": story + "?utm_source=rss&utm_medium=feed"},
            {"title": "b", "link": site.url("/amp/world/bridge-story")},
            {"title": "c", "link": site.url("/s/123")},
            {"title": "d", "link": story + "/#comments"},
        ],
    )
    settings = _settings(tmp_path)
    report = add_sources(
        [site.url("/feed.xml"), story, site.url("/world/bridge-story/amp"), site.url("/s/123")], settings
    )
    assert not report.failed
    records = _saved(tmp_path)
    assert len(records) == 1 and records[0]["url"] == story
    assert len(report.new) == 1 and report.updated == []
    assert report.build.articles == 1


def test_a_syndicated_copy_stays_its_own_article_in_the_same_story_group(tmp_path, site):
    with NewsSite() as wire:
        original = next(p for p in PAGES if p["file"].startswith("hosted.ap.org"))
        other = next(p for p in PAGES if p["file"].startswith("bbc.com"))
        wire.set("/story", original["html"])
        copy = _with_canonical(original["html"], wire.url("/story"))
        site.set("/copy", copy)  # another outlet's page naming the wire's as canonical
        site.set("/other", other["html"])
        report = add_sources([wire.url("/story"), site.url("/copy"), site.url("/other")], _settings(tmp_path))
    assert len(report.new) == 3
    assert report.build.articles == 3 and report.build.story_groups == 2


def test_an_edited_page_is_updated_and_re_embedded(tmp_path, site):
    label = PAGES[1]
    site.set("/p", label["html"])
    site.feed("/feed.xml", [{"title": "p", "link": site.url("/p"), "published": "Tue, 04 Mar 2025 10:00:00 GMT"}])
    settings = _settings(tmp_path)
    first = add_sources([site.url("/feed.xml"), site.url("/p")], settings)
    assert len(first.new) == 1

    again = add_sources([site.url("/p")], settings)  # unchanged page: a 304, nothing re-embedded
    assert again.updated == [] and again.build.embedded_articles == 0

    sentence = label["body_first"]
    edited = label["html"].decode("utf-8").replace(sentence[:40], "CORRECTION: the council confirmed " + sentence[:40])
    site.set("/p", edited)
    site.feed("/feed.xml", [{"title": "p", "link": site.url("/p"), "published": "Wed, 05 Mar 2025 09:00:00 GMT"}])
    through_feed = add_sources([site.url("/feed.xml")], settings)
    assert through_feed.updated == first.new and through_feed.new == []
    assert through_feed.build.embedded_articles == 1 and through_feed.build.articles == 1
    (record,) = _saved(tmp_path)
    assert "CORRECTION: the council confirmed" in record["text"]
    store = index.open_store(settings)
    assert "CORRECTION" in {a.doc_id: a for a in store.all_articles()}[record["id"]].text


def test_bad_pages_in_a_feed_get_one_line_each_and_the_good_ones_are_saved(tmp_path, site):
    good = _serve_real_pages(site, 2)
    cp1252 = article_html(
        "Café owners in Zürich protest new rules",
        [
            "Owners of the café on the Bahnhofstrasse in Zürich said the new rules would cost them “thousands” a year.",
            "The city council will vote on the proposal next week, after a public consultation that drew 400 replies.",
            "Opponents say the change favours the big chains – a claim the mayor’s office rejects.",
        ],
    ).replace('<meta charset="utf-8">', '<meta charset="windows-1252">')
    site.set("/latin", cp1252.encode("cp1252"), content_type="text/html")  # no charset in the header
    site.set("/gone", "gone", status=410)
    site.set("/slow", "<p>late</p>", delay_s=4)
    site.set("/loop", status=302, headers={"Location": "/loop"})
    site.set("/report.pdf", b"%PDF-1.7\n\x00\x01\x02", content_type="application/pdf")
    site.set("/huge", endless=True)
    site.set("/video", "<html><body><nav>Home</nav><video src='v.mp4'></video></body></html>")
    site.set("/robots.txt", "User-agent: *\nDisallow: /members/\n", content_type="text/plain")
    site.set("/members/story", good[0]["html"])
    bad = ["/missing", "/gone", "/slow", "/loop", "/report.pdf", "/huge", "/video", "/members/story"]
    links = [p["link"] for p in good] + [site.url("/latin")] + [site.url(b) for b in bad]
    site.feed("/feed.xml", [{"title": str(i), "link": link} for i, link in enumerate(links)])
    settings = _settings(tmp_path, timeout_s=1.0, max_bytes=1_000_000)

    report = add_sources([site.url("/feed.xml")], settings)
    assert len(report.new) == 3
    lines = _lines(report)
    assert len(lines) == len(bad)
    expected = {
        "/missing": "HTTP 404 Not Found",
        "/gone": "HTTP 410 Gone",
        "/slow": "timed out after 1 s",
        "/loop": "redirect loop",
        "/report.pdf": "not an HTML page (application/pdf)",
        "/huge": "over the 1.0 MB limit",
        "/video": "no article text found",
        "/members/story": "robots.txt disallows it for Newsdesk",
    }
    for path, reason in expected.items():
        (line,) = [ln for ln in lines if ln.startswith(f"failed: {site.url(path)}: ")]
        assert reason in line and "\n" not in line
    latin = next(r for r in _saved(tmp_path) if r["url"] == site.url("/latin"))
    assert "café on the Bahnhofstrasse in Zürich" in latin["text"] and "“thousands”" in latin["text"]

    # Nothing lost: the page that timed out is retried on the next add although the feed is unchanged (304);
    # the ones that failed for good are not fetched again.
    site.set("/slow", PAGES[5]["html"])
    before = {b: len(site.hits(b)) for b in bad}
    retry = add_sources([site.url("/feed.xml")], settings)
    assert retry.new and not retry.failed
    assert any(r["url"] == site.url("/slow") for r in _saved(tmp_path))
    assert all(len(site.hits(b)) == before[b] for b in bad if b != "/slow")


@pytest.mark.parametrize(
    "body, content_type, reason",
    [
        (b"<rss><channel><item><title>broken", "application/rss+xml", "not a valid RSS/Atom feed"),
        (b"<?xml version='1.0'?><catalog><book/></catalog>", "application/xml", "not an RSS/Atom feed"),
        (
            b"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><url>",
            "application/xml",
            "not a valid sitemap",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "image/png", "not an HTML page, feed or sitemap (image/png)"),
    ],
)
def test_a_bad_source_is_one_line_and_the_other_sources_still_come_in(tmp_path, site, body, content_type, reason):
    site.set("/bad", body, content_type=content_type)
    good = _serve_real_pages(site, 1)[0]
    report = add_sources([site.url("/bad"), good["link"]], _settings(tmp_path))
    assert len(report.new) == 1
    (line,) = _lines(report)
    assert line.startswith(f"failed: {site.url('/bad')}: ") and reason in line


def test_an_empty_feed_adds_nothing_and_fails_nothing(tmp_path, site):
    site.feed("/feed.xml", [])
    lines = []
    report = add_sources([site.url("/feed.xml")], _settings(tmp_path), build=False, on_line=lines.append)
    assert report.new == [] and report.failed == []
    assert any("lists no pages" in line for line in lines)


def test_a_sitemap_index_and_its_sitemaps(tmp_path, site):
    pages = _serve_real_pages(site, 3)
    site.sitemap("/sitemap-1.xml", [(pages[0]["link"], "2025-03-01"), (pages[1]["link"], "2025-03-03")])
    site.sitemap("/sitemap-2.xml", [(pages[2]["link"], None)])
    site.set(
        "/sitemap.xml",
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{site.url('/sitemap-1.xml')}</loc></sitemap>"
        f"<sitemap><loc>{site.url('/sitemap-2.xml')}</loc></sitemap><sitemap><loc>{site.url('/nope.xml')}</loc></sitemap>"
        "</sitemapindex>",
        content_type="application/xml",
    )
    report = add_sources([site.url("/sitemap.xml")], _settings(tmp_path))
    assert len(report.new) == 3
    assert _lines(report) == [f"failed: {site.url('/nope.xml')}: HTTP 404 Not Found"]


def test_max_pages_per_source_takes_the_newest_first_and_the_rest_next_time(tmp_path, site):
    pages = _serve_real_pages(site, 4)
    stamps = ["2025-03-01", "2025-03-04", "2025-03-02", "2025-03-03"]
    site.sitemap("/sitemap.xml", [(p["link"], s) for p, s in zip(pages, stamps)])
    settings = _settings(tmp_path, max_pages_per_source=2)
    first = add_sources([site.url("/sitemap.xml")], settings, build=False)
    assert sorted(r["url"] for r in _saved(tmp_path)) == sorted([pages[1]["link"], pages[3]["link"]])
    assert len(first.new) == 2
    site.sitemap("/sitemap.xml", [(p["link"], s) for p, s in zip(pages, stamps)] + [])  # a new version (new ETag)
    site.routes["/sitemap.xml"].body += b"\n"
    second = add_sources([site.url("/sitemap.xml")], settings, build=False)
    assert len(second.new) == 2 and len(_saved(tmp_path)) == 4


class TestLocalFiles:
    def test_text_markdown_jsonl_html_and_folders(self, tmp_path):
        incoming = tmp_path / "incoming"
        (incoming / "sub").mkdir(parents=True)
        (incoming / "ferry.txt").write_text(
            "Ferry strike ends after three days\n\nThe ferry workers' union ended its strike on Friday after the "
            "company agreed to a 6 percent raise, restoring crossings to the islands.\n",
            encoding="utf-8",
        )
        (incoming / "sub" / "council.md").write_text(
            "# Council approves budget\n\nThe city council approved a budget of 2.1 billion euros on Thursday, "
            "with more money for schools and public transport.\n",
            encoding="utf-8",
        )
        (incoming / "wire.jsonl").write_text(
            json.dumps(
                {
                    "id": "wire-1",
                    "title": "Port reopens",
                    "text": "The port reopened on Sunday after the storm "
                    "passed, the harbour master said, and the first ships were unloaded by noon.",
                }
            )
            + "\n",
            encoding="utf-8",
        )
        (incoming / "page.html").write_bytes(PAGES[2]["html"])
        (incoming / ".hidden.txt").write_text("never added", encoding="utf-8")
        (incoming / "notes.docx").write_bytes(b"PK\x03\x04")
        settings = _settings(tmp_path)

        report = add_sources([str(incoming)], settings)
        assert not report.failed
        assert {"ferry.txt", "sub/council.md", "wire.jsonl"} < set(report.new)
        assert len(report.new) == 4 and report.build.articles == 4
        # the saved page's canonical link is its URL, and its doc id comes from it (as if fetched from there)
        assert doc_id_for(PAGES[2]["url"]) in report.new
        by_id = {a.doc_id: a for a in load_corpus(settings.index.corpus_dir).articles}
        assert {"ferry", "council", "wire-1"} <= set(by_id)
        html_article = next(a for a in by_id.values() if a.doc_id not in ("ferry", "council", "wire-1"))
        assert html_article.title == PAGES[2]["title"].replace("’", "’")
        assert "hidden" not in " ".join(by_id)

        again = add_sources([str(incoming)], settings)
        assert again.new == [] and again.updated == [] and again.build.embedded_articles == 0
        (incoming / "ferry.txt").write_text(
            "Ferry strike ends\n\nThe union ended its strike on Friday after a 7 percent raise.\n"
        )
        edited = add_sources([str(incoming / "ferry.txt")], settings)
        assert edited.updated == ["ferry.txt"] and edited.build.embedded_articles == 1

    def test_a_saved_page_with_a_canonical_link_is_the_same_article_as_its_web_copy(self, tmp_path, site):
        label = PAGES[3]
        url = site.url("/story")
        html = _with_canonical(label["html"], url)
        site.set("/story", html)
        (tmp_path / "saved.html").write_text(html, encoding="utf-8")
        report = add_sources([str(tmp_path / "saved.html"), url], _settings(tmp_path))
        assert len(report.new) == 1 and len(_saved(tmp_path)) == 1

    def test_bad_local_sources_are_one_line_each(self, tmp_path):
        (tmp_path / "empty.txt").write_text("")
        (tmp_path / "binary.md").write_bytes(b"\x00\x01\x02" * 100)
        (tmp_path / "slides.pptx").write_bytes(b"PK")
        (tmp_path / "corpus" / "old").mkdir(parents=True)
        (tmp_path / "corpus" / "old" / "ferry.txt").write_text(
            "An older ferry article with enough words to be kept here."
        )
        (tmp_path / "ferry.txt").write_text("A newer ferry article, different file, same name, so the same doc id.")
        report = add_sources(
            [str(tmp_path / n) for n in ("empty.txt", "binary.md", "slides.pptx", "ferry.txt", "nowhere.txt")]
            + ["example.com/feed.xml"],
            _settings(tmp_path),
            build=False,
        )
        lines = _lines(report)
        assert len(lines) == 6
        joined = "\n".join(lines)
        for reason in (
            "empty file",
            "looks like a binary file",
            "not a supported file",
            "doc id 'ferry' is already used by",
            "nowhere.txt: no such file or folder",
            "example.com/feed.xml: no such file or folder (a web address needs http:// or https://)",
        ):
            assert reason in joined


def test_html_files_in_the_corpus_folder_load_through_the_same_extraction(tmp_path):
    from index.chunk import chunk_article
    from index.clean import clean_article

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    label = next(p for p in PAGES if p["file"].startswith("nbcnews"))
    (corpus / "nbc-omar.html").write_bytes(label["html"])
    (corpus / "note.txt").write_text("A plain text article sits beside it, with enough words to be an article.")
    (corpus / "nav-only.htm").write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    loaded = load_corpus(corpus)
    article = next(a for a in loaded.articles if a.doc_id == "nbc-omar")
    assert article.title == label["title"] and article.date == label["date"]
    assert article.source and article.byline
    assert label["body_first"] in article.text
    assert any("nav-only.htm: no article text found" in w for w in loaded.warnings)
    for chunk in chunk_article(article.doc_id, clean_article(article.text)):
        assert article.text[chunk.start : chunk.end] == chunk.text
    report = index.build(settings=make_settings(tmp_path, corpus=corpus))
    assert report.articles == 2


def test_an_address_that_leads_to_another_article_each_time_never_overwrites_the_first(tmp_path, site):
    first, second = PAGES[6], PAGES[7]
    site.set("/a", first["html"])
    site.set("/b", second["html"])
    site.set("/latest", status=302, headers={"Location": "/a"})
    settings = _settings(tmp_path)
    assert len(add_sources([site.url("/latest")], settings, build=False).new) == 1
    site.set("/latest", status=302, headers={"Location": "/b"})  # the next day, "latest" is another story
    report = add_sources([site.url("/latest")], settings, build=False)
    assert len(report.new) == 1 and report.updated == []
    assert sorted(r["url"] for r in _saved(tmp_path)) == [site.url("/a"), site.url("/b")]


def test_the_command_line_prints_one_line_per_article_and_failure_and_exits_1_on_failures(
    tmp_path, site, capsys, monkeypatch
):
    from newsdesk.cli import main

    monkeypatch.setenv("NEWSDESK_WEB__ALLOW_PRIVATE_ADDRESSES", "true")  # the site is on 127.0.0.1
    good = _serve_real_pages(site, 1)[0]
    common = ["--corpus", str(tmp_path / "corpus"), "--store", str(tmp_path / "store"), "--embedder", "fake"]
    assert main(["index", "add", good["link"], site.url("/missing"), "ftp://files.example/a", *common]) == 1
    captured = capsys.readouterr()
    assert "new: " in captured.out and f"({good['link']})" in captured.out
    assert "added: 1 new, 0 updated, 0 unchanged, 2 failed" in captured.out and "built: 1 articles" in captured.out
    assert captured.err.splitlines() == [
        f"failed: {site.url('/missing')}: HTTP 404 Not Found",
        "failed: ftp://files.example/a: not an http(s) URL (only http and https pages are fetched)",
    ]
    assert main(["index", "add", good["link"], *common]) == 0
    assert "added: 0 new, 0 updated, 1 unchanged, 0 failed" in capsys.readouterr().out
