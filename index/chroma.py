"""The Chroma client for the configured place: a local folder or a server, and the one cache Chroma keeps per folder."""

from __future__ import annotations

import os
from pathlib import Path

from newsdesk.errors import IndexMissing, StoreError
from newsdesk.settings import Settings

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def _chroma_settings():
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def describe_location(settings: Settings) -> str:
    cfg = settings.index
    if cfg.chroma_host:
        return f"Chroma server {cfg.chroma_host}:{cfg.chroma_port} (collection {cfg.collection})"
    return f"{cfg.store_dir}"


def open_client(settings: Settings, create: bool, fresh: bool = False):
    """A Chroma client for the configured place, or a StoreError saying what is wrong.

    ``fresh``: not the client this process cached for the folder, which may still read files a
    rebuild has since moved aside (the cached one keeps serving whoever holds it).
    """
    import chromadb

    cfg = settings.index
    if cfg.chroma_host:
        try:
            client = chromadb.HttpClient(host=cfg.chroma_host, port=cfg.chroma_port, settings=_chroma_settings())
            client.heartbeat()
            return client
        except Exception as exc:
            raise StoreError(
                f"cannot reach the Chroma server at {cfg.chroma_host}:{cfg.chroma_port} ({type(exc).__name__})"
            ) from None
    path = Path(cfg.store_dir)
    if not create and not (path / "chroma.sqlite3").exists():
        raise IndexMissing(f"no index at {path}: build it with `python -m index build`")
    if path.exists() and not path.is_dir():
        raise StoreError(f"index path {path} is a file, not a folder")
    if fresh:
        forget_client(str(path), stop=False)
    try:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
    except Exception as exc:
        forget_client(str(path))
        raise StoreError(
            f"the index at {path} is unreadable ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}); "
            f"rebuild it with `python -m index build --rebuild`"
        ) from None


def forget_client(path: str, stop: bool = True) -> None:
    """Chroma caches one system per path, even a half-built one; drop it so a retry starts clean.

    ``stop=False`` leaves it running for whoever still holds it (an open index reading moved-aside files).
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    system = SharedSystemClient._identifier_to_system.pop(path, None)
    SharedSystemClient._identifier_to_refcount.pop(path, None)
    if system is not None and stop:
        try:
            system.stop()
        except Exception:  # it was broken already
            pass
