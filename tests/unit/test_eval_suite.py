"""Loading and validating eval suites: every bad line is an error naming the file and the line."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from eval.suite import check_sources, load_claims, load_suite
from newsdesk.errors import SuiteError

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "eval" / "suites" / "seed.jsonl"
RGB_SUITE = ROOT.parent / "shared" / "bench" / "rgb_en_fact" / "suite.jsonl"

GOOD = {
    "id": "c1",
    "question": "Who?",
    "answers": ["Kim"],
    "answer_match": "any",
    "sources": ["d1"],
    "answerable": True,
    "type": "single",
}


def _write(tmp_path: Path, *rows) -> Path:
    path = tmp_path / "suite.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_the_seed_suite_loads_with_its_splits():
    suite = load_suite(SEED)
    assert len(suite.cases) == 87
    assert len(load_suite(SEED, split="dev").cases) == 35
    test = load_suite(SEED, split="test")
    assert len(test.cases) == 52 and {c.split for c in test.cases} == {"test"}
    followup = next(c for c in suite.cases if c.type == "followup")
    assert followup.history and followup.history[-1]["role"] == "assistant"
    assert any(c.expect_conflict for c in suite.cases)


@pytest.mark.skipif(not RGB_SUITE.exists(), reason="RGB bench not present")
def test_the_rgb_suite_loads_and_keeps_its_own_fields():
    suite = load_suite(RGB_SUITE)
    assert len(suite.cases) == 100 and suite.name == "rgb_en_fact"
    assert "false_answer" in suite.cases[0].extra


@pytest.mark.parametrize(
    "row, message",
    [
        ("{not json", "line 2: not valid JSON"),
        ("[1, 2]", "line 2: a case must be a JSON object"),
        ({k: v for k, v in GOOD.items() if k != "answers"} | {"id": "c2"}, r"line 2: missing field\(s\) answers"),
        (GOOD | {"id": "c2", "answerable": "yes"}, "line 2: 'answerable' must be true or false"),
        (GOOD | {"id": "c2", "answer_match": "some"}, "line 2: 'answer_match' must be"),
        (GOOD | {"id": "c2", "answers": "Kim"}, "line 2: 'answers' must be a list"),
        (GOOD | {"id": "c2", "answers": []}, "line 2: 'answers' is empty"),
        (GOOD | {"id": "c2", "answerable": False}, "line 2: an unanswerable case must have no 'answers'"),
        (GOOD | {"id": "c2", "history": [{"role": "bot", "content": "x"}]}, "line 2: each 'history' turn"),
        (GOOD | {"id": "c2", "split": "holdout"}, "line 2: 'split' must be one of dev, test, train"),
        (GOOD | {"id": "c2", "as_of": "3 Sept 2025"}, "line 2: 'as_of' must be an ISO date"),
        (GOOD | {"id": "c2", "as_of": "2025-02-30"}, "line 2: 'as_of' must be an ISO date"),
        (GOOD | {"id": "c2", "as_of": 20250903}, "line 2: 'as_of' must be an ISO date"),
        (GOOD | {"id": "c2", "lang": "German"}, "line 2: 'lang' must be a language code"),
        (GOOD | {"id": "c2", "question": ""}, "line 2: 'question' must be a non-empty string"),
        (GOOD, "line 2: duplicate id 'c1' \\(first on line 1\\)"),
    ],
)
def test_a_bad_line_is_an_error_naming_file_and_line(tmp_path, row, message):
    path = _write(tmp_path, GOOD, row)
    with pytest.raises(SuiteError, match=message) as err:
        load_suite(path)
    assert str(err.value).startswith(str(path)) and "\n" not in str(err.value)


def test_a_missing_or_empty_suite_is_an_error(tmp_path):
    with pytest.raises(SuiteError, match="suite file not found"):
        load_suite(tmp_path / "nope.jsonl")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    with pytest.raises(SuiteError, match="no cases"):
        load_suite(empty)


def test_split_needs_a_split_field(tmp_path):
    with pytest.raises(SuiteError, match="no 'split' field"):
        load_suite(_write(tmp_path, GOOD), split="test")


def test_unknown_doc_ids_are_reported_with_their_line(tmp_path):
    suite = load_suite(
        _write(tmp_path, GOOD, GOOD | {"id": "c2", "sources": ["d9", "d1"]}, GOOD | {"id": "c3", "sources": ["d8"]})
    )
    with pytest.raises(SuiteError, match=r"line 2: unknown doc id\(s\) d9 .*1 more case"):
        check_sources(suite, ["d1"])
    check_sources(suite, ["d1", "d8", "d9"])  # all known: no error


def test_train_split_as_of_and_lang_are_read(tmp_path):
    path = _write(
        tmp_path,
        GOOD | {"split": "train"},
        GOOD | {"id": "c2", "split": "test", "as_of": "2025-09-03", "lang": "de", "time_word": "today"},
    )
    suite = load_suite(path)
    assert suite.cases[0].as_of is None and suite.cases[0].lang is None
    assert suite.cases[1].as_of == date(2025, 9, 3) and suite.cases[1].lang == "de"
    assert suite.cases[1].extra == {"time_word": "today"}  # as_of and lang are fields, not extras
    assert [c.id for c in load_suite(path, split="train").cases] == ["c1"]


CLAIM = {
    "id": "k1",
    "claim": "Kim sent troops.",
    "evidence": "North Korea has deployed roughly 15,000 troops.",
    "doc_id": "d1",
    "label": "supported",
    "kind": "paraphrase",
    "split": "dev",
}


def test_a_claim_suite_loads_with_its_splits(tmp_path):
    path = _write(tmp_path, CLAIM, CLAIM | {"id": "k2", "label": "contradicted", "kind": "negation", "split": "test"})
    suite = load_claims(path)
    assert [(c.id, c.label, c.kind, c.line) for c in suite.claims] == [
        ("k1", "supported", "paraphrase", 1),
        ("k2", "contradicted", "negation", 2),
    ]
    assert [c.id for c in load_claims(path, split="test").claims] == ["k2"]


@pytest.mark.parametrize(
    "row, message",
    [
        ("{not json", "line 2: not valid JSON"),
        ({k: v for k, v in CLAIM.items() if k != "evidence"} | {"id": "k2"}, r"missing field\(s\) evidence"),
        (CLAIM | {"id": "k2", "label": "true"}, "line 2: 'label' must be one of supported, contradicted"),
        (CLAIM | {"id": "k2", "kind": "swap"}, "line 2: 'kind' must be one of paraphrase"),
        (CLAIM | {"id": "k2", "claim": " "}, "line 2: 'claim' must be a non-empty string"),
        (CLAIM | {"id": "k2", "split": "holdout"}, "line 2: 'split' must be one of"),
        (CLAIM | {"id": "k2", "note": 3}, "line 2: 'note' must be a string"),
        (CLAIM, "line 2: duplicate id 'k1' \\(first on line 1\\)"),
    ],
)
def test_a_bad_claim_line_is_an_error_naming_file_and_line(tmp_path, row, message):
    path = _write(tmp_path, CLAIM, row)
    with pytest.raises(SuiteError, match=message) as err:
        load_claims(path)
    assert str(err.value).startswith(str(path)) and "\n" not in str(err.value)
