"""`eval run --exclude-ids`: report a suite without the cases a model was trained on."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.runner import without_cases
from eval.suite import load_suite
from newsdesk.errors import SuiteError

SEED = Path(__file__).resolve().parents[2] / "eval" / "suites" / "seed.jsonl"


def test_listed_ids_are_left_out(tmp_path):
    suite = load_suite(SEED)
    ids = tmp_path / "ids.txt"
    ids.write_text("seed-001\n\nseed-002\n", encoding="utf-8")
    kept = without_cases(suite, ids)
    assert len(kept.cases) == len(suite.cases) - 2
    assert not {"seed-001", "seed-002"} & {c.id for c in kept.cases}


def test_a_missing_file_or_excluding_everything_is_one_line(tmp_path):
    suite = load_suite(SEED)
    with pytest.raises(SuiteError, match="cannot read"):
        without_cases(suite, tmp_path / "absent.txt")
    everything = tmp_path / "all.txt"
    everything.write_text("\n".join(c.id for c in suite.cases), encoding="utf-8")
    with pytest.raises(SuiteError, match="excludes every case"):
        without_cases(suite, everything)
