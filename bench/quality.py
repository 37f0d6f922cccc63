"""Retrieval quality at the article level: hit@k and MRR@k over answerable questions.

A question counts when it is answerable and at least one of its gold source
articles is in the index; a hit is a passage of a gold article among the first
k passages retrieved (k=5 for both systems: the LlamaIndex recipe returns 5).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.synth import RGB_DIR, ROOT
from eval.suite import load_suite as load_eval_suite

SEED_SUITE = ROOT / "eval" / "suites" / "seed.jsonl"
RGB_SUITE = RGB_DIR / "suite.jsonl"


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    sources: tuple[str, ...]
    answerable: bool
    suite: str


def load_suite(path: Path, suite: str) -> list[Question]:
    """The suite's questions, read and validated by the eval harness's loader."""
    return [Question(c.id, c.question, tuple(c.sources), c.answerable, suite) for c in load_eval_suite(path).cases]


def hit_and_rr(doc_ids: list[str], gold: tuple[str, ...], k: int = 5) -> tuple[float, float]:
    for rank, d in enumerate(doc_ids[:k], start=1):
        if d in gold:
            return 1.0, 1.0 / rank
    return 0.0, 0.0


def summarize(rows: list[tuple[float, float]]) -> dict:
    """Mean hit@k and MRR@k; ``n`` says how many questions they are over."""
    if not rows:
        return {"n": 0, "hit_at_5": None, "mrr_at_5": None}
    return {
        "n": len(rows),
        "hit_at_5": round(sum(h for h, _ in rows) / len(rows), 4),
        "mrr_at_5": round(sum(r for _, r in rows) / len(rows), 4),
    }
