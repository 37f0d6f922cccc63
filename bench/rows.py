"""One result row of a benchmark script: printed as a JSON line and, with ``--out``, appended to a file."""

from __future__ import annotations

import json
from pathlib import Path


def emit_row(row: dict, out: str | Path | None) -> None:
    """Print ``row`` as one JSON line; append the same line to ``out`` when given (runs accumulate)."""
    line = json.dumps(row)
    print(line, flush=True)
    if out:
        with open(out, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
