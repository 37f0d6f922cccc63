"""Consistency checks for the gold evaluation suite eval/suites/seed.jsonl.

Plain pytest, no project imports: the suite is checked against the raw corpus
files only (data/corpus/<doc_id>.txt).
"""

import json
import math
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "eval" / "suites" / "seed.jsonl"
CORPUS = ROOT / "data" / "corpus"

TYPES = {"single", "multi", "conflict", "temporal", "followup", "duplicate", "unanswerable"}
SPLITS = {"dev", "test"}
DW_COPIES = {"001_6424d35343858a03", "002_102502518f9dd0d1"}  # same DW story (001 = machine translation)
PER_ARTICLE_TYPES = {"single", "temporal", "followup"}

REQUIRED = {
    "id": str,
    "question": str,
    "answers": list,
    "answer_match": str,
    "sources": list,
    "answerable": bool,
    "type": str,
    "split": str,
    "evidence": list,
}
OPTIONAL = {"history": list, "expect_conflict": bool, "note": str}

MIN_TOTAL = 66
MIN_PER_TYPE = {"multi": 5, "conflict": 4, "temporal": 6, "followup": 6, "duplicate": 4, "unanswerable": 11}
MIN_PER_ARTICLE = 8
MIN_UNANSWERABLE_FRACTION = 0.15


def _load_lines():
    return SUITE.read_text(encoding="utf-8").splitlines()


def _load_cases():
    return [json.loads(line) for line in _load_lines() if line.strip()]


def _corpus():
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))}


@pytest.fixture(scope="module")
def cases():
    return _load_cases()


@pytest.fixture(scope="module")
def corpus():
    docs = _corpus()
    assert docs, f"no corpus files found in {CORPUS}"
    return docs


def test_every_line_parses():
    lines = _load_lines()
    assert lines, "suite is empty"
    for n, line in enumerate(lines, 1):
        assert line.strip(), f"line {n} is blank"
        obj = json.loads(line)
        assert isinstance(obj, dict), f"line {n} is not a JSON object"


def test_ids_unique(cases):
    counts = Counter(c["id"] for c in cases)
    dupes = [i for i, n in counts.items() if n > 1]
    assert not dupes, f"duplicate ids: {dupes}"


def test_fields_and_types(cases):
    for c in cases:
        cid = c.get("id", "<no id>")
        for field, typ in REQUIRED.items():
            assert field in c, f"{cid}: missing field {field!r}"
            assert isinstance(c[field], typ), f"{cid}: {field!r} should be {typ.__name__}"
        for field, typ in OPTIONAL.items():
            if field in c:
                assert isinstance(c[field], typ), f"{cid}: {field!r} should be {typ.__name__}"
        unknown = set(c) - set(REQUIRED) - set(OPTIONAL)
        assert not unknown, f"{cid}: unknown fields {unknown}"
        assert c["question"].strip(), f"{cid}: empty question"
        assert c["type"] in TYPES, f"{cid}: bad type {c['type']!r}"
        assert c["split"] in SPLITS, f"{cid}: bad split {c['split']!r}"
        assert c["answer_match"] in {"any", "all"}, f"{cid}: bad answer_match"
        for key in ("answers", "sources", "evidence"):
            assert all(isinstance(x, str) and x.strip() for x in c[key]), f"{cid}: {key} must be non-empty strings"
            assert len(set(c[key])) == len(c[key]), f"{cid}: repeated entry in {key}"


def test_answerable_flag_matches_type(cases):
    for c in cases:
        assert c["answerable"] == (c["type"] != "unanswerable"), f"{c['id']}: answerable flag vs type"


def test_history_only_and_always_for_followups(cases):
    for c in cases:
        if c["type"] == "followup":
            hist = c.get("history")
            assert hist, f"{c['id']}: followup needs a history"
            for i, turn in enumerate(hist):
                assert isinstance(turn, dict) and set(turn) == {"role", "content"}, f"{c['id']}: bad turn {turn}"
                assert turn["role"] == ("user" if i % 2 == 0 else "assistant"), f"{c['id']}: roles must alternate"
                assert isinstance(turn["content"], str) and turn["content"].strip()
            assert hist[-1]["role"] == "assistant", f"{c['id']}: history should end with the assistant turn"
        else:
            assert "history" not in c, f"{c['id']}: only followup cases carry a history"


