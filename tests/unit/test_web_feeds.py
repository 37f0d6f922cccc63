"""Feeds and sitemaps: what they list, and a clear error when they cannot be read."""

from __future__ import annotations

import gzip

import pytest

from index.web.feeds import BadListing, parse_feed, parse_sitemap, sniff_kind, ungzip
from tests.web_site import atom_feed, rss_feed, sitemap_xml

BASE = "https://gazette.example/feeds/world.xml"


def test_rss_entries_with_links_stamps_and_dates():
    body = rss_feed(
        [
            {
                "title": "Bridge closed",
                "link": "https://gazette.example/a",
                "published": "Tue, 04 Mar 2025 10:00:00 GMT",
            },
            {"title": "Bridge reopens", "link": "/b?utm_source=rss"},  # relative: resolved against the feed
        ]
    ).encode()
    entries = parse_feed(body, BASE)
    assert [e.url for e in entries] == ["https://gazette.example/a", "https://gazette.example/b?utm_source=rss"]
    assert entries[0].title == "Bridge closed" and entries[0].date == "2025-03-04" and entries[0].stamp
    assert entries[1].stamp is None


def test_atom_entries():
    body = atom_feed([{"title": "T", "link": "https://gazette.example/c", "updated": "2025-03-05T08:00:00Z"}])
    entries = parse_feed(body.encode(), BASE)
    assert entries[0].url == "https://gazette.example/c" and entries[0].stamp == "2025-03-05T08:00:00Z"


def test_a_slightly_broken_feed_that_still_has_entries_is_used():
    body = rss_feed([{"title": "Fish & chips", "link": "https://gazette.example/d"}]).replace("&amp;", "&")
    entries = parse_feed(body.encode(), BASE)
    assert [e.url for e in entries] == ["https://gazette.example/d"]


def test_an_empty_but_valid_feed_lists_nothing():
    assert parse_feed(rss_feed([]).encode(), BASE) == []


@pytest.mark.parametrize(
    "body",
    [b"", b"this is not xml at all", b"<html><body><p>a web page</p></body></html>", b"\x89PNG\r\n\x1a\n\x00\x00"],
)
def test_something_that_is_no_feed_is_a_clear_error(body):
    with pytest.raises(BadListing, match="feed"):
        parse_feed(body, BASE)


def test_feed_links_that_are_not_http_are_dropped():
    body = rss_feed([{"title": "x", "link": "javascript:alert(1)"}, {"title": "y", "link": "ftp://x/y"}]).encode()
    assert parse_feed(body, BASE) == []


def test_sitemap_pages_and_index():
    pages, children = parse_sitemap(
        sitemap_xml([("https://gazette.example/a", "2025-03-04"), ("/b", None)]).encode(), BASE, 10**6
    )
    assert [(p.url, p.stamp) for p in pages] == [
        ("https://gazette.example/a", "2025-03-04"),
        ("https://gazette.example/b", None),
    ]
    assert children == []
    index = (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<sitemap><loc>https://gazette.example/sitemap-1.xml</loc></sitemap></sitemapindex>"
    )
    assert parse_sitemap(index.encode(), BASE, 10**6) == ([], ["https://gazette.example/sitemap-1.xml"])


def test_news_sitemap_publication_date_and_title():
    body = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://gazette.example/n</loc>'
        "<news:news><news:publication_date>2025-03-06T09:00:00+01:00</news:publication_date>"
        "<news:title>Ferry strike ends</news:title></news:news></url></urlset>"
    )
    (page,), _ = parse_sitemap(body.encode(), BASE, 10**6)
    assert page.date == "2025-03-06" and page.title == "Ferry strike ends" and page.stamp.startswith("2025-03-06")


def test_gzipped_sitemap_and_a_gzip_bomb_stops_at_the_cap():
    body = gzip.compress(sitemap_xml([("https://gazette.example/a", None)]).encode())
    pages, _ = parse_sitemap(body, BASE, 10**6)
    assert pages[0].url == "https://gazette.example/a"
    bomb = gzip.compress(b"<" + b" " * 50_000_000)
    with pytest.raises(BadListing, match="more than"):
        ungzip(bomb, 1_000_000)


def test_sitemap_entities_are_never_expanded():
    body = (
        '<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://g.example/&x;</loc></url></urlset>'
    )
    try:
        pages, _ = parse_sitemap(body.encode(), BASE, 10**6)
    except BadListing:
        return
    assert all("root:" not in p.url for p in pages)


@pytest.mark.parametrize("body", [b"", b"<urlset", b"<notasitemap/>", b"\x00\x01binary"])
def test_a_broken_sitemap_is_a_clear_error(body):
    with pytest.raises(BadListing, match="sitemap|xml|empty"):
        parse_sitemap(body, BASE, 10**6)


@pytest.mark.parametrize(
    "content_type, body, kind",
    [
        ("application/rss+xml", b"<?xml version='1.0'?><rss>", "feed"),
        ("text/xml", b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'>", "feed"),
        ("application/xml", b"<?xml version='1.0'?><urlset xmlns='x'>", "sitemap"),
        ("", b"<?xml version='1.0'?><sitemapindex>", "sitemap"),
        ("text/html", b"<!doctype html><html>", "html"),
        ("", b"<!DOCTYPE html>\n<html lang=en>", "html"),
        ("text/plain", b"<html><body>", "html"),
        ("application/pdf", b"%PDF-1.7", "other"),
        ("image/png", b"\x89PNG", "other"),
        ("application/octet-stream", b"\x00\x01\x02", "other"),
    ],
)
def test_sniff_kind(content_type, body, kind):
    assert sniff_kind(content_type, body) == kind
