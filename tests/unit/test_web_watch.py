"""`index watch`: rounds, conditional polling, per-source backoff, a server that goes away, resuming.

In-process against a real HTTP server on 127.0.0.1 with the fake embedder; the kill tests
(SIGTERM, SIGKILL on a real `python -m index watch` process) are in tests/integration.
"""

from __future__ import annotations

import json
import queue
import re
import threading
import time
from pathlib import Path

import pytest

import index
from index.web.state import STATE_FILE
from index.web.watch import human_duration, parse_duration, watch
from tests.conftest import make_settings
from tests.web_site import NewsSite, real_pages

PAGES = real_pages()


def _settings(tmp_path: Path, **web):
    values = {"delay_s": 0.0, "timeout_s": 2.0, "allow_private_addresses": True}  # the site is on 127.0.0.1
    values.update(web)
    return make_settings(tmp_path, corpus=tmp_path / "corpus", web=values)


def _serve(site: NewsSite, labels: list[dict]) -> list[dict]:
    entries = []
    for label in labels:
        path = "/news/" + label["file"].removesuffix(".html.gz") + ".html"
        site.set(path, label["html"])
        entries.append({"title": label["title"], "link": site.url(path)})
    return entries


def _saved_urls(tmp_path: Path) -> list[str]:
    return sorted(
        json.loads(p.read_text(encoding="utf-8"))["url"] for p in (tmp_path / "corpus" / "web").rglob("*.jsonl")
    )


@pytest.fixture
def site():
    with NewsSite() as running:
        yield running


