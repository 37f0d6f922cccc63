"""What a local index folder holds, and setting one aside for ``--rebuild`` without deleting anything."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from newsdesk.errors import StoreError

LOCK_FILE = "build.lock"
# Chroma's database (and SQLite's journal files beside it), one folder per HNSW segment named by its uuid,
# and the files Newsdesk keeps beside them. Anything else means the folder is not (only) an index.
_INDEX_ENTRY = re.compile(
    r"^(chroma\.sqlite3(-wal|-shm|-journal)?|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|"
    + re.escape(LOCK_FILE)
    + r"|generation|tables)$"
)


def foreign_entries(store_dir: Path) -> list[str]:
    """Names in the folder that an index does not hold (none for an index, an empty or a missing folder)."""
    try:
        names = sorted(os.listdir(store_dir))
    except FileNotFoundError:
        return []
    except NotADirectoryError:
        return [store_dir.name]
    return [n for n in names if not _INDEX_ENTRY.match(n)]


def check_can_set_aside(store_dir: Path) -> None:
    """Refuse to move a folder that is not an index: ``--store . --rebuild`` must never move the user's files."""
    foreign = foreign_entries(store_dir)
    if foreign:
        shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise StoreError(
            f"{store_dir} is not a Newsdesk index (it holds {shown}): refusing to move it aside; "
            f"choose the index folder with --store"
        )


def set_aside(store_dir: Path) -> Path | None:
    """Move the index's files into a sibling ``NAME.old-YYYYmmdd-HHMMSS`` folder; None when there was nothing.

    The lock file stays where it is, so the build holding it keeps the index to itself
    while the old files move and the new index is written.
    """
    check_can_set_aside(store_dir)
    store_dir = store_dir.resolve()
    entries = [e for e in sorted(os.listdir(store_dir)) if e != LOCK_FILE] if store_dir.is_dir() else []
    if not entries:
        return None
    from index.store import _forget_client

    _forget_client(str(store_dir), stop=False)  # a new client must not reuse the one reading the moved files
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = store_dir.with_name(f"{store_dir.name}.old-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = store_dir.with_name(f"{store_dir.name}.old-{stamp}-{n}")
    target.mkdir()
    for name in entries:
        os.rename(store_dir / name, target / name)  # same file system: each move is atomic, nothing is copied
    return target
