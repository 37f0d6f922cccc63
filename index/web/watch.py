"""`python -m index watch SOURCE... --every 15m`: poll feeds and sitemaps, add what is new, keep the index fresh.

Each round adds every source that is due (a failing source waits twice as long after each
failure, up to `web.max_backoff_s`, or what its Retry-After asks), then builds the index if
the corpus changed. One line per round says what happened. Articles are saved before the
index is built and the polling state is written atomically after each source, so a kill at
any moment loses nothing: the next start builds what was saved and polls again.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from index.add import add_sources, build_index, needs_build
from index.web.fetch import Fetcher, FetchError
from index.web.state import WebState
from newsdesk.settings import Settings, load_settings

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr|d)?\s*$", re.IGNORECASE)
_UNIT_S = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    """'15m', '30s', '1h', '1.5h', '90' (seconds) -> seconds; ValueError otherwise."""
    match = _DURATION.match(text or "")
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"{text!r} is not a duration like 30s, 15m or 1h")
    return float(match.group(1)) * _UNIT_S[(match.group(2) or "s").lower()]


def human_duration(seconds: float) -> str:
    """12.5 -> '12.5 s', 900 -> '15 min', 5400 -> '1.5 h'."""
    if seconds < 60:
        return f"{seconds:.3g} s"
    if seconds < 3600:
        return f"{seconds / 60:.3g} min"
    return f"{seconds / 3600:.3g} h"


@dataclass
class WatchReport:
    rounds: int = 0
    new: int = 0
    updated: int = 0
    failed: int = 0
    lines: list[str] = field(default_factory=list)


def _clock() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S")


def watch(
    sources: list[str],
    *,
    every_s: float,
    rounds: int | None = None,
    settings: Settings | None = None,
    embedder=None,
    fetcher: Fetcher | None = None,
    stop: threading.Event | None = None,
    log: Callable[[str], None] | None = None,
) -> WatchReport:
    """Poll ``sources`` every ``every_s`` seconds until ``stop`` is set or ``rounds`` rounds are done."""
    settings = settings or load_settings()
    stop = stop or threading.Event()
    report = WatchReport()

    def say(line: str) -> None:
        report.lines.append(line)
        if log is not None:
            log(line)

    state = WebState.load(settings.index.store_dir)
    if state.warning:
        say(f"{_clock()} warning: {state.warning}")
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher(settings.web)
    try:
        if needs_build(settings, state) and not stop.is_set():
            _build(settings, state, embedder, say, why="the corpus changed since the last build (resuming)")
        while not stop.is_set():
            started = time.time()
            report.rounds += 1
            due = [s for s in sources if state.due(s, started)]
            details: list[str] = []
            result = add_sources(
                due, settings, build=False, fetcher=fetcher, state=state, on_line=details.append, stop=stop
            )
            for line in details:
                if not line.startswith(("new:", "updated:")):
                    say(f"{_clock()}   {line}")
            for source in due:
                error = result.failed_sources.get(source)
                if error is not None:
                    retry_after = error.retry_after_s if isinstance(error, FetchError) else None
                    wait = state.source_failed(
                        source,
                        str(error),
                        every_s=every_s,
                        max_backoff_s=settings.web.max_backoff_s,
                        retry_after_s=retry_after,
                        now=started,
                    )
                    say(
                        f"{_clock()}   backoff: {source} failed {state.source(source)['failures']}x, next try in {human_duration(wait)}"
                    )
                elif state.source(source).get("failures"):
                    state.update_source(source, failures=None, next_try=None, last_error=None)
            state.save()
            built = ""
            if not stop.is_set() and (result.changed or needs_build(settings, state)):
                built = _build(settings, state, embedder, say=None)
            report.new += len(result.new)
            report.updated += len(result.updated)
            report.failed += len(result.failed)
            waiting = len(sources) - len(due)
            say(
                f"{_clock()} round {report.rounds}: {len(result.new)} new, {len(result.updated)} updated, "
                f"{len(result.failed)} failed, {result.unchanged + result.known} unchanged"
                + (f"; {waiting} of {len(sources)} sources waiting after errors" if waiting else "")
                + (f"; {built}" if built else "")
                + ("; stopped" if stop.is_set() else "")
                + f" ({time.time() - started:.1f} s)"
            )
            if rounds is not None and report.rounds >= rounds:
                break
            stop.wait(max(0.0, every_s - (time.time() - started)))
    finally:
        if own_fetcher:
            fetcher.close()
        state.save()
    return report


def _build(settings: Settings, state: WebState, embedder, say, why: str | None = None) -> str:
    from index.add import AddReport

    holder = AddReport()
    build_index(settings, holder, state, embedder=embedder)
    if holder.build is None:
        text = f"index not updated: {holder.build_error} (the articles are saved; the next round tries again)"
    else:
        text = f"index: {holder.build.articles} articles, {holder.build.embedded_articles} embedded"
    if say is not None:
        say(f"{_clock()} {why}: {text}" if why else f"{_clock()} {text}")
    return text


@contextmanager
def stop_on_signals(stop: threading.Event, say: Callable[[str], None]):
    """SIGTERM / Ctrl+C: finish the current page, save, exit. A second one stops at once."""

    def handle(signum, frame):
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        say(f"{_clock()} {signal.Signals(signum).name}: stopping after the current page (again to stop now)")

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
