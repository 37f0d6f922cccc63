"""The eval report: metrics from scored rows, and report.json / report.md / PNG plots.

File names are fixed because the app shows the newest eval/runs/*/report.json
with its plots: report.json, report.md, accuracy_by_type.png, hit_at_k.png, latency.png.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from eval import metrics as m
from newsdesk.errors import SuiteError
from newsdesk.safetext import mask_urls

REPORT_JSON, REPORT_MD = "report.json", "report.md"
PLOTS = ("accuracy_by_type.png", "hit_at_k.png", "latency.png")
SCHEMA = 1

# The metrics report.md shows first, in this order (report.json holds them all).
HEADLINE = (
    "answer.accuracy",
    "answer.exact_match",
    "answer.token_f1",
    "retrieval.hit@1",
    "retrieval.hit@3",
    "retrieval.hit@5",
    "retrieval.hit@10",
    "retrieval.mrr@10",
    "retrieval.recall@10",
    "citation.recall",
    "citation.precision",
    "refusal.recall",
    "refusal.false_refusal_rate",
    "conflict_detection.recall",
    "conflict_detection.false_alarm_rate",
)
LOWER_IS_BETTER = ("refusal.false_refusal_rate", "conflict_detection.false_alarm_rate", "latency.")


@dataclass
class Report:
    suite: str
    suite_name: str
    split: str | None
    config: str
    judge: str
    n_cases: int
    n_scored: int
    n_errors: int
    metrics: dict[str, float | None]
    metric_counts: dict[str, int]
    by_type: dict[str, dict]
    rows: list[dict]
    settings: dict = field(default_factory=dict)
    index: dict = field(default_factory=dict)
    versions: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # {"id", "error"} of every errored case
    backends: dict[str, int] = field(default_factory=dict)  # which answerer produced the scored answers
    started_at: str = ""
    seconds: float = 0.0
    schema: int = SCHEMA

    def to_dict(self) -> dict:
        return asdict(self)


def summarize(rows: list[dict]) -> tuple[dict, dict]:
    """Metrics and counts over the scored rows (errored rows are excluded and counted apart)."""
    scored = [r for r in rows if r["status"] == "ok"]
    means, counts = m.aggregate(r["scores"] for r in scored)
    latency, latency_counts = m.latency_metrics(r["timings_ms"] for r in scored)
    return {**means, **latency}, {**counts, **latency_counts}


def build_report(
    *,
    suite: str,
    suite_name: str,
    split: str | None,
    config: str,
    settings: dict,
    judge: str,
    index: dict,
    versions: dict,
    rows: list[dict],
    notes: list[str],
    started: float,
    seconds: float,
) -> Report:
    # A password in a URL (OPENAI_BASE_URL=http://user:pw@host) must not reach report.json or report.md:
    # the settings, the judge's description, notes and every case's error or notice are masked.
    settings, index, judge, notes = _masked(settings), _masked(index), mask_urls(judge), _masked(notes)
    rows = [_masked_row(r) for r in rows]
    metrics, counts = summarize(rows)
    by_type = {}
    for type_ in sorted({r["type"] for r in rows}):
        some = [r for r in rows if r["type"] == type_]
        t_metrics, t_counts = summarize(some)
        by_type[type_] = {
            "n": len(some),
            "n_errors": sum(r["status"] == "error" for r in some),
            "metrics": t_metrics,
            "counts": t_counts,
        }
    errors = [{"id": r["id"], "error": r["error"]} for r in rows if r["status"] == "error"]
    backends: dict[str, int] = {}
    for r in rows:
        if r["status"] == "ok":
            backends[r["backend"]] = backends.get(r["backend"], 0) + 1
    return Report(
        suite=suite,
        suite_name=suite_name,
        split=split,
        config=config,
        judge=judge,
        n_cases=len(rows),
        n_scored=len(rows) - len(errors),
        n_errors=len(errors),
        metrics=metrics,
        metric_counts=counts,
        by_type=by_type,
        rows=rows,
        settings=settings,
        index=index,
        versions=versions,
        notes=notes,
        errors=errors,
        backends=dict(sorted(backends.items())),
        started_at=time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
        seconds=round(seconds, 1),
    )


def _masked(value):
    """``value`` (JSON-like) with the user-info of every URL in its strings masked."""
    if isinstance(value, str):
        return mask_urls(value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def _masked_row(row: dict) -> dict:
    """A case's row with its error and notice masked (its answer and quotes are the articles' own words)."""
    return {**row, **{k: mask_urls(row[k]) for k in ("error", "notice") if isinstance(row.get(k), str)}}


def load_report(path: str | Path) -> dict:
    """A report.json (or the run folder holding one), as a dict; SuiteError (one line) when it is not
    a readable report of the shape ``compare`` needs: metrics by name (numbers or null), rows with ids."""
    path = Path(path)
    if path.is_dir():
        path = path / REPORT_JSON
    if not path.is_file():
        raise SuiteError(f"{path}: no report found")
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise SuiteError(f"{path}: not a readable report (not UTF-8 text)") from None
    except (OSError, ValueError, RecursionError) as exc:
        raise SuiteError(f"{path}: not a readable report ({type(exc).__name__}: {exc})".splitlines()[0]) from None
    problem = _shape_problem(data)
    if problem:
        raise SuiteError(f"{path}: not an eval report ({problem})")
    return data


def _shape_problem(data) -> str | None:
    """What keeps ``data`` from being read as a report, or None."""
    if not isinstance(data, dict) or "metrics" not in data or "rows" not in data:
        return "no metrics/rows"
    if not isinstance(data["metrics"], dict):
        return "metrics is not an object"
    for name, value in data["metrics"].items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            return f"metric {name[:60]!r} is not a number"
    if not isinstance(data["rows"], list):
        return "rows is not a list"
    for i, row in enumerate(data["rows"]):
        if not isinstance(row, dict) or isinstance(row.get("id"), bool) or not isinstance(row.get("id"), (str, int)):
            return f"row {i + 1} has no id"
    return None


def fmt(value: float | None, name: str = "") -> str:
    if value is None:
        return "n/a"
    return f"{value:.1f}" if name.startswith("latency.") else f"{value:.3f}"


def render_markdown(report: Report) -> str:
    r = report
    split = f" ({r.split} split)" if r.split else ""
    lines = [f"# Eval report: {r.suite_name}{split}, config `{r.config}`", ""]
    if r.n_errors:
        lines += [
            f"**{r.n_errors} of {r.n_cases} cases errored** and are not in the metrics (listed under Errors below).",
            "",
        ]
    ix = r.index
    lines += [
        f"- suite: `{r.suite}`, {r.n_cases} cases, {r.n_scored} scored, {r.n_errors} errors",
        f"- index: {ix.get('articles')} articles, {ix.get('chunks')} chunks, embedder `{ix.get('embedder')}`",
        f"- retrieval mode `{r.settings.get('retrieval', {}).get('mode')}`, top_k "
        f"{r.settings.get('retrieval', {}).get('top_k')}; answer backend "
        f"`{r.settings.get('answer', {}).get('backend')}`; answers by "
        + ", ".join(f"`{b}` ({n})" for b, n in r.backends.items()),
        f"- citation support judge: {r.judge}",
        f"- started {r.started_at}, {r.seconds} s; commit {r.versions.get('git_commit')}"
        + (" (uncommitted changes)" if r.versions.get("git_dirty") else ""),
        "",
    ]
    for note in r.notes:
        lines += [f"> {note}", ""]
    types = list(r.by_type)
    lines += ["## Metrics", "", "| metric | all | " + " | ".join(types) + " |", "|---|---:|" + "---:|" * len(types)]
    lines.append("| cases | " + str(r.n_cases) + " | " + " | ".join(str(r.by_type[t]["n"]) for t in types) + " |")
    for name in HEADLINE:
        cells = [f"{fmt(r.metrics.get(name))} ({r.metric_counts.get(name, 0)})"]
        for t in types:
            bt = r.by_type[t]
            value = bt["metrics"].get(name)
            cells.append(f"{fmt(value)} ({bt['counts'].get(name, 0)})" if value is not None else "")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "Each cell is the mean over the cases the metric applies to (their number in brackets).", ""]
    lat = sorted({k.rsplit(".", 1)[0] for k in r.metrics if k.startswith("latency.")})
    if lat:
        lines += ["## Latency (ms)", "", "| stage | p50 | p95 |", "|---|---:|---:|"]
        for stage in lat:
            lines.append(
                f"| {stage[len('latency.') :]} | {fmt(r.metrics.get(stage + '.p50_ms'), 'latency.')} | "
                f"{fmt(r.metrics.get(stage + '.p95_ms'), 'latency.')} |"
            )
        lines.append("")
    if r.errors:
        lines += ["## Errors", ""] + [f"- `{e['id']}`: {e['error']}" for e in r.errors] + [""]
    wrong = [row for row in r.rows if row["status"] == "ok" and not row["correct"]]
    lines += [f"## Wrong answers ({len(wrong)})", ""]
    for row in wrong:
        gold = " / ".join(row["gold_answers"]) or "(refuse)"
        got = "(refused)" if row["refused"] else _one_line(row["answer"], 160)
        lines.append(f"- `{row['id']}` [{row['type']}] {row['question']} — expected: {gold}; got: {got}")
    lines += ["", "## Plots", ""] + [f"![{p}]({p})" for p in PLOTS] + [""]
    return "\n".join(lines)


def _one_line(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plot_report(report: Report, out_dir: Path) -> list[Path]:
    import matplotlib
    import numpy as np

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    types = [t for t in report.by_type if report.by_type[t]["metrics"].get("answer.accuracy") is not None]
    fig, ax = plt.subplots(figsize=(7, 3.8))
    values = [report.by_type[t]["metrics"]["answer.accuracy"] for t in types]
    bars = ax.bar(types, values, color="#4878a8")
    for bar, t in zip(bars, types):
        n = report.by_type[t]["counts"].get("answer.accuracy", 0)
        ax.annotate(
            f"{bar.get_height():.2f}\nn={n}",
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    overall = report.metrics.get("answer.accuracy")
    if overall is not None:
        ax.axhline(overall, color="#c44e52", linestyle="--", linewidth=1, label=f"all: {overall:.2f}")
        ax.legend(loc="lower right", fontsize=8)
    ax.set_ylim(0, 1.15)
    ax.set_ylabel("answer accuracy")
    ax.set_title(f"{report.suite_name}: accuracy by question type ({report.config})", fontsize=10)
    plt.setp(ax.get_xticklabels(), rotation=20, ha="right")
    fig.tight_layout()
    paths.append(_save(fig, out_dir / PLOTS[0]))

    fig, ax = plt.subplots(figsize=(6, 3.8))
    ks = list(range(1, m.MAX_K + 1))
    hits = [report.metrics.get(f"retrieval.hit@{k}") for k in ks]
    if all(h is not None for h in hits):
        ax.plot(ks, [float(h or 0.0) for h in hits], marker="o", color="#4878a8")
        top_k = report.settings.get("retrieval", {}).get("top_k")
        if top_k and top_k < m.MAX_K:
            ax.axvline(top_k, color="grey", linestyle=":", label=f"answerer sees top {top_k}")
            ax.legend(loc="lower right", fontsize=8)
    else:
        ax.text(0.5, 0.5, "no answerable cases with gold sources", ha="center", transform=ax.transAxes)
    ax.set_xticks(ks)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("k (passages)")
    ax.set_ylabel("hit@k of a gold source")
    ax.set_title(f"{report.suite_name}: retrieval hit@k ({report.config})", fontsize=10)
    fig.tight_layout()
    paths.append(_save(fig, out_dir / PLOTS[1]))

    fig, ax = plt.subplots(figsize=(6, 3.8))
    scored = [r for r in report.rows if r["status"] == "ok"]
    stages = (("retrieve", "#4878a8"), ("answer", "#dd8452"), ("total", "#55a868"))
    everything = [r["timings_ms"][s] for r in scored for s, _ in stages if s in r["timings_ms"]]
    bins = list(np.histogram_bin_edges(everything, bins=25)) if everything else 25  # one grid for all stages
    for stage, color in stages:
        values = [r["timings_ms"][stage] for r in scored if stage in r["timings_ms"]]
        if values:
            ax.hist(values, bins=bins, alpha=0.55, color=color, label=stage)
    ax.set_xlabel("milliseconds per question")
    ax.set_ylabel("cases")
    ax.legend(fontsize=8)
    ax.set_title(f"{report.suite_name}: latency per stage ({report.config})", fontsize=10)
    fig.tight_layout()
    paths.append(_save(fig, out_dir / PLOTS[2]))
    return paths


def _save(fig, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_report(report: Report, out_dir: Path) -> list[Path]:
    """The three plots, report.md, then report.json last (the app looks for the newest report.json)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = plot_report(report, out_dir)
    md_path = out_dir / REPORT_MD
    md_path.write_text(render_markdown(report), encoding="utf-8")
    json_path = out_dir / REPORT_JSON
    tmp = json_path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(report.to_dict(), indent=1, ensure_ascii=False), encoding="utf-8")
    tmp.replace(json_path)  # never a half-written report
    return [json_path, md_path, *paths]
