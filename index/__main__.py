"""`python -m index build|status|add|watch` — the command line for the index."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from index.embedders import EMBEDDERS
from newsdesk.cli import run_cli
from newsdesk.safetext import terminal_text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m index", description="Build and inspect the Newsdesk index.")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build or update the index from the corpus folder")
    b.add_argument("--corpus", help="corpus folder (default: data/corpus)")
    b.add_argument("--store", help="index folder (default: .newsdesk)")
    b.add_argument("--embedder", choices=list(EMBEDDERS), help="embedding backend")
    b.add_argument("--rebuild", action="store_true", help="set the old index aside and build from scratch")
    b.add_argument("--if-stale", action="store_true", help="do nothing when the index is already up to date")
    s = sub.add_parser("status", help="what the index holds and whether it is stale")
    s.add_argument("--corpus")
    s.add_argument("--store")
    s.add_argument("--json", action="store_true")
    a = sub.add_parser(
        "add",
        help="add files, folders, article URLs, RSS/Atom feeds or sitemaps to the corpus, then update the index",
    )
    a.add_argument("sources", nargs="+", metavar="SOURCE", help=".txt/.md/.jsonl/.html file, folder, or http(s) URL")
    a.add_argument("--corpus", help="corpus folder (default: data/corpus)")
    a.add_argument("--store", help="index folder (default: .newsdesk)")
    a.add_argument("--embedder", choices=list(EMBEDDERS), help="embedding backend")
    a.add_argument("--no-build", action="store_true", help="only save the articles; `index build` indexes them later")
    w = sub.add_parser("watch", help="poll feeds and sitemaps and add what is new, until stopped (Ctrl+C / SIGTERM)")
    w.add_argument("sources", nargs="+", metavar="SOURCE", help="feed, sitemap or page URL (files and folders too)")
    w.add_argument("--every", default="15m", help="time between rounds: 30s, 15m, 1h (default 15m)")
    w.add_argument("--rounds", type=int, help="stop after this many rounds (default: run until stopped)")
    w.add_argument("--corpus", help="corpus folder (default: data/corpus)")
    w.add_argument("--store", help="index folder (default: .newsdesk)")
    w.add_argument("--embedder", choices=list(EMBEDDERS), help="embedding backend")
    return parser


def _settings(args):
    from newsdesk.settings import load_settings

    index = {}
    if getattr(args, "corpus", None):
        index["corpus_dir"] = args.corpus
    if getattr(args, "store", None):
        index["store_dir"] = args.store
    if getattr(args, "embedder", None):
        index["embedder"] = args.embedder
    return load_settings(index=index) if index else load_settings()


def _build(args) -> int:
    from tqdm import tqdm

    import index
    from newsdesk.errors import IndexMissing, StoreError

    settings = _settings(args)
    if args.if_stale and not args.rebuild:
        try:
            state = index.status(settings)
            if state.get("stale") is False:
                print(
                    f"index is up to date: {state['articles']} articles, {state['chunks']} chunks ({state['embedder']})"
                )
                return 0
        except IndexMissing:
            pass
        except StoreError:
            raise
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="chunk", desc="embedding", file=sys.stderr, disable=None)
        bar.update(done - bar.n)

    report = index.build(settings=settings, rebuild=args.rebuild, progress=progress)
    if bar is not None:
        bar.close()
    for warning in report.warnings:
        print(terminal_text(f"warning: {warning}"), file=sys.stderr)
    print(f"built: {report.summary()}")
    return 0


def _status(args) -> int:
    import index

    state = index.status(_settings(args))
    if args.json:
        print(json.dumps(state, indent=2))
    else:
        stale = {True: "stale (run `python -m index build`)", False: "up to date", None: "unknown"}[state.get("stale")]
        print(
            terminal_text(
                f"{state['location']}: {state['articles']} articles, {state['chunks']} chunks, "
                f"embedder {state['embedder']}, last build {state['last_build']}, {stale}"
            )
        )
    return 0


def _add(args) -> int:
    from index.web.cli import run_add

    return run_add(args.sources, _settings(args), build=not args.no_build)


def _watch(args) -> int:
    from index.web.cli import run_watch

    return run_watch(args.sources, _settings(args), every=args.every, rounds=args.rounds)


def main(argv=None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    args = _parser().parse_args(argv)
    commands = {"build": _build, "status": _status, "add": _add, "watch": _watch}
    return run_cli(lambda: commands[args.command](args))


if __name__ == "__main__":
    sys.exit(main())
