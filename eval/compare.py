"""Compare two runs: metrics side by side with deltas, and the cases whose verdict flipped."""

from __future__ import annotations

from dataclasses import dataclass

from eval.report import HEADLINE, LOWER_IS_BETTER, fmt


@dataclass(frozen=True)
class MetricDelta:
    name: str
    a: float | None
    b: float | None

    @property
    def delta(self) -> float | None:
        return None if self.a is None or self.b is None else self.b - self.a

    @property
    def better(self) -> bool | None:
        """Whether B improved on A (None when unchanged or not comparable)."""
        d = self.delta
        if not d:
            return None
        return (d < 0) if self.name.startswith(LOWER_IS_BETTER) else (d > 0)


@dataclass(frozen=True)
class Flip:
    id: str
    type: str
    question: str
    a: str  # "correct" | "wrong" | "error" | "absent"
    b: str


def _verdict(row: dict | None) -> str:
    if row is None:
        return "absent"
    if row.get("status") != "ok":
        return "error"
    return "correct" if row.get("correct") else "wrong"


def compare_reports(a: dict, b: dict) -> tuple[list[MetricDelta], list[Flip]]:
    """Metric deltas and flipped cases of two reports as ``eval.report.load_report`` returns them."""
    names = [n for n in HEADLINE if n in a["metrics"] or n in b["metrics"]]
    names += sorted(
        n
        for n in set(a["metrics"]) | set(b["metrics"])
        if n.startswith("latency.") and n.split(".")[1] in ("retrieve", "answer", "total")
    )
    deltas = [MetricDelta(n, a["metrics"].get(n), b["metrics"].get(n)) for n in names]
    rows_a = {r["id"]: r for r in a["rows"]}
    rows_b = {r["id"]: r for r in b["rows"]}
    flips = []
    for case_id in list(rows_a) + [i for i in rows_b if i not in rows_a]:
        ra, rb = rows_a.get(case_id), rows_b.get(case_id)
        va, vb = _verdict(ra), _verdict(rb)
        if va != vb:
            row = ra or rb or {}
            flips.append(Flip(str(case_id), str(row.get("type", "?")), str(row.get("question", "")), va, vb))
    return deltas, flips


def _label(report: dict, fallback: str) -> str:
    return f"{report.get('suite_name', '?')}/{report.get('config', fallback)}"


def render_comparison(a: dict, b: dict, name_a: str = "A", name_b: str = "B") -> str:
    deltas, flips = compare_reports(a, b)
    lines = [
        f"A = {name_a} ({_label(a, 'A')}, {a.get('n_cases', len(a['rows']))} cases, {a.get('n_errors', '?')} errors)",
        f"B = {name_b} ({_label(b, 'B')}, {b.get('n_cases', len(b['rows']))} cases, {b.get('n_errors', '?')} errors)",
        "",
    ]
    width = max(len(d.name) for d in deltas) if deltas else 10
    lines.append(f"{'metric':<{width}}  {'A':>9}  {'B':>9}  {'B-A':>9}")
    for d in deltas:
        delta = (
            "n/a" if d.delta is None else f"{d.delta:+.3f}" if not d.name.startswith("latency.") else f"{d.delta:+.1f}"
        )
        mark = {True: " better", False: " worse", None: ""}[d.better]
        lines.append(f"{d.name:<{width}}  {fmt(d.a, d.name):>9}  {fmt(d.b, d.name):>9}  {delta:>9}{mark}")
    lines += ["", f"Flipped cases ({len(flips)}):" if flips else "No case flipped."]
    for f in flips:
        lines.append(f"  {f.id} [{f.type}] {f.a} -> {f.b}: {f.question}")
    return "\n".join(lines)
