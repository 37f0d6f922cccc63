"""Web articles as the corpus keeps them: one JSON-lines record per article under ``CORPUS/web/``.

The loader reads these like any ``.jsonl`` article (``id``, ``title``, ``date``, ``source``,
``url``, ``byline``, ``text``), so a web article is built, cited and reopened offline like
a file article. The other fields (the URLs it was reached by, HTTP validators, when it
arrived) serve recognition and polling only and never change the article's hash.
Every write is atomic (temporary file, fsync, rename): a kill leaves the old record or the new.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from pathlib import Path

from index.web.urls import url_key

log = logging.getLogger(__name__)

WEB_FOLDER = "web"
# The fields the loader turns into the Article: a change in any of them is an update (re-embedded).
ARTICLE_FIELDS = ("id", "title", "date", "source", "url", "byline", "text")


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves either the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # dot: loaders skip it
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:  # some filesystems cannot fsync a folder; the rename is still atomic
        pass


class SavedArticles:
    """The web articles of one corpus folder, found by any URL they were reached by. Thread-safe."""

    def __init__(self, corpus_dir: str | Path):
        self.root = Path(corpus_dir) / WEB_FOLDER
        self._lock = threading.Lock()
        self._records: dict[str, dict] = {}  # doc id -> record
        self._paths: dict[str, Path] = {}
        self._by_key: dict[str, str] = {}  # url key -> doc id
        self.warnings: list[str] = []
        self._scan()

    def _scan(self) -> None:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*.jsonl")):
            if any(part.startswith(".") for part in path.relative_to(self.root).parts):
                continue
            try:
                first = path.read_text(encoding="utf-8").split("\n", 1)[0]
                record = json.loads(first)
                if not isinstance(record, dict) or "id" not in record:
                    raise KeyError("id")
            except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
                self.warnings.append(f"{path}: not a readable web article record ({type(exc).__name__})")
                continue
            self._remember(record, path)

    def _remember(self, record: dict, path: Path) -> None:
        doc_id = str(record["id"])
        self._records[doc_id] = record
        self._paths[doc_id] = path
        for key in record.get("aliases", []):
            self._by_key.setdefault(key, doc_id)
        if record.get("url"):
            self._by_key.setdefault(url_key(record["url"]), doc_id)

    def __len__(self) -> int:
        return len(self._records)

    def get(self, doc_id: str) -> dict | None:
        with self._lock:
            record = self._records.get(doc_id)
            return dict(record) if record else None

    def find(self, urls) -> dict | None:
        """The record of the article any of ``urls`` leads to, or None."""
        with self._lock:
            for url in urls:
                if url:
                    doc_id = self._by_key.get(url_key(url))
                    if doc_id is not None:
                        return dict(self._records[doc_id])
        return None

    def find_own(self, url: str) -> dict | None:
        """The record whose own URL is ``url`` (not one it was merely reached through), or None."""
        key = url_key(url)
        with self._lock:
            doc_id = self._by_key.get(key)
            record = self._records.get(doc_id) if doc_id is not None else None
            if record is not None and record.get("url") and url_key(record["url"]) == key:
                return dict(record)
        return None

    def path_for(self, record: dict) -> Path:
        host = url_key(record["url"]).split("/", 1)[0] if record.get("url") else "local"
        safe_host = "".join(ch if ch.isalnum() or ch in ".-" else "-" for ch in host.lower()) or "local"
        return self.root / safe_host / f"{record['id']}.jsonl"

    def save(self, record: dict) -> str:
        """Write ``record``; 'new', 'updated' (an article field changed) or 'unchanged'."""
        doc_id = str(record["id"])
        with self._lock:
            old = self._records.get(doc_id)
            if old is not None:
                record = {**record, "aliases": sorted(set(old.get("aliases", [])) | set(record.get("aliases", [])))}
                record["added_at"] = old.get("added_at", record.get("added_at"))
            changed = old is None or any(old.get(f) != record.get(f) for f in ARTICLE_FIELDS)
            if old is not None and not changed:
                record["updated_at"] = old.get("updated_at", record.get("updated_at"))
            if old == record:
                return "unchanged"
            path = self._paths.get(doc_id) or self.path_for(record)
            line = json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n"
            write_atomic(path, line.encode("utf-8"))
            self._remember(record, path)
            if old is None:
                return "new"
            return "updated" if changed else "unchanged"
