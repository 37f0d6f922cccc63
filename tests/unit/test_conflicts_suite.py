"""Consistency of eval/suites/conflicts_dev.jsonl, the hand-written disagreement cases over the seed corpus.

Conflict cases (the sources disagree, or describe two events) and control cases (different wording or
different values that do not disagree). Every quote is the article's own characters inside the text the
index keeps, every answer alias is written in a gold source, no question repeats one of another suite, and
nothing of the seed test split leaks in.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from eval.suite import load_suite
from rag.focus import answer_type
from tests.suite_files import check_grounded, jsonl_rows, kept_seed_texts, normalized

ROOT = Path(__file__).resolve().parents[2]
SUITES = ROOT / "eval" / "suites"
CONFLICTS = SUITES / "conflicts_dev.jsonl"
CORPUS = ROOT / "data" / "corpus"
CASE_ID = re.compile(r"^cdev-\d{3}$")
TYPES = {"conflict", "single", "temporal", "multi", "duplicate"}


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return jsonl_rows(CONFLICTS)


@pytest.fixture(scope="module")
def seed_kept() -> dict[str, str]:
    return kept_seed_texts(CORPUS)


def test_file_loads_and_every_case_is_a_dev_case(rows):
    suite = load_suite(CONFLICTS, split="dev")
    assert len(suite.cases) == len(rows) >= 8
    assert not [i for i, n in Counter(r["id"] for r in rows).items() if n > 1]
    for r in rows:
        assert CASE_ID.match(r["id"]) and r["split"] == "dev" and r["type"] in TYPES, r["id"]
        assert r["answerable"] and r["answers"] and r["sources"] and r["evidence"], r["id"]
        assert (r["type"] == "conflict") == r.get("expect_conflict", False), r["id"]
        if r["type"] == "conflict":
            assert r["answer_match"] == "all" and len(r["answers"]) >= 2, r["id"]


def test_both_conflicts_and_controls_are_present(rows):
    kinds = Counter(r.get("expect_conflict", False) for r in rows)
    assert kinds[True] >= 3 and kinds[False] >= 5


def test_cases_are_grounded_in_the_kept_text(rows, seed_kept):
    """Each quote is in a gold source, each gold source holds a quote, each alias is in a gold source
    (for "all": in the quotes)."""
    for r in rows:
        assert set(r["sources"]) <= set(seed_kept), r["id"]
        check_grounded(r, seed_kept)


def test_questions_are_new(rows):
    others = [o for path in sorted(SUITES.glob("*.jsonl")) if path != CONFLICTS and "claims" not in path.name
              for o in jsonl_rows(path) if "question" in o]  # fmt: skip
    assert not {r["id"] for r in rows} & {o["id"] for o in others}
    asked = {normalized(o["question"]) for o in others}
    assert len({normalized(r["question"]) for r in rows}) == len(rows)
    assert not [r["id"] for r in rows if normalized(r["question"]) in asked]


def _words(text: str) -> set[str]:
    return {w for w in normalized(text).split() if len(w) > 3}


def test_nothing_of_the_seed_test_split_leaks_in(rows):
    """A case paraphrases a test case when it asks for what that case asks from the same sentences (every
    answer it needs is one of that case's answers) or asks in nearly the same words. A conflict case may
    set one side that a test case asks about against another side: that is a different question. Wording:
    the same kind of answer asked with three quarters of the shorter question's words."""
    test = [s for s in jsonl_rows(SUITES / "seed.jsonl") if s["split"] == "test"]
    leaks = []
    for r in rows:
        needed = {normalized(a) for a in r["answers"]} if r["answer_match"] == "all" else {normalized(r["answers"][0])}
        for s in test:
            same_sentence = any(a in b or b in a for a in r["evidence"] for b in s["evidence"])
            if same_sentence and needed <= {normalized(a) for a in s["answers"]}:
                leaks.append(f"{r['id']} asks what {s['id']} asks")
            mine, theirs = _words(r["question"]), _words(s["question"])
            same_kind = answer_type(r["question"]) == answer_type(s["question"])
            if same_kind and len(mine & theirs) >= 0.75 * min(len(mine), len(theirs)):
                leaks.append(f"{r['id']} is worded like {s['id']}")
    assert not leaks