def test_sources_exist(cases, corpus):
    for c in cases:
        for doc_id in c["sources"]:
            assert (CORPUS / f"{doc_id}.txt").is_file(), f"{c['id']}: unknown source {doc_id}"
            assert doc_id in corpus


def test_evidence_is_exact_substring_of_a_gold_source(cases, corpus):
    for c in cases:
        gold = [corpus[d] for d in c["sources"]]
        for quote in c["evidence"]:
            assert any(quote in text for text in gold), f"{c['id']}: evidence not verbatim in gold sources: {quote!r}"


def test_answers_appear_in_gold_sources(cases, corpus):
    for c in cases:
        if not c["answerable"]:
            continue
        gold = [corpus[d].lower() for d in c["sources"]]
        present = [any(a.lower() in text for text in gold) for a in c["answers"]]
        if c["answer_match"] == "all":
            missing = [a for a, ok in zip(c["answers"], present) if not ok]
            assert not missing, f"{c['id']}: answers not in gold sources: {missing}"
        else:
            assert any(present), f"{c['id']}: no answer alias appears in gold sources"
        # Every alias is expected to be attested, even for "any".
        missing = [a for a, ok in zip(c["answers"], present) if not ok]
        assert not missing, f"{c['id']}: aliases not in gold sources: {missing}"


def test_answerable_cases_are_complete(cases):
    for c in cases:
        if c["answerable"]:
            assert c["answers"], f"{c['id']}: answerable case without answers"
            assert c["sources"], f"{c['id']}: answerable case without sources"
            assert c["evidence"], f"{c['id']}: answerable case without evidence"


def test_unanswerable_cases_are_empty(cases):
    for c in cases:
        if not c["answerable"]:
            assert c["answers"] == [], f"{c['id']}: unanswerable case has answers"
            assert c["sources"] == [], f"{c['id']}: unanswerable case has sources"
            assert c["evidence"] == [], f"{c['id']}: unanswerable case has evidence"


def test_type_specific_shapes(cases):
    for c in cases:
        stories = {("DW" if d in DW_COPIES else d) for d in c["sources"]}
        if c["type"] == "duplicate":
            assert set(c["sources"]) == DW_COPIES, f"{c['id']}: duplicate cases cite exactly the two DW copies"
        if c["type"] == "multi":
            assert len(stories) >= 2, f"{c['id']}: multi needs at least two independent stories"
        if c["type"] == "conflict":
            assert len(stories) >= 2, f"{c['id']}: conflict needs at least two stories"
            assert c["answer_match"] == "all" and len(c["answers"]) >= 2, f"{c['id']}: conflict needs both sides"
        if "expect_conflict" in c:
            assert c["expect_conflict"] == (c["type"] == "conflict"), f"{c['id']}: expect_conflict vs type"
        if any(d in DW_COPIES for d in c["sources"]) and c["type"] in {"single", "temporal", "followup", "duplicate"}:
            # A DW fact should cite every DW copy that states it; 002-only facts are allowed
            # (e.g. the byline), but 001 never appears without 002 (002 is the original).
            assert "002_102502518f9dd0d1" in c["sources"], f"{c['id']}: DW fact without the original (002)"


def test_both_splits_contain_every_type(cases):
    seen = {s: {c["type"] for c in cases if c["split"] == s} for s in SPLITS}
    for s in SPLITS:
        assert seen[s] == TYPES, f"split {s!r} lacks types {TYPES - seen[s]}"


def test_split_proportions(cases):
    dev = sum(c["split"] == "dev" for c in cases)
    frac = dev / len(cases)
    assert 0.3 <= frac <= 0.5, f"dev fraction {frac:.2f} is not about 40%"


def test_required_counts(cases, corpus):
    assert len(cases) >= MIN_TOTAL, f"only {len(cases)} cases"
    per_type = Counter(c["type"] for c in cases)
    for t, n in MIN_PER_TYPE.items():
        assert per_type[t] >= n, f"type {t}: {per_type[t]} < {n}"
    need = max(MIN_PER_TYPE["unanswerable"], math.ceil(MIN_UNANSWERABLE_FRACTION * len(cases)))
    assert per_type["unanswerable"] >= need, f"unanswerable {per_type['unanswerable']} < {need}"
    for doc_id in corpus:
        n = sum(1 for c in cases if c["type"] in PER_ARTICLE_TYPES and doc_id in c["sources"])
        assert n >= MIN_PER_ARTICLE, f"{doc_id}: only {n} single/temporal/followup cases"
