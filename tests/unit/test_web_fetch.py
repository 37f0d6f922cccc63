"""The fetcher against a real HTTP server on 127.0.0.1: limits, politeness and one clear line per bad case."""

from __future__ import annotations

import threading
import time

import pytest

from index.web.fetch import Fetcher, FetchError
from newsdesk.settings import WebSettings
from tests.web_site import NewsSite


def _fetcher(**web) -> Fetcher:
    values = {"delay_s": 0.0, "timeout_s": 2.0, "max_bytes": 200_000, "allow_private_addresses": True}  # 127.0.0.1
    values.update(web)
    return Fetcher(WebSettings(**values))


@pytest.fixture
def site():
    with NewsSite() as running:
        yield running


def test_a_page_comes_back_with_its_validators_and_a_newsdesk_user_agent(site):
    site.set("/a", "<html><body><p>hello</p></body></html>")
    with _fetcher() as fetcher:
        resp = fetcher.get(site.url("/a"))
    assert resp.status == 200 and b"hello" in resp.body
    assert resp.content_type == "text/html" and resp.charset == "utf-8"
    assert resp.etag and resp.last_modified
    assert all("Newsdesk" in r.headers["user-agent"] for r in site.requests)


def test_conditional_request_gets_a_304(site):
    site.set("/a", "<html><body><p>hello</p></body></html>")
    with _fetcher() as fetcher:
        first = fetcher.get(site.url("/a"))
        again = fetcher.get(site.url("/a"), etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and again.body == b""
    assert site.hits("/a")[-1].headers["if-none-match"] == first.etag


@pytest.mark.parametrize(
    "status, reason, transient",
    [
        (404, "HTTP 404 Not Found", False),
        (410, "HTTP 410 Gone", False),
        (403, "HTTP 403 Forbidden", False),
        (500, "HTTP 500 Internal Server Error", True),
        (503, "HTTP 503 Service Unavailable", True),
        (429, "HTTP 429 Too Many Requests", True),
    ],
)
def test_http_errors_are_one_line_marked_transient_or_not(site, status, reason, transient):
    site.set("/x", "nope", status=status, headers={"Retry-After": "120"} if status == 429 else {})
    with _fetcher() as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get(site.url("/x"))
    assert str(caught.value) == f"{site.url('/x')}: {reason}"
    assert caught.value.transient is transient
    if status == 429:
        assert caught.value.retry_after_s == 120


def test_a_server_that_does_not_answer_in_time(site):
    site.set("/slow", "<p>late</p>", delay_s=3)
    started = time.monotonic()
    with _fetcher(timeout_s=0.5) as fetcher, pytest.raises(FetchError, match="timed out after 0.5 s") as caught:
        fetcher.get(site.url("/slow"))
    assert caught.value.transient and time.monotonic() - started < 2.5


def test_a_server_that_drips_its_page_hits_the_time_cap(site):
    site.set("/drip", b"<p>" + b"x" * 20_000 + b"</p>", drip_s=0.15)  # 20 pieces, 3 s in all
    started = time.monotonic()
    with _fetcher(timeout_s=1.0) as fetcher, pytest.raises(FetchError, match="took longer than 1 s"):
        fetcher.get(site.url("/drip"))
    assert time.monotonic() - started < 2.0


def test_a_server_that_is_down(site):
    url = site.url("/a")
    site.stop()
    with _fetcher() as fetcher, pytest.raises(FetchError, match="cannot connect") as caught:
        fetcher.get(url)
    assert caught.value.transient


def test_a_redirect_is_followed_and_a_loop_is_named(site):
    site.set("/old", status=301, headers={"Location": "/new"})
    site.set("/new", "<p>moved here</p>")
    site.set("/loop-a", status=302, headers={"Location": "/loop-b"})
    site.set("/loop-b", status=302, headers={"Location": "/loop-a"})
    site.set("/elsewhere", status=302, headers={"Location": "ftp://files.example/x"})
    with _fetcher() as fetcher:
        resp = fetcher.get(site.url("/old"))
        assert resp.final_url == site.url("/new") and resp.redirects == (site.url("/new"),)
        with pytest.raises(FetchError, match="redirect loop") as loop:
            fetcher.get(site.url("/loop-a"))
        assert not loop.value.transient
        with pytest.raises(FetchError, match="not http"):
            fetcher.get(site.url("/elsewhere"))


def test_too_many_redirects(site):
    for i in range(8):
        site.set(f"/r{i}", status=302, headers={"Location": f"/r{i + 1}"})
    with _fetcher(max_redirects=3) as fetcher, pytest.raises(FetchError, match="more than 3 redirects"):
        fetcher.get(site.url("/r0"))


def test_a_50_mb_page_stops_at_the_size_cap(site):
    site.set("/huge-declared", b"x" * 10, headers={"Content-Length": str(50_000_000)}, declare_length=False)
    site.set("/huge-streamed", endless=True)
    with _fetcher(max_bytes=1_000_000) as fetcher:
        with pytest.raises(FetchError, match=r"50.0 MB is over the 1.0 MB limit"):
            fetcher.get(site.url("/huge-declared"))
        started = time.monotonic()
        with pytest.raises(FetchError, match=r"over the 1.0 MB limit"):
            fetcher.get(site.url("/huge-streamed"))
        assert time.monotonic() - started < 5


def test_only_http_urls_are_fetched_and_nothing_is_requested_for_others(site):
    with _fetcher() as fetcher:
        for url in ("file:///etc/passwd", "ftp://example.com/x", "gopher://x"):
            with pytest.raises(FetchError, match="not an http"):
                fetcher.get(url)
    assert site.requests == []


def test_robots_txt_that_disallows_is_respected(site):
    site.set(
        "/robots.txt",
        "User-agent: Newsdesk\nDisallow: /private/\n\nUser-agent: *\nDisallow:\n",
        content_type="text/plain",
    )
    site.set("/private/a", "<p>secret</p>")
    site.set("/public/a", "<p>open</p>")
    with _fetcher() as fetcher:
        assert fetcher.get(site.url("/public/a")).status == 200
        with pytest.raises(FetchError, match="robots.txt disallows it for Newsdesk") as caught:
            fetcher.get(site.url("/private/a"))
    assert not caught.value.transient
    assert site.hits("/private/a") == []
    assert len(site.hits("/robots.txt")) == 1  # read once per host


def test_robots_txt_missing_allows_everything_and_broken_means_later(site):
    site.set("/a", "<p>a</p>")
    with _fetcher() as fetcher:
        assert fetcher.get(site.url("/a")).status == 200  # /robots.txt is a 404 here
    site.set("/robots.txt", "down", status=503)
    with _fetcher() as fetcher, pytest.raises(FetchError, match="robots.txt unreachable") as caught:
        fetcher.get(site.url("/a"))
    assert caught.value.transient
    with _fetcher(respect_robots=False) as fetcher:
        assert fetcher.get(site.url("/a")).status == 200


def test_one_request_at_a_time_per_host_with_a_pause_between(site):
    for i in range(6):
        site.set(f"/p{i}", "<p>x</p>", delay_s=0.05)
    with _fetcher(delay_s=0.2, respect_robots=False) as fetcher:
        threads = [threading.Thread(target=fetcher.get, args=(site.url(f"/p{i}"),)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert site.max_active == 1
    spans = sorted((r.started, r.ended) for r in site.requests)
    gaps = [b[0] - a[1] for a, b in zip(spans, spans[1:])]
    assert min(gaps) >= 0.18


def test_hosts_are_paced_apart(site):
    with NewsSite() as other:
        site.set("/a", "<p>a</p>", delay_s=0.4)
        other.set("/b", "<p>b</p>", delay_s=0.4)
        with _fetcher(respect_robots=False) as fetcher:
            threads = [
                threading.Thread(target=fetcher.get, args=(site.url("/a"),)),
                threading.Thread(target=fetcher.get, args=(other.url("/b"),)),
            ]
            started = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        assert time.monotonic() - started < 0.75  # the two hosts were fetched at the same time


def test_a_binary_or_gzip_bombed_response_never_exceeds_the_cap(site):
    import gzip

    bomb = gzip.compress(b"\0" * 30_000_000)
    site.set("/bomb", bomb, content_type="text/html", headers={"Content-Encoding": "gzip"})
    with _fetcher(max_bytes=1_000_000) as fetcher, pytest.raises(FetchError, match="over the 1.0 MB limit"):
        fetcher.get(site.url("/bomb"))
