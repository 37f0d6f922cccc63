"""Free space on a local index's disk: a build stops before a write would fill it (Chroma cannot even be read then)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from index.records import Article, Chunk
from newsdesk.errors import StoreError

# Chroma's on-disk cost of one chunk, measured: ~14 kB with 64-d vectors and ~600 bytes of text
# (SQLite rows, the write-ahead log, full-text index, HNSW). Estimate generously; compaction needs room too.
BYTES_PER_CHUNK_BASE = 12_000
BYTES_PER_VECTOR_FLOAT = 16
NEARLY_FULL_MB = 16


def free_mb(path: Path) -> float:
    try:
        return shutil.disk_usage(path).free / 1e6
    except OSError:
        return float("inf")


def disk_full_error(path: Path, free_mb: float, more: str = "") -> StoreError:
    return StoreError(
        f"not enough free space for the index at {path} ({free_mb:.0f} MB free{more}): "
        f"free some space, then run `python -m index build` again (it resumes where it stopped)"
    )


def check_room_for(
    store_dir: Path, batch: list[tuple[Article, str, list[Chunk], np.ndarray]], min_free_mb: int
) -> None:
    """Refuse a write that would leave less than ``min_free_mb`` on the index's disk.

    A write that hits a full disk leaves Chroma unreadable until space is freed;
    stopping before it keeps the index (and everything committed so far) usable.
    """
    chunks = [c for _, _, cs, _ in batch for c in cs]
    dim = int(np.asarray(batch[0][3]).shape[-1]) if batch and len(batch[0][3]) else 0
    need = sum(len(a.text.encode("utf-8")) for a, _, _, _ in batch) + sum(
        BYTES_PER_CHUNK_BASE + len(c.text.encode("utf-8")) + BYTES_PER_VECTOR_FLOAT * dim for c in chunks
    )
    free = free_mb(store_dir)
    if free - need / 1e6 < min_free_mb:
        raise disk_full_error(
            store_dir, free, f"; this batch needs ~{need / 1e6:.0f} MB and builds keep {min_free_mb} MB free"
        )
