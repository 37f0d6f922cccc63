"""Turn Newsdesk errors into one clear line and an exit code, for every command line."""

from __future__ import annotations

import sys
from collections.abc import Callable

from newsdesk.errors import NewsdeskError
from newsdesk.safetext import terminal_text


def run_cli(body: Callable[[], int]) -> int:
    try:
        return body()
    except NewsdeskError as exc:
        print(terminal_text(f"error: {exc}"), file=sys.stderr)  # paths and values may hold escapes or URLs
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


_USAGE = """usage: newsdesk COMMAND [ARGS]

commands:
  index build|status|...   build and inspect the index        (same as python -m index ...)
  index add|watch SOURCE   add pages, feeds, sitemaps, files  (same as python -m index add|watch ...)
  ask QUESTION             answer one question                (same as python -m rag ask ...)
  chat                     a conversation in the terminal     (same as python -m rag chat ...)
  serve                    the HTTP API (OpenAI-compatible)  (same as python -m rag serve ...)
  eval run|compare|...     measure answers on an eval suite   (same as python -m eval ...)
  app                      the chat app in the browser        (streamlit run ui/app.py)

`newsdesk COMMAND --help` shows each command's options."""


def main(argv: list[str] | None = None) -> int:
    """The `newsdesk` console command: one entry point over the `python -m index|rag|eval` command lines."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(_USAGE)
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command == "index":
        from index.__main__ import main as index_main

        return index_main(rest)
    if command in ("ask", "chat", "serve"):
        from rag.__main__ import main as rag_main

        return rag_main([command, *rest])
    if command == "eval":
        from eval.__main__ import main as eval_main

        return eval_main(rest)
    if command == "app":
        return _run_app(rest)
    print(f"error: unknown command {command!r}\n{_USAGE}", file=sys.stderr)
    return 2


def _run_app(rest: list[str]) -> int:
    """Serve the Streamlit chat app on 127.0.0.1:8501 (options after `app` go to streamlit)."""
    from pathlib import Path

    from streamlit.web import cli as streamlit_cli

    app = Path(__file__).resolve().parent.parent / "ui" / "app.py"
    sys.argv = [
        "streamlit", "run", str(app), "--server.address", "127.0.0.1", "--server.port", "8501",
        "--server.headless", "true", "--browser.gatherUsageStats", "false", *rest,
    ]  # fmt: skip
    return int(streamlit_cli.main() or 0)
