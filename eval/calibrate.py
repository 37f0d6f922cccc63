"""Calibrate the offline refusal threshold on a suite's dev split.

    python -m eval.calibrate --suite eval/suites/seed.jsonl --split dev

For every case it computes the best evidence score the offline answerer would
see, then sweeps thresholds and reports, for each, answer accuracy on
answerable cases (answered and containing a gold alias), refusal recall on
unanswerable ones, and overall accuracy (the share of all cases handled right:
answered correctly, or refused when unanswerable). The chosen threshold is the
one with the best overall accuracy, so the suite's own mix of answerable and
unanswerable questions sets the trade-off; when a range of thresholds ties, the
middle of the widest such range (the value least sensitive to small shifts). Never run it on the test split to pick a value.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from eval.suite import Case, load_suite
from newsdesk.cli import run_cli
from newsdesk.settings import load_settings


def best_scores(cases: list[Case], news_index, settings) -> list[tuple[Case, float, bool]]:
    """(case, best evidence score, whether the answer at any threshold would contain a gold alias)."""
    import rag

    rows = []
    low = settings.with_overrides(answer={"refusal_threshold": 0.0})
    for case in cases:
        answer = rag.answer(case.question, history=list(case.history) or None, news_index=news_index, settings=low)
        from rag.evidence import profile_question, score_evidence

        standalone = answer.standalone_question or answer.question
        carried = standalone[len(answer.question) :] if standalone.startswith(answer.question) else ""
        keywords = news_index.keyword_index
        profile = profile_question(
            answer.question if carried else standalone, keywords.idf, keywords.has_word, context=carried
        )
        ranked = score_evidence(profile, answer.trace)
        best = ranked[0].score if ranked else 0.0
        text = answer.text.lower()
        aliases = [a.lower() for a in case.answers]
        if case.answer_match == "all":
            correct = bool(aliases) and all(a in text for a in aliases)
        else:
            correct = any(a in text for a in aliases)
        rows.append((case, best, correct))
    return rows


def sweep(rows: list[tuple[Case, float, bool]]) -> list[dict]:
    answerable = [r for r in rows if r[0].answerable]
    unanswerable = [r for r in rows if not r[0].answerable]
    table = []
    for step in range(20, 81):
        t = step / 100
        acc = sum(1 for _, s, ok in answerable if s >= t and ok) / max(1, len(answerable))
        refusal = sum(1 for _, s, _ in unanswerable if s < t) / max(1, len(unanswerable))
        overall = (acc * len(answerable) + refusal * len(unanswerable)) / max(1, len(rows))
        table.append({"threshold": t, "accuracy": acc, "refusal_recall": refusal, "overall": overall})
    return table


def pick_threshold(table: list[dict]) -> dict:
    """The middle of the widest run of thresholds with the best overall accuracy."""
    top = max(round(r["overall"], 6) for r in table)
    runs, current = [], []
    for row in table:
        if round(row["overall"], 6) == top:
            current.append(row)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    widest = max(runs, key=len)
    return widest[(len(widest) - 1) // 2]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.calibrate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", default="eval/suites/seed.jsonl")
    parser.add_argument("--split", default="dev", choices=["dev", "test", "all"])
    parser.add_argument("--store", help="index folder (default from settings)")
    args = parser.parse_args(argv)

    def body() -> int:
        import rag

        settings = load_settings(index={"store_dir": args.store}) if args.store else load_settings()
        if args.split == "test":
            print("warning: calibrating on the test split makes its numbers meaningless", file=sys.stderr)
        news = rag.open_index(settings)
        suite = load_suite(Path(args.suite), None if args.split == "all" else args.split)
        rows = best_scores(list(suite.cases), news, settings)
        table = sweep(rows)
        best = pick_threshold(table)
        for r in table[::5]:
            print(
                f"{r['threshold']:.2f}  accuracy {r['accuracy']:.3f}  refusal recall {r['refusal_recall']:.3f}  "
                f"overall {r['overall']:.3f}"
            )
        print(
            f"best threshold {best['threshold']:.2f}: overall {best['overall']:.3f}, accuracy {best['accuracy']:.3f}, "
            f"refusal recall {best['refusal_recall']:.3f} on {len(rows)} {args.split} cases "
            f"(embedder {news.embedder.name})"
        )
        return 0

    return run_cli(body)


if __name__ == "__main__":
    sys.exit(main())
