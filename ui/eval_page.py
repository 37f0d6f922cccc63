"""The Eval page: accuracy of each suite over past runs, the cases that flipped, the newest report's metrics and
plots (eval/runs/*/report.json), and the feedback suite made from answers judged in the chat."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import streamlit as st

from ui import render

ROOT = Path(__file__).resolve().parents[1]
PLOTS = (
    ("accuracy_by_type.png", "Accuracy by question type"),
    ("hit_at_k.png", "Retrieval hit@k"),
    ("latency.png", "Latency"),
)
MAX_PLOT_BYTES = 20_000_000


def runs_dir() -> Path:
    """eval/runs under the repository, unless NEWSDESK_EVAL_RUNS_DIR says otherwise."""
    return Path(os.environ.get("NEWSDESK_EVAL_RUNS_DIR") or ROOT / "eval" / "runs")


NO_REPORT = (
    "No eval run yet. Judge answers with 👍/👎 in the chat and run the feedback suite below, or measure the seed "
    "suite from the repository folder with `make eval` (the same as "
    "`python -m eval run --suite eval/suites/seed.jsonl --split test --out eval/runs/seed-test`)."
)


def show_eval(choices=None, news_index=None) -> None:
    st.title("Evaluation", anchor=False)
    if choices is not None:
        _feedback_suite(choices, news_index)
    runs = render.eval_runs(runs_dir())
    _history(runs)
    path = render.latest_eval_report(runs_dir())
    if path is None:
        st.info(NO_REPORT, icon=":material/monitoring:")
        return
    st.subheader("Newest run", anchor=False)
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        st.error(render.escape_markdown(f"The report {path} is unreadable ({type(exc).__name__})."))
        return
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(path.stat().st_mtime))
    st.caption(render.escape_markdown(f"Run {path.parent.name}, written {when}"))
    metrics = report.get("metrics") if isinstance(report, dict) else None
    if isinstance(metrics, dict) and metrics:
        rows = render.metric_rows(metrics)
        # Tall enough for every row (35 px each plus the header): a metrics table should not scroll.
        st.dataframe(rows, hide_index=True, width="content", height=min(36 * (len(rows) + 1) + 2, 2000))
    else:
        st.warning("This report has no metrics.")
    for name, caption in PLOTS:
        plot = path.parent / name
        if plot.is_file():
            image, problem = readable_image(plot)
            if image is not None:
                st.image(image, caption=caption)
            else:
                st.warning(render.escape_markdown(f"The plot {name} is unreadable ({problem})."))


def _history(runs) -> None:
    """Accuracy of each suite across its runs (a line chart), and what flipped since each suite's previous run."""
    points = render.accuracy_history(runs)
    if len({p["run started"] for p in points}) >= 2:
        st.subheader("Accuracy over time", anchor=False)
        st.line_chart(points, x="run started", y="accuracy", color="suite", y_label="accuracy (answered right)")
    for suite, flips in render.flipped_cases(runs).items():
        if not flips:
            st.caption(render.escape_markdown(f"{suite}: no case changed since the previous run."))
            continue
        with st.expander(f"{suite}: {len(flips)} case{'s' if len(flips) != 1 else ''} changed since the previous run"):
            lines = [
                f"- {'✅ now right' if now else '❌ now wrong'}: {render.escape_markdown(case)} "
                f"— {render.escape_markdown(question)}"
                for case, question, now in flips
            ]
            st.markdown("\n".join(lines))


def _feedback_suite(choices, news_index) -> None:
    """The suite made from judged answers: how many cases, the ones awaiting review, and a button to run it."""
    from eval import feedback

    store = choices.settings.index.store_dir
    path = feedback.suite_path(store)
    cases = sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip()) if path.is_file() else 0
    review = feedback.review_cases(store)
    st.subheader("Feedback suite", anchor=False)
    st.caption(
        render.escape_markdown(
            f"{cases:,} case{'s' if cases != 1 else ''} from answers judged in the chat ({path}); "
            f"{len(review):,} awaiting review. `make eval-feedback` runs it from the command line."
        )
    )
    if (
        cases
        and news_index is not None
        and st.button("Run the feedback suite", key="run_feedback", icon=":material/play_arrow:")
    ):
        with st.spinner("Answering every judged question again…"):
            try:
                report, out = feedback.run_feedback(choices.settings, news_index=news_index, out_root=runs_dir())
            except Exception as exc:  # noqa: BLE001 (a bad suite line or index: one line, the page stays)
                st.error(render.escape_markdown(f"The feedback suite did not run: {exc}"), icon=":material/error:")
            else:
                accuracy = report.metrics.get("answer.accuracy")
                shown = "—" if accuracy is None else f"{accuracy:.0%}"
                st.success(render.escape_markdown(f"Done: {report.n_scored} cases, {shown} answered right."))
    for row in review:
        with st.expander(render.escape_markdown(f"To review: {row.get('question', '')}")):
            st.caption(render.escape_markdown(f"Judged wrong: {row.get('answered', '')}"))
            key = f"review-{row.get('id')}"
            st.text_input("The right answer is …", key=key, placeholder="or: the articles don't say")
            if st.button("Make it a test case", key=f"{key}-save"):
                try:
                    feedback.resolve_review(store, str(row.get("id")), st.session_state.get(key, ""))
                except Exception as exc:  # noqa: BLE001
                    st.error(render.escape_markdown(str(exc)))
                else:
                    st.rerun()


def readable_image(path: Path, max_bytes: int = MAX_PLOT_BYTES) -> tuple[bytes | None, str | None]:
    """The image file's bytes when they decode as an image, else None and why (a corrupt PNG in a run
    folder used to take the whole page down)."""
    from PIL import Image

    try:
        if path.stat().st_size > max_bytes:
            return None, f"over {max_bytes // 1_000_000} MB"
        data = path.read_bytes()
        with Image.open(io.BytesIO(data)) as image:
            image.verify()  # checks the whole file (PNG chunk checksums), not only its header
        return data, None
    except Exception as exc:  # noqa: BLE001 (PIL raises many kinds for a broken file; all mean "not an image")
        return None, type(exc).__name__
