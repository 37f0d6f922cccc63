"""Consistency checks for eval/suites/web.jsonl against its corpus, eval/corpora/web (articles made from the real
news pages in tests/data/web: their labelled bodies, titles and dates)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "eval" / "suites" / "web.jsonl"
CORPUS = ROOT / "eval" / "corpora" / "web"
LABELS = ROOT / "tests" / "data" / "web" / "labels.json"


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    return [json.loads(line) for line in SUITE.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def bodies() -> dict[str, str]:
    out = {}
    for path in sorted(CORPUS.glob("*.jsonl")):
        record = json.loads(path.read_text(encoding="utf-8"))
        out[record["id"]] = record["text"]
    return out


def test_the_corpus_is_the_labelled_bodies_of_the_test_pages(bodies):
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    assert {r["file"].removesuffix(".html.gz"): r["body"] for r in labels} == bodies


def test_ids_are_unique_and_every_case_is_dev(cases):
    assert len({c["id"] for c in cases}) == len(cases)
    assert {c["split"] for c in cases} == {"dev"}  # the reader's fixes of this round were found with it


def test_answers_and_evidence_are_in_their_sources(cases, bodies):
    fold = lambda s: re.sub(r"\s+", " ", s).lower()  # noqa: E731
    for c in cases:
        assert all(s in bodies for s in c["sources"]), c["id"]
        if not c["answerable"]:
            assert c["answers"] == [] and c["type"] == "unanswerable", c["id"]
            continue
        text = fold(" ".join(bodies[s] for s in c["sources"]))
        assert c["answers"] and all(fold(a) in text for a in c["answers"]), c["id"]
        assert all(fold(e) in text for e in c["evidence"]), c["id"]


def test_no_case_was_trained_on(cases):
    trained = set()
    for path in (ROOT / "eval" / "suites").glob("train*.jsonl"):
        trained |= {json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line}
    assert not trained & {c["question"] for c in cases}
