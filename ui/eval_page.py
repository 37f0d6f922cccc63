"""The Eval page: the newest eval report's metrics and plots, read from eval/runs/*/report.json."""

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
            image, problem = readable_image(plot)
            if image is not None:
                st.image(image, caption=caption)
            else:
                st.warning(render.escape_markdown(f"The plot {name} is unreadable ({problem})."))


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
