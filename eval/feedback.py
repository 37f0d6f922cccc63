"""From chat to eval: answers judged in the app become cases of a feedback suite.

A judged answer becomes one case in ``STORE/feedback.jsonl``, in the same JSON Lines format as
``eval/suites/seed.jsonl`` (so ``eval run`` takes it): the question with its history, the expected
answer (typed by the person, or the short answer of a 👍 answer), the gold sources (the cited
articles of a 👍 answer, or none), ``answerable``, and the date asked (``as_of``, so time words read
the same in every later run). A 👎 with no correction says the answer was wrong without saying what
is right: it is written to ``STORE/feedback-review.jsonl`` marked ``"review": true``, never with a
guessed gold, and moves into the suite once someone types the right answer.

``python -m eval.feedback`` (``make eval-feedback``) runs the suite against the app's index and keeps
every run under ``eval/runs/feedback-<time>/`` so the Eval page can plot accuracy over time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path

from eval.suite import load_suite, parse_case
from newsdesk.errors import NewsdeskError, SuiteError

SUITE_NAME = "feedback.jsonl"
REVIEW_NAME = "feedback-review.jsonl"
CASE_TYPE = "feedback"
_UNREADABLE = "__unreadable_line__"
ROOT = Path(__file__).resolve().parents[1]
REFUSED_WORDS = ("the articles don't say", "the articles do not say", "not in the articles", "nothing")


def suite_path(store_dir: str | Path) -> Path:
    return Path(store_dir) / SUITE_NAME


def review_path(store_dir: str | Path) -> Path:
    return Path(store_dir) / REVIEW_NAME


def case_id(conversation_id: str, message_index: int) -> str:
    """One case per judged answer: judging it again replaces the case."""
    return f"fb-{conversation_id}-{message_index}"


def judged_case(
    *,
    case_id: str,
    question: str,
    history: list[dict],
    answer,
    thumbs_up: bool,
    correction: str | None = None,
    asked: dt.date | None = None,
) -> tuple[dict, bool]:
    """The case a judgement makes, and whether it goes to review (a 👎 with no correction) instead of the suite.

    ``answer`` is the ``rag.Answer`` that was judged. A typed correction wins over the answer's own words;
    "the articles don't say" typed as the correction makes the case unanswerable.
    """
    asked = asked or dt.date.today()
    correction = " ".join((correction or "").split())
    row: dict = {
        "id": case_id,
        "question": question,
        "history": [{"role": t["role"], "content": t["content"]} for t in history],
        "answer_match": "any",
        "type": CASE_TYPE,
        "as_of": asked.isoformat(),
        "judgement": "up" if thumbs_up else "down",
        "answered": answer.text,
    }
    cited = list(dict.fromkeys(c.doc_id for c in answer.citations)) if not answer.refused else []
    if correction:
        says_nothing = correction.lower().rstrip(".!") in REFUSED_WORDS
        row.update(answers=[] if says_nothing else [correction], answerable=not says_nothing)
        row["sources"] = cited if thumbs_up and not says_nothing else []
        return row, False
    if not thumbs_up:
        row.update(answers=[], sources=[], answerable=None, review=True)
        return row, True
    if answer.refused:
        row.update(answers=[], sources=[], answerable=False)
        return row, False
    expected = answer.short_answer or next((s.text for s in answer.shown_sentences), "")
    row.update(answers=[expected] if expected else [], sources=cited, answerable=True)
    if not expected:  # nothing to compare a later answer with: a person must say what is right
        row.update(answerable=None, review=True)
        return row, True
    return row, False


def record(store_dir: str | Path, row: dict, to_review: bool) -> Path:
    """Write the case (replacing one with the same id in either file); returns the file it went to."""
    target = review_path(store_dir) if to_review else suite_path(store_dir)
    other = suite_path(store_dir) if to_review else review_path(store_dir)
    if not to_review:
        parse_case(row, f"{target} (new case {row['id']})", 0)  # never write a line `eval run` would refuse
    _remove(other, row["id"])
    rows = [r for r in _read(target) if r.get("id") != row["id"]] + [row]
    _write(target, rows)
    return target


def review_cases(store_dir: str | Path) -> list[dict]:
    """The cases marked for review (a 👎 with no correction), oldest first."""
    return [r for r in _read(review_path(store_dir)) if _UNREADABLE not in r]


def resolve_review(store_dir: str | Path, case: str, correction: str) -> Path:
    """A reviewer typed the right answer of a case marked for review: it moves into the suite."""
    row = next((r for r in review_cases(store_dir) if r.get("id") == case), None)
    if row is None:
        raise SuiteError(f"no case {case!r} awaits review")
    correction = " ".join(correction.split())
    if not correction:
        raise SuiteError("type the right answer (or: the articles don't say)")
    says_nothing = correction.lower().rstrip(".!") in REFUSED_WORDS
    row = {k: v for k, v in row.items() if k != "review"}
    row.update(answers=[] if says_nothing else [correction], answerable=not says_nothing, sources=[])
    return record(store_dir, row, to_review=False)


def _read(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                row = json.loads(line)
            except ValueError:
                row = None
            rows.append(row if isinstance(row, dict) else {_UNREADABLE: line})  # kept as it is, never dropped
    return rows


def _remove(path: Path, case: str) -> None:
    rows = _read(path)
    if any(r.get("id") == case for r in rows):
        _write(path, [r for r in rows if r.get("id") != case])


def _write(path: Path, rows: list[dict]) -> None:
    """Atomically: a crash mid-write leaves the old file, never half a suite."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write((row[_UNREADABLE] if _UNREADABLE in row else json.dumps(row, ensure_ascii=False)) + "\n")
    os.replace(tmp, path)


def runs_root() -> Path:
    return Path(os.environ.get("NEWSDESK_EVAL_RUNS_DIR") or ROOT / "eval" / "runs")


def run_feedback(settings=None, news_index=None, out_root: str | Path | None = None):
    """Run the feedback suite against the index ``settings`` point at; the report goes to a new dated folder.

    Returns (report, folder). With ``news_index`` (the app's open index) nothing is rebuilt.
    """
    from eval.report import write_report
    from eval.runner import run_suite
    from newsdesk.settings import load_settings

    settings = settings or load_settings()
    path = suite_path(settings.index.store_dir)
    if not path.is_file():
        raise SuiteError(f"{path}: no judged answers yet: judge answers with 👍/👎 in the app's chat first")
    suite = load_suite(path)
    report = run_suite(suite, settings, config_name="feedback", news_index=news_index, show_progress=False)
    stamp = dt.datetime.now().strftime("%Y-%m-%dT%H-%M-%S")
    out = Path(out_root or runs_root()) / f"feedback-{stamp}"
    write_report(report, out)
    return report, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.feedback", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out-root", help="where the dated run folder goes (default eval/runs)")
    args = parser.parse_args(argv)
    try:
        report, out = run_feedback(out_root=args.out_root)
    except NewsdeskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    metrics = report.metrics
    print(f"feedback suite: {len(report.rows)} cases, accuracy {metrics.get('answer.accuracy')}; report: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