@pytest.mark.parametrize("text, seconds", [("15m", 900), ("30s", 30), ("1h", 3600), ("1.5h", 5400), ("90", 90)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


def test_durations_are_shown_in_a_readable_unit():
    assert [human_duration(s) for s in (0.2, 45, 900, 5400)] == ["0.2 s", "45 s", "15 min", "1.5 h"]


@pytest.mark.parametrize("text", ["", "soon", "-5m", "0s", "15 parsecs"])
def test_bad_durations_are_refused(text):
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def test_rounds_add_what_is_new_and_poll_conditionally(tmp_path, site):
    site.feed("/feed.xml", _serve(site, PAGES[:3]))
    settings = _settings(tmp_path)
    lines: list[str] = []
    report = watch([site.url("/feed.xml")], every_s=0.05, rounds=2, settings=settings, log=lines.append)
    assert report.rounds == 2 and report.new == 3 and report.failed == 0
    rounds = [line for line in lines if re.search(r" round \d+: ", line)]
    assert len(rounds) == 2
    assert "round 1: 3 new, 0 updated, 0 failed" in rounds[0] and "index: 3 articles" in rounds[0]
    assert "round 2: 0 new, 0 updated, 0 failed" in rounds[1] and "index" not in rounds[1]

    site.feed("/feed.xml", _serve(site, PAGES[:4]))  # one more entry
    report = watch([site.url("/feed.xml")], every_s=0.05, rounds=2, settings=settings, log=lines.append)
    assert report.new == 1
    feed_hits = site.hits("/feed.xml")
    assert feed_hits[2].headers.get("if-none-match")  # a new run resumes with the saved validators
    assert len(_saved_urls(tmp_path)) == 4
    assert index.status(settings)["articles"] == 4


def test_a_dead_source_backs_off_and_never_stops_the_others(tmp_path, site):
    dead = NewsSite().start()
    dead_url = dead.url("/feed.xml")
    dead.stop()
    site.feed("/feed.xml", _serve(site, PAGES[:2]))
    site.set("/broken.xml", b"<rss><channel><item><title>cut off", content_type="application/rss+xml")
    lines: list[str] = []
    report = watch(
        [dead_url, site.url("/broken.xml"), site.url("/feed.xml")],
        every_s=0.1,
        rounds=6,
        settings=_settings(tmp_path),
        log=lines.append,
    )
    assert report.new == 2
    assert len([line for line in lines if re.search(r" round \d+: ", line)]) == 6
    attempts = [line for line in lines if f"failed: {dead_url}: cannot connect" in line]
    # tried in rounds 1, 2 and 4 (waits of 1, 2, 4 rounds), not every round
    assert 2 <= len(attempts) <= 4
    assert any("backoff:" in line and "failed 2x" in line for line in lines)
    assert any("sources waiting after errors" in line for line in lines)
    state = json.loads((tmp_path / "store" / STATE_FILE).read_text())
    assert state["sources"][dead_url]["failures"] >= 2 and "cannot connect" in state["sources"][dead_url]["last_error"]


def test_watch_survives_a_server_that_goes_away_and_comes_back(tmp_path, site):
    entries = _serve(site, PAGES[:6])
    site.feed("/feed.xml", entries[:3])
    settings = _settings(tmp_path, timeout_s=1.0)
    lines: queue.Queue[str] = queue.Queue()
    stop = threading.Event()
    result = {}

    def run():
        result["report"] = watch([site.url("/feed.xml")], every_s=0.1, settings=settings, stop=stop, log=lines.put)

    def wait_for(predicate, timeout=30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                continue
            if predicate(line):
                return line
        raise AssertionError("watch never logged the expected line")

    thread = threading.Thread(target=run)
    thread.start()
    try:
        wait_for(lambda line: "round 1: 3 new" in line)
        site.stop()
        wait_for(lambda line: " round " in line and "1 failed" in line)
        wait_for(lambda line: " round " in line and "sources waiting after errors" in line)
        site.feed("/feed.xml", entries)  # three more while it was away
        site.start()
        wait_for(lambda line: " round " in line and "3 new" in line)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert _saved_urls(tmp_path) == sorted(e["link"] for e in entries)  # nothing lost, nothing twice
    assert index.status(settings)["articles"] == 6


def test_articles_saved_while_the_index_is_busy_are_indexed_by_the_next_round(tmp_path, site):
    from index.lock import build_lock

    site.feed("/feed.xml", _serve(site, PAGES[:2]))
    settings = _settings(tmp_path)
    lines: list[str] = []
    with build_lock(settings):  # another process is building this index
        watch([site.url("/feed.xml")], every_s=0.05, rounds=1, settings=settings, log=lines.append)
    assert any("index not updated: another build is writing this index" in line for line in lines)
    assert len(_saved_urls(tmp_path)) == 2  # saved all the same
    watch([site.url("/feed.xml")], every_s=0.05, rounds=1, settings=settings, log=lines.append)
    assert any("resuming" in line and "index: 2 articles, 2 embedded" in line for line in lines)
    assert index.status(settings)["articles"] == 2


def test_a_page_source_that_fails_backs_off_and_recovers(tmp_path, site):
    site.set("/story", "down", status=503)
    settings = _settings(tmp_path)
    lines: list[str] = []
    watch([site.url("/story")], every_s=0.05, rounds=1, settings=settings, log=lines.append)
    assert any("HTTP 503 Service Unavailable" in line for line in lines)
    site.set("/story", PAGES[0]["html"])
    time.sleep(0.1)
    report = watch([site.url("/story")], every_s=0.05, rounds=1, settings=settings, log=lines.append)
    assert report.new == 1
    state = json.loads((tmp_path / "store" / STATE_FILE).read_text())
    assert "failures" not in state["sources"].get(site.url("/story"), {})


def test_an_unreadable_state_file_costs_requests_not_articles(tmp_path, site):
    site.feed("/feed.xml", _serve(site, PAGES[:2]))
    settings = _settings(tmp_path)
    watch([site.url("/feed.xml")], every_s=0.05, rounds=1, settings=settings)
    (tmp_path / "store" / STATE_FILE).write_text("{ torn write")
    lines: list[str] = []
    report = watch([site.url("/feed.xml")], every_s=0.05, rounds=1, settings=settings, log=lines.append)
    assert any("unreadable polling state" in line for line in lines)
    assert report.new == 0 and len(_saved_urls(tmp_path)) == 2  # known articles recognised from the corpus


def test_the_command_line(tmp_path, site, capsys, monkeypatch):
    from index.__main__ import main

    monkeypatch.setenv("NEWSDESK_WEB__ALLOW_PRIVATE_ADDRESSES", "true")  # the site is on 127.0.0.1
    site.feed("/feed.xml", _serve(site, PAGES[:1]))
    common = ["--corpus", str(tmp_path / "corpus"), "--store", str(tmp_path / "store"), "--embedder", "fake"]
    assert main(["watch", site.url("/feed.xml"), "--every", "0.05s", "--rounds", "2", *common]) == 0
    out = capsys.readouterr().out
    assert "round 1: 1 new" in out and "round 2: 0 new" in out
    assert main(["watch", site.url("/feed.xml"), "--every", "soon", *common]) == 2
    assert "error: --every: 'soon' is not a duration" in capsys.readouterr().err


def test_the_chat_says_when_new_articles_arrived_since_it_began(tmp_path, site, monkeypatch, capsys):
    from index.add import add_sources
    from rag.__main__ import main as rag_main

    entries = _serve(site, PAGES[:3])
    settings = _settings(tmp_path)
    add_sources([entries[0]["link"]], settings)
    turns = iter(["What did the Conservative Party change during the debate?", "Who will manage Tottenham?", ""])

    def ask(prompt: str) -> str:
        question = next(turns)
        if question.startswith("Who"):  # meanwhile, `index add` (or `watch`) brings two articles
            add_sources([entries[1]["link"], entries[2]["link"]], settings)
        return question

    monkeypatch.setattr("builtins.input", ask)
    assert rag_main(["chat", "--store", str(tmp_path / "store")]) == 0
    out = capsys.readouterr().out
    assert out.count("note: 2 new articles in the index since this conversation began") == 1
    assert out.index("note: 2 new articles") > out.index("Conservative")
