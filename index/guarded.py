"""Chroma collections whose failures are one clear line: a lost server, a full disk, a broken index."""

from __future__ import annotations

import functools
from pathlib import Path

from index.diskspace import NEARLY_FULL_MB, disk_full_error, free_mb
from newsdesk.errors import StoreError


def _lost_store(exc: BaseException) -> bool:
    """A transport failure (server gone, connection reset, timeout), not a bad request."""
    import httpx

    return isinstance(exc, httpx.TransportError | ConnectionError | TimeoutError)


class GuardedCollection:
    """A Chroma collection whose calls turn a lost server into a StoreError.

    The wrapped collection keeps its id and client, so the same object answers
    again once the server is back: no restart of the app is needed.
    """

    def __init__(self, collection, location: str, local_dir: Path | None, reserve_mb: float):
        self._collection = collection
        self._location = location
        self._local_dir = local_dir
        self._reserve_mb = reserve_mb

    def __getattr__(self, name: str):
        attr = getattr(self._collection, name)
        if not callable(attr):
            return attr

        @functools.wraps(attr)
        def call(*args, **kwargs):
            try:
                return attr(*args, **kwargs)
            except Exception as exc:
                if _lost_store(exc):
                    raise StoreError(
                        f"lost the connection to the index at {self._location} ({type(exc).__name__}); "
                        f"try again when it is back"
                    ) from None
                if self._local_dir is not None and "chromadb" in type(exc).__module__:
                    free = free_mb(self._local_dir)
                    # Chroma says "failed to apply logs", not "disk full"; a write can fail with a few MB left.
                    if free < max(NEARLY_FULL_MB, self._reserve_mb):
                        raise disk_full_error(self._local_dir, free) from None
                    first = (str(exc).splitlines() or [""])[0]
                    raise StoreError(
                        f"the index at {self._location} failed ({type(exc).__name__}: {first}); if this persists, "
                        f"rebuild it with `python -m index build --rebuild`"
                    ) from None
                raise

        return call
