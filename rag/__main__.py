"""`python -m rag ask "question"`, `python -m rag chat` and `python -m rag serve` — Newsdesk on the command line and over HTTP."""

from __future__ import annotations

import argparse
import sys

from newsdesk.cli import run_cli
from newsdesk.safetext import terminal_json, terminal_text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m rag", description="Ask the news corpus a question.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, helptext in (("ask", "answer one question"), ("chat", "a conversation in the terminal")):
        p = sub.add_parser(name, help=helptext)
        if name == "ask":
            p.add_argument("question")
            p.add_argument("--json", action="store_true", help="print the whole Answer as JSON")
        p.add_argument("--k", type=int, help="passages to retrieve (top-k, 1 or more)")
        p.add_argument("--since", help="only articles dated on or after YYYY-MM-DD (YYYY or YYYY-MM: its first day)")
        p.add_argument("--until", help="only articles dated on or before YYYY-MM-DD (YYYY or YYYY-MM: its last day)")
        p.add_argument("--source", action="append", help="only articles from this outlet (repeatable)")
        p.add_argument("--backend", choices=["offline", "openai"], help="answer backend")
        p.add_argument("--store", help="index folder (default: .newsdesk)")
    serve = sub.add_parser("serve", help="the HTTP API: OpenAI-compatible chat and native JSON")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1; others need API keys)")
    serve.add_argument("--port", type=int, help="TCP port (default 8700; 0 picks a free one)")
    serve.add_argument("--store", help="index folder (default: .newsdesk)")
    return parser


def _settings(args):
    from newsdesk.errors import SettingsError
    from newsdesk.settings import load_settings

    sections: dict = {}
    if args.k is not None:  # `if args.k` let --k 0 through as "not given"
        if args.k < 1:
            raise SettingsError(f"--k {args.k}: the number of passages must be 1 or more")
        sections.setdefault("retrieval", {})["top_k"] = args.k
    if args.backend:
        sections.setdefault("answer", {})["backend"] = args.backend
    if args.store:
        sections.setdefault("index", {})["store_dir"] = args.store
    return load_settings(**sections)


def _filters(args):
    """Date and outlet filters; a partial date is the start of its period for --since, its end for --until."""
    from index.load import normalize_date_bound
    from newsdesk.errors import QuestionError
    from rag.retrieve import Filters

    dates = {}
    for key in ("since", "until"):
        value = getattr(args, key)
        if value is not None:
            iso = normalize_date_bound(value, end=key == "until")
            if iso is None:
                raise QuestionError(f"--{key} {value!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
            dates[key] = iso
    if "since" in dates and "until" in dates and dates["since"] > dates["until"]:
        raise QuestionError(f"--since {dates['since']} is after --until {dates['until']}: no article can match")
    return Filters(sources=tuple(args.source or ()), **dates)


def render_answer(answer) -> str:
    """The answer as plain text for a terminal: the short answer, the sentences, the sources."""
    lines = []
    if answer.notice:
        lines.append(f"note: {answer.notice}")
    if answer.refused:
        lines.append(answer.text)
        if answer.related:
            lines.append("\nRelated passages:")
            lines += [f"  - {c.title or c.doc_id} ({c.date or 'undated'}): {c.quote}" for c in answer.related]
        return "\n".join(lines)
    if answer.short_answer:
        lines.append(f"Answer: {answer.short_answer}")
    lines.append(answer.text)
    for conflict in answer.conflicts:
        sides = "; ".join(f"{value} {''.join(f'[{n}]' for n in ns)}" for value, ns in conflict.sides)
        lines.append(f"Sources disagree on {conflict.topic}: {sides}")
    lines.append("\nSources:")
    for c in answer.citations:
        extra = f" (also in: {', '.join(c.also_in)})" if c.also_in else ""
        meta = ", ".join(x for x in (c.source, c.date) if x) or "undated"
        lines.append(f"  [{c.n}] {c.title or c.doc_id} — {meta}{extra}\n      \u201c{c.quote}\u201d")
    return "\n".join(lines)


def _ask(args) -> int:
    import rag

    settings = _settings(args)
    news = rag.open_index(settings)
    answer = rag.answer(args.question, settings=news.settings, news_index=news, filters=_filters(args))
    if args.json:
        print(terminal_json(answer.to_dict(), indent=2, default=str))
    else:
        print(terminal_text(render_answer(answer)))  # article text may carry escape sequences
    return 0


def _chat(args) -> int:
    import rag
    from newsdesk.errors import QuestionError

    settings = _settings(args)
    news = rag.open_index(settings)
    filters = _filters(args)
    history: list[dict] = []
    print("Ask about the articles. An empty line or Ctrl+D ends the chat.")
    began_with, announced = set(news.articles), 0  # to say when `index add`/`watch` brought new articles meanwhile
    while True:
        try:
            question = input("\nyou> ").strip()
        except EOFError:
            print()
            return 0
        if not question:
            return 0
        fresh = news.refreshed()  # a build since the last question: answer from the index as it is now
        if fresh is not news and (arrived := len(set(fresh.articles) - began_with)) > announced:
            print(
                f"note: {arrived} new article{'s' if arrived != 1 else ''} in the index since this conversation began"
            )
            announced = arrived
        news = fresh
        try:
            answer = rag.answer(question, history=history, settings=news.settings, news_index=news, filters=filters)
        except QuestionError as exc:
            print(terminal_text(f"error: {exc}"))
            continue
        print(terminal_text(render_answer(answer)))
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.text}]


def _serve(args) -> int:
    from newsdesk.settings import load_settings
    from rag.serve import run_server

    serve = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    index = {"store_dir": args.store} if args.store else {}
    return run_server(load_settings(serve=serve, index=index))


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    commands = {"ask": _ask, "chat": _chat, "serve": _serve}
    return run_cli(lambda: commands[args.command](args))


if __name__ == "__main__":
    sys.exit(main())
