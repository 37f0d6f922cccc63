"""Turn Newsdesk errors into one clear line and an exit code, for every command line."""

from __future__ import annotations

import sys
from collections.abc import Callable

from newsdesk.errors import NewsdeskError


def run_cli(body: Callable[[], int]) -> int:
    try:
        return body()
    except NewsdeskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
