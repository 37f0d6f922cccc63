"""The `add` and `watch` commands' console side: one line per article or failure, a summary, exit codes.

Exit code 0: everything was added; 1: some sources or pages failed, or the index could not be
updated (what was saved stays saved); 2: unusable input (from run_cli).
"""

from __future__ import annotations

import sys
import threading

from newsdesk.errors import NewsdeskError
from newsdesk.safetext import terminal_text
from newsdesk.settings import Settings


def _print_line(line: str) -> None:
    stream = sys.stderr if line.startswith(("failed:", "warning:")) else sys.stdout
    print(terminal_text(line), file=stream, flush=True)  # page titles and URLs may carry escape sequences


def run_add(sources: list[str], settings: Settings, *, build: bool = True) -> int:
    from tqdm import tqdm

    from index.add import add_sources

    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="chunk", desc="embedding", file=sys.stderr, disable=None)
        bar.update(done - bar.n)

    stop = threading.Event()
    try:
        report = add_sources(sources, settings, build=build, on_line=_print_line, stop=stop, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    print(f"added: {report.summary()}", flush=True)
    if report.build is not None:
        for warning in report.build.warnings:
            _print_line(f"warning: {warning}")
        print(f"built: {report.build.summary()}", flush=True)
    if report.build_error:
        print(
            terminal_text(
                f"error: index not updated: {report.build_error} "
                "(the articles are saved in the corpus folder; run `python -m index build` later)"
            ),
            file=sys.stderr,
        )
    return 1 if report.failed or report.build_error else 0


def run_watch(sources: list[str], settings: Settings, *, every: str, rounds: int | None) -> int:
    from index.web.watch import human_duration, parse_duration, stop_on_signals, watch

    try:
        every_s = parse_duration(every)
    except ValueError as exc:
        raise NewsdeskError(f"--every: {exc}") from None
    if rounds is not None and rounds < 1:
        raise NewsdeskError("--rounds must be 1 or more")
    stop = threading.Event()

    def say(line: str) -> None:
        print(terminal_text(line), flush=True)

    say(f"watching {len(sources)} source(s) every {human_duration(every_s)} (Ctrl+C or SIGTERM stops cleanly)")
    with stop_on_signals(stop, say):
        watch(sources, every_s=every_s, rounds=rounds, settings=settings, stop=stop, log=say)
    return 0
