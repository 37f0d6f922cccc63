"""A real `python -m index watch` process stopped by SIGTERM / Ctrl+C, and killed by SIGKILL, mid-round:
nothing lost, nothing twice, and the next start finishes the job (fake embedder, real local server)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import index
from tests.conftest import ROOT, make_settings
from tests.web_site import NewsSite, real_pages

pytestmark = pytest.mark.slow

PAGES = real_pages()[:12]


def _site_with_slow_pages(site: NewsSite) -> list[str]:
    links = []
    for label in PAGES:
        path = "/news/" + label["file"].removesuffix(".html.gz") + ".html"
        site.set(path, label["html"], delay_s=0.3)  # a round takes ~4 s: time to interrupt it
        links.append(site.url(path))
    site.feed("/feed.xml", [{"title": str(i), "link": link} for i, link in enumerate(links)])
    return links


def _watch(tmp_path: Path, feed: str, *extra: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env.update(PYTHONPATH=str(ROOT), NEWSDESK_WEB__DELAY_S="0", ANONYMIZED_TELEMETRY="False")
    env.update(NEWSDESK_WEB__ALLOW_PRIVATE_ADDRESSES="true")  # the site is on 127.0.0.1
    cmd = [sys.executable, "-m", "index", "watch", feed, "--every", "1h"]
    cmd += ["--corpus", str(tmp_path / "corpus"), "--store", str(tmp_path / "store"), "--embedder", "fake", *extra]
    return subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_for_page_requests(site: NewsSite, count: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len([r for r in site.requests if r.path.startswith("/news/")]) < count:
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() < deadline, "watch never fetched the pages"
        time.sleep(0.05)


def _records(tmp_path: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "corpus" / "web").rglob("*.jsonl")]


def _finish_and_check(tmp_path: Path, site: NewsSite, links: list[str]) -> None:
    """A fresh `watch --rounds 1` completes the feed: every page exactly once, the index complete."""
    proc = _watch(tmp_path, site.url("/feed.xml"), "--rounds", "1")
    out, _ = proc.communicate(timeout=180)
    assert proc.returncode == 0, out
    records = _records(tmp_path)
    assert sorted(r["url"] for r in records) == sorted(links)  # nothing lost, nothing twice
    assert len({r["id"] for r in records}) == len(links)
    status = index.status(make_settings(tmp_path, corpus=tmp_path / "corpus"))
    assert status["articles"] == len(links) and status["stale"] is False
    fetched = [r.path.split("?")[0] for r in site.requests if r.path.startswith("/news/")]
    assert len(fetched) <= len(links) + 2  # pages saved before the interruption were not fetched again


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_or_ctrl_c_stops_cleanly_after_the_current_page(tmp_path, signum):
    with NewsSite() as site:
        links = _site_with_slow_pages(site)
        proc = _watch(tmp_path, site.url("/feed.xml"))
        _wait_for_page_requests(site, 3, proc)
        proc.send_signal(signum)
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0, out
        assert f"{signal.Signals(signum).name}: stopping after the current page" in out
        assert "; stopped" in out
        saved = _records(tmp_path)
        assert 2 <= len(saved) < len(links)
        state = json.loads((tmp_path / "store" / "web-state.json").read_text())
        assert site.url("/feed.xml") not in state["sources"] or "etag" not in state["sources"][site.url("/feed.xml")]
        _finish_and_check(tmp_path, site, links)


def test_sigkill_mid_round_loses_nothing_and_duplicates_nothing(tmp_path):
    with NewsSite() as site:
        links = _site_with_slow_pages(site)
        proc = _watch(tmp_path, site.url("/feed.xml"))
        _wait_for_page_requests(site, 6, proc)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        saved = _records(tmp_path)  # every record on disk is whole (atomic writes)
        assert 3 <= len(saved) < len(links)
        state_file = tmp_path / "store" / "web-state.json"
        if state_file.exists():
            json.loads(state_file.read_text())  # whole too
        _finish_and_check(tmp_path, site, links)
