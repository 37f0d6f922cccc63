"""No fetch reaches this machine or a private network unless web.allow_private_addresses is set.

The sites run on loopback, so the tests that need a *public* site treat 127.0.0.2 as public by
wrapping the real classifier (``public_site``); every other address is judged by the real rules,
at the connect as in production.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from pathlib import Path

import pytest

from index.add import add_sources
from index.web import guard
from index.web.fetch import Fetcher, RefusedAddress
from newsdesk.settings import WebSettings, load_settings
from tests.conftest import make_settings
from tests.web_site import NewsSite

PUBLIC_STAND_IN = "127.0.0.2"  # served on loopback, treated as a public address by ``public_site``
ARTICLE = [
    "The Portwen harbour bridge reopened to traffic on Monday after 14 months of repairs, the city said.",
    "The repairs cost 38 million euros, more than twice the first estimate, because of corrosion in the deck.",
]


def _fetcher(**web) -> Fetcher:
    return Fetcher(WebSettings(**{"delay_s": 0.0, "timeout_s": 2.0, **web}))


@pytest.fixture
def inner():
    """A site on 127.0.0.1 holding something that must not be read."""
    with NewsSite() as site:
        site.page(
            "/secret",
            "Payroll administration",
            [
                "This internal admin page lists the payroll accounts of the council's staff and their bank details.",
                "Only the finance office may open it, from the council's own network, during working hours.",
            ],
        )
        yield site


@pytest.fixture
def public_site(monkeypatch):
    """A site on 127.0.0.2 that the address rules take for a public one (all else judged as usual)."""
    real = guard.address_refusal

    def refusal(ip):
        return None if ip == ipaddress.ip_address(PUBLIC_STAND_IN) else real(ip)

    monkeypatch.setattr(guard, "address_refusal", refusal)
    with NewsSite(host=PUBLIC_STAND_IN) as site:
        yield site


def _fake_dns(monkeypatch, answers: dict[str, list[str]]):
    """Resolve the named hosts to the given addresses (in turn, one list per lookup); others as usual."""
    real = socket.getaddrinfo
    lookups: dict[str, int] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers or kwargs.get("flags", 0) & socket.AI_NUMERICHOST:  # a numeric parse is no lookup
            return real(host, port, *args, **kwargs)
        turn = lookups.get(host, 0)
        lookups[host] = turn + 1
        address = answers[host][min(turn, len(answers[host]) - 1)]
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sockaddr = (address, port or 0, 0, 0) if family == socket.AF_INET6 else (address, port or 0)
        return [(family, socket.SOCK_STREAM, 6, "", sockaddr)]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


@pytest.mark.parametrize(
    "address, kind",
    [
        ("127.0.0.1:{port}", "loopback"),
        ("127.8.9.10:{port}", "loopback"),
        ("[::1]:{port}", "loopback"),
        ("10.0.0.1", "private network"),
        ("172.16.0.1", "private network"),
        ("172.31.255.254", "private network"),
        ("192.168.1.1", "private network"),
        ("[fc00::1]", "private network"),
        ("[fd12:3456::1]", "private network"),
        ("169.254.169.254", "link-local"),
        ("[fe80::1]", "link-local"),
        ("0.0.0.0:{port}", "unspecified"),
        ("[::]:{port}", "unspecified"),
        ("100.64.0.1", "non-public"),
        ("224.0.0.1", "multicast"),
        # odd spellings of the same addresses
        ("2130706433:{port}", "loopback"),
        ("0177.0.0.1:{port}", "loopback"),
        ("0x7f.0.0.1:{port}", "loopback"),
        ("127.1:{port}", "loopback"),
        ("[::ffff:127.0.0.1]:{port}", "loopback"),
        ("2852039166", "link-local"),  # 169.254.169.254
        ("[::ffff:169.254.169.254]", "link-local"),
        ("[64:ff9b::a9fe:a9fe]", "link-local"),  # NAT64 form of 169.254.169.254
        ("[2002:7f00:1::1]", "loopback"),  # 6to4 form of 127.0.0.1
    ],
)
def test_the_default_refuses_every_non_public_address_in_one_line_before_any_request(inner, address, kind):
    url = f"http://{address.format(port=inner.port)}/secret"
    started = time.monotonic()
    with _fetcher() as fetcher, pytest.raises(RefusedAddress) as caught:
        fetcher.get(url)
    line = str(caught.value)
    assert line.startswith(f"{url}: refused: ") and kind in line and "\n" not in line
    assert "NEWSDESK_WEB__ALLOW_PRIVATE_ADDRESSES=true" in line
    assert caught.value.transient is False
    assert inner.requests == []  # nothing was sent, not even robots.txt
    assert time.monotonic() - started < 1.0  # refused, not tried and timed out


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST"])
def test_a_hostname_that_resolves_to_loopback_is_refused(inner, host):
    with (
        _fetcher() as fetcher,
        pytest.raises(RefusedAddress, match=r"refused: localhost is (127\.0\.0\.1|::1), a loopback"),
    ):
        fetcher.get(f"http://{host}:{inner.port}/secret")
    assert inner.requests == []


def test_a_dns_name_is_judged_by_its_answer(monkeypatch, inner):
    _fake_dns(monkeypatch, {"intranet.example": ["10.1.2.3"], "meta.example": ["169.254.169.254"]})
    with _fetcher() as fetcher:
        for url, said in [
            ("http://intranet.example/", "intranet.example is 10.1.2.3, a private network address"),
            ("http://meta.example/latest/meta-data/", "meta.example is 169.254.169.254, a link-local address"),
        ]:
            with pytest.raises(RefusedAddress) as caught:
                fetcher.get(url)
            assert said in str(caught.value)


def test_a_name_is_resolved_once_and_the_checked_address_is_the_one_connected_to(monkeypatch, public_site):
    """DNS rebinding: the first answer is public, every later one points inside; nothing may reach inside."""
    public_site.set("/a", "<html><body><p>public page</p></body></html>")
    with NewsSite(port=public_site.port) as inside:  # the same port on 127.0.0.1
        inside.set("/a", "<html><body><p>internal page</p></body></html>")
        lookups = _fake_dns(monkeypatch, {"rebind.example": [PUBLIC_STAND_IN, "127.0.0.1"]})
        with _fetcher(respect_robots=False) as fetcher:
            resp = fetcher.get(f"http://rebind.example:{public_site.port}/a")
        assert b"public page" in resp.body
        assert inside.requests == [] and lookups["rebind.example"] == 1


@pytest.mark.parametrize("target", ["http://127.0.0.1:{port}/secret", "http://localhost:{port}/secret"])
def test_a_redirect_to_loopback_is_refused_at_that_hop(public_site, inner, target):
    target = target.format(port=inner.port)
    public_site.set("/go", status=302, headers={"Location": target})
    with _fetcher() as fetcher, pytest.raises(RefusedAddress) as caught:
        fetcher.get(public_site.url("/go"))
    assert str(caught.value).startswith(f"{public_site.url('/go')}: redirects to {target}, refused: ")
    assert "loopback" in str(caught.value)
    assert inner.requests == [] and public_site.hits("/go")


def test_the_opt_in_fetches_from_this_machine(inner, monkeypatch):
    assert load_settings().web.allow_private_addresses is False
    monkeypatch.setenv("NEWSDESK_WEB__ALLOW_PRIVATE_ADDRESSES", "true")
    web = load_settings().web
    assert web.allow_private_addresses is True
    with Fetcher(web.model_copy(update={"delay_s": 0.0})) as fetcher:
        for host in ["127.0.0.1", "localhost", "2130706433"]:
            assert b"internal admin page" in fetcher.get(f"http://{host}:{inner.port}/secret").body


def _entries_pointing_inside(public_site: NewsSite, inner: NewsSite) -> list[str]:
    public_site.page("/news/bridge", "Portwen harbour bridge reopens", ARTICLE)
    return [public_site.url("/news/bridge"), inner.url("/secret"), f"http://localhost:{inner.port}/secret"]


@pytest.mark.parametrize("listing", ["feed", "sitemap"])
def test_a_feed_or_sitemap_entry_pointing_inside_is_one_refused_line_and_the_rest_is_added(
    tmp_path: Path, public_site, inner, listing
):
    links = _entries_pointing_inside(public_site, inner)
    if listing == "feed":
        public_site.feed("/list.xml", [{"title": str(i), "link": link} for i, link in enumerate(links)])
    else:
        public_site.sitemap("/list.xml", [(link, None) for link in links])
    settings = make_settings(tmp_path, corpus=tmp_path / "corpus", web={"delay_s": 0.0})
    lines: list[str] = []
    report = add_sources([public_site.url("/list.xml")], settings, build=False, on_line=lines.append)
    assert len(report.new) == 1 and len(report.failed) == 2
    refused = [line for line in lines if line.startswith("failed:")]
    assert sorted(refused) == sorted(
        [
            f"failed: {inner.url('/secret')}: refused: 127.0.0.1 is a loopback address on this machine; "
            "set NEWSDESK_WEB__ALLOW_PRIVATE_ADDRESSES=true to fetch from this machine or private networks",
            next(
                line for line in refused if line.startswith(f"failed: http://localhost:{inner.port}/secret: refused: ")
            ),
        ]
    )
    assert inner.requests == []

    # The refusal came from a setting, not the page: with the opt-in, the next add takes the entries in.
    allowed = make_settings(tmp_path, corpus=tmp_path / "corpus", web={"delay_s": 0.0, "allow_private_addresses": True})
    again = add_sources([public_site.url("/list.xml")], allowed, build=False)
    assert not again.failed and inner.hits("/secret")


def test_a_typed_address_inside_fails_alone_and_the_other_sources_go_on(tmp_path: Path, public_site, inner):
    public_site.page("/news/bridge", "Portwen harbour bridge reopens", ARTICLE)
    settings = make_settings(tmp_path, corpus=tmp_path / "corpus", web={"delay_s": 0.0})
    sources = [inner.url("/secret"), "http://169.254.169.254/latest/meta-data/", public_site.url("/news/bridge")]
    report = add_sources(sources, settings, build=False)
    assert len(report.new) == 1
    assert [f.url for f in report.failed] == sources[:2]
    assert all(f.reason.startswith("refused: ") for f in report.failed)


def test_only_public_addresses_pass_the_rules():
    for text in ["8.8.8.8", "93.184.216.34", "172.32.0.1", "2606:4700::1111", "::ffff:8.8.8.8", "2002:808:808::1"]:
        assert guard.address_refusal(ipaddress.ip_address(text)) is None, text


def test_index_add_says_one_line_per_refused_source_and_exits_1(tmp_path, inner, capsys):
    from newsdesk.cli import main

    common = ["--corpus", str(tmp_path / "corpus"), "--store", str(tmp_path / "store"), "--embedder", "fake"]
    sources = [f"http://localhost:{inner.port}/secret", "http://[::ffff:127.0.0.1]/", "http://169.254.169.254/"]
    assert main(["index", "add", *sources, *common, "--no-build"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and all(line.startswith(f"failed: {url}: refused: ") for line, url in zip(err, sources))
    assert inner.requests == []


def test_the_app_add_job_shows_one_line_per_refused_address(tmp_path: Path, inner):
    from ui.add_page import AddJob

    settings = make_settings(tmp_path, corpus=tmp_path / "corpus", web={"delay_s": 0.0})
    addresses = [inner.url("/secret"), f"http://localhost:{inner.port}/secret"]
    job = AddJob(settings, {}, addresses)
    job.run()
    assert job.outcome.summary == "Added: 0 new, 0 updated, 0 unchanged, 2 failed"
    assert [line.split(": refused: ")[0] for line in job.outcome.failures] == addresses
    assert job.outcome.failed_addresses == addresses  # kept in the box, to fix or to allow
    assert inner.requests == []


def test_a_robots_txt_that_redirects_inside_is_not_followed_and_the_page_still_comes(public_site, inner):
    public_site.set("/robots.txt", status=302, headers={"Location": inner.url("/robots.txt")})
    public_site.set("/a", "<html><body><p>public page</p></body></html>")
    with _fetcher() as fetcher:
        assert b"public page" in fetcher.get(public_site.url("/a")).body
    assert inner.requests == []
