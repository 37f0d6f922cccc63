"""What polling remembers between runs, in one JSON file in the store folder, written atomically.

Per source: HTTP validators (ETag / Last-Modified) for conditional requests, consecutive
failures and when to try again (backoff), and the pages that failed transiently and must be
retried even when the feed itself has not changed. Per page that failed for good (404,
no article text, robots.txt): the reason and the listing stamp, so it is not fetched again
every round unless its listing changes. Losing this file loses no article: it only costs
full (unconditional) requests once.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from index.web.saved import write_atomic
from index.web.urls import url_key

STATE_FILE = "web-state.json"
VERSION = 1


class WebState:
    """Thread-safe; ``save()`` writes the whole file atomically."""

    def __init__(self, path: Path | None, data: dict | None = None, warning: str | None = None):
        self.path = path
        self.warning = warning
        data = data or {}
        self.sources: dict[str, dict] = data.get("sources", {})
        self.failed_pages: dict[str, dict] = data.get("failed_pages", {})
        self.built: dict = data.get("built", {})
        self._lock = threading.RLock()

    @classmethod
    def load(cls, store_dir: str | Path | None) -> WebState:
        """The state in ``store_dir`` (empty when there is none or it is unreadable, with a warning)."""
        if store_dir is None:
            return cls(None)
        path = Path(store_dir) / STATE_FILE
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("version") != VERSION:
                raise ValueError("unknown version")
        except (OSError, ValueError) as exc:
            return cls(path, warning=f"{path}: unreadable polling state ({exc}); starting afresh (no article is lost)")
        return cls(path, data)

    def save(self) -> None:
        if self.path is None:
            return
        with self._lock:
            payload = {
                "version": VERSION,
                "sources": self.sources,
                "failed_pages": self.failed_pages,
                "built": self.built,
            }
            data = json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
        write_atomic(self.path, data)

    # --- sources -----------------------------------------------------------------------------
    def source(self, url: str) -> dict:
        with self._lock:
            return dict(self.sources.get(url, {}))

    def update_source(self, url: str, **values) -> None:
        with self._lock:
            entry = self.sources.setdefault(url, {})
            for name, value in values.items():
                if value is None:
                    entry.pop(name, None)
                else:
                    entry[name] = value

    def source_ok(self, url: str, *, etag: str | None, last_modified: str | None) -> None:
        self.update_source(url, etag=etag, last_modified=last_modified, failures=None, next_try=None, last_error=None)
        self.update_source(url, last_ok=time.time())

    def source_failed(
        self, url: str, reason: str, *, every_s: float, max_backoff_s: float, retry_after_s=None, now=None
    ) -> float:
        """Record a failure; returns the seconds until the source is tried again (doubling, capped).

        ``now`` is when the round started, so that "wait one round" means the next round.
        """
        with self._lock:
            failures = int(self.sources.get(url, {}).get("failures", 0)) + 1
            wait = min(every_s * 2 ** (failures - 1), max_backoff_s)
            if retry_after_s:
                wait = max(wait, min(retry_after_s, max_backoff_s))
            self.update_source(url, failures=failures, next_try=(now or time.time()) + wait, last_error=reason)
            return wait

    def due(self, url: str, now: float | None = None) -> bool:
        next_try = self.source(url).get("next_try")
        return next_try is None or (now or time.time()) >= next_try

    def retry_pages(self, url: str) -> list[str]:
        return list(self.source(url).get("retry", []))

    def set_retry_pages(self, url: str, pages: list[str]) -> None:
        self.update_source(url, retry=sorted(set(pages)) or None)

    # --- pages that failed for good ----------------------------------------------------------
    def page_failed_for_good(self, url: str, reason: str, stamp: str | None) -> None:
        with self._lock:
            self.failed_pages[url_key(url)] = {"reason": reason, "stamp": stamp, "at": time.time()}

    def skip_page(self, url: str, stamp: str | None) -> str | None:
        """The reason to skip a page that failed for good with this same listing stamp, else None."""
        with self._lock:
            known = self.failed_pages.get(url_key(url))
        if known and known.get("stamp") == stamp:
            return known.get("reason")
        return None

    def page_ok(self, url: str) -> None:
        with self._lock:
            self.failed_pages.pop(url_key(url), None)
