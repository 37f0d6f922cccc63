"""One build at a time per index: an advisory lock that a second build meets at once."""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from index.folder import LOCK_FILE
from newsdesk.errors import StoreError
from newsdesk.settings import Settings


@contextmanager
def build_lock(settings: Settings):
    """One writer per index: a second build refuses at once with a clear message."""
    cfg = settings.index
    if cfg.chroma_host:
        key = hashlib.sha1(f"{cfg.chroma_host}:{cfg.chroma_port}/{cfg.collection}".encode()).hexdigest()[:16]
        path = Path(tempfile.gettempdir()) / f"newsdesk-build-{key}.lock"
    else:
        Path(cfg.store_dir).mkdir(parents=True, exist_ok=True)
        path = Path(cfg.store_dir) / LOCK_FILE  # stays put when --rebuild moves the rest aside
    handle = open(path, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise StoreError(
                f"another build is writing this index ({holder}); try again when it has finished"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()
