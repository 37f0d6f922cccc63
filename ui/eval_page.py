"""The Eval page: the newest eval report's metrics and plots, read from eval/runs/*/report.json."""

from __future__ import annotations

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


def runs_dir() -> Path:
    """eval/runs under the repository, unless NEWSDESK_EVAL_RUNS_DIR says otherwise."""
    return Path(os.environ.get("NEWSDESK_EVAL_RUNS_DIR") or ROOT / "eval" / "runs")


def show_eval() -> None:
    st.title("Evaluation", anchor=False)
    path = render.latest_eval_report(runs_dir())
    if path is None:
        st.info("No eval report yet: run `python -m eval run ...` to make one.", icon=":material/monitoring:")
        return
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
            st.image(str(plot), caption=caption)
