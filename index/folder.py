"""What a local index folder holds: recognising one, its generation file, and setting it aside for ``--rebuild``."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from index.web.state import STATE_FILE as WEB_STATE_FILE  # what `index add`/`watch` fetched: the corpus's history
from newsdesk.errors import StoreError

LOCK_FILE = "build.lock"
GENERATION_FILE = "generation"
# Set aside by --rebuild: Chroma's database (and SQLite's journal files beside it), one folder per HNSW
# segment named by its uuid, Newsdesk's tables and generation file (and its half-written temporary files).
_INDEX_ENTRY = re.compile(
    r"^(chroma\.sqlite3(-wal|-shm|-journal)?|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|"
    + re.escape(GENERATION_FILE)
    + r"|\."
    + re.escape(GENERATION_FILE)
    + r"\.\d+\.tmp|tables)$"
)
# Kept in place: the lock (the rebuild holds it) and the web state (it describes the corpus, not the index).
_STAYS = re.compile(
    r"^(" + re.escape(LOCK_FILE) + "|" + re.escape(WEB_STATE_FILE) + r"|\." + re.escape(WEB_STATE_FILE) + r"\..*\.tmp)$"
)


def foreign_entries(store_dir: Path) -> list[str]:
    """Names in the folder that an index does not hold (none for an index, an empty or a missing folder)."""
    try:
        names = sorted(os.listdir(store_dir))
    except FileNotFoundError:
        return []
    except NotADirectoryError:
        return [store_dir.name]
    return [n for n in names if not (_INDEX_ENTRY.match(n) or _STAYS.match(n))]


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
    while the old files move and the new index is written; so does the web state, which
    belongs to the corpus.
    """
    check_can_set_aside(store_dir)
    store_dir = store_dir.resolve()
    entries = [e for e in sorted(os.listdir(store_dir)) if not _STAYS.match(e)] if store_dir.is_dir() else []
    if not entries:
        return None
    from index.chroma import forget_client

    forget_client(str(store_dir), stop=False)  # a new client must not reuse the one reading the moved files
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


def read_generation_file(store_dir: Path) -> int | None:
    """The generation a local index folder records; None when the file is missing (mid-rebuild) or unreadable."""
    try:
        return int((Path(store_dir) / GENERATION_FILE).read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def write_generation_file(store_dir: Path, generation: int) -> None:
    """Written whole or not at all (rename), so a reader never sees half a number."""
    path = Path(store_dir) / GENERATION_FILE
    tmp = path.with_name(f".{GENERATION_FILE}.{os.getpid()}.tmp")
    tmp.write_text(f"{generation}\n", encoding="ascii")
    os.replace(tmp, path)
