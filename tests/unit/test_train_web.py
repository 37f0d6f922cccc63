"""Consistency of the training corpus eval/corpora/train_web (30 real news pages of Scrapinghub's
article-extraction-benchmark) and of its question suite eval/suites/train_web.jsonl.

Nothing of the web suite may leak in: no page of tests/data/web/labels.json, and no question of web.jsonl
(or of the seed suite). Every answer alias and quote must be in its article, and every unanswerable
near miss names the words an answering article would hold together (``absent_together``): no article does.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import pytest

from eval.suite import load_suite
from tests.suite_files import jsonl_rows, normalized

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "eval" / "corpora" / "train_web"
SUITE = ROOT / "eval" / "suites" / "train_web.jsonl"
WEB_CORPUS = ROOT / "eval" / "corpora" / "web"
LABELS = ROOT / "tests" / "data" / "web" / "labels.json"
SUITES = ROOT / "eval" / "suites"

FIELDS = ["id", "title", "date", "source", "url", "text"]  # the schema of eval/corpora/web/*.jsonl
TYPES = {"single", "temporal", "multi", "unanswerable"}
PAGES = 30


def fold(text: str) -> str:
    """Case-insensitive, whitespace-normalised form for "is this alias/quote in the text"."""
    return re.sub(r"\s+", " ", text).strip().lower()


@pytest.fixture(scope="module")
def records() -> dict[str, dict]:
    out = {}
    for path in sorted(CORPUS.glob("*.jsonl")):
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        assert len(lines) == 1, f"{path.name}: one JSON object on one line"
        record = json.loads(lines[0])
        out[path.stem] = record
    return out


@pytest.fixture(scope="module")
def bodies(records) -> dict[str, str]:
    return {stem: record["text"] for stem, record in records.items()}


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    return jsonl_rows(SUITE)


def test_corpus_files_parse_and_each_id_is_its_file_stem(records):
    assert len(records) == PAGES
    for stem, record in records.items():
        assert list(record) == FIELDS, stem
        assert record["id"] == stem
        assert all(isinstance(record[k], str) and record[k].strip() for k in FIELDS), stem
        host = urlparse(record["url"]).netloc.lower().removeprefix("www.")
        assert record["source"] == host, stem
        assert re.fullmatch(rf"{re.escape(host)}-[0-9a-f]{{10}}", stem), stem
        assert date.fromisoformat(record["date"]).year == 2019, stem
        assert record["title"] == record["title"].strip() and "\n" not in record["title"], stem
    assert max(Counter(r["source"] for r in records.values()).values()) <= 2  # at most two pages per outlet


def test_no_page_of_the_web_suite_is_used(records):
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    assert len(labels) == 27
    web_urls = {label["url"] for label in labels}
    web_hashes = {label["benchmark_id"][:10] for label in labels}
    web_bodies = {fold(label["body"]) for label in labels}
    for stem, record in records.items():
        assert record["url"] not in web_urls, stem
        assert stem.rsplit("-", 1)[1] not in web_hashes, stem
        assert fold(record["text"]) not in web_bodies, stem
    assert not set(records) & {p.stem for p in WEB_CORPUS.glob("*.jsonl")}


def test_ids_are_unique_and_every_case_is_a_training_case_of_this_corpus(cases):
    suite = load_suite(SUITE, split="train")
    assert len(suite.cases) == len(cases)
    assert not [i for i, n in Counter(c["id"] for c in cases).items() if n > 1]
    for c in cases:
        assert re.fullmatch(r"trainweb-\d{3}", c["id"]), c["id"]
        assert c["split"] == "train" and c["corpus"] == "train_web", c["id"]
        assert c["type"] in TYPES and c["answer_match"] in ("any", "all"), c["id"]
        assert (c["type"] == "unanswerable") == (not c["answerable"]), c["id"]


def test_answers_and_evidence_are_in_their_sources(cases, bodies):
    for c in cases:
        assert all(s in bodies for s in c["sources"]), c["id"]
        if not c["answerable"]:
            continue
        assert c["answers"] and c["evidence"] and c["sources"], c["id"]
        assert len(set(c["sources"])) == len(c["sources"]), c["id"]
        text = fold(" ".join(bodies[s] for s in c["sources"]))
        quoted = fold(" ".join(c["evidence"]))
        assert all(fold(a) in text for a in c["answers"]), c["id"]
        assert all(fold(e) in text for e in c["evidence"]), c["id"]
        assert all(fold(a) in quoted for a in c["answers"]), c["id"]  # the quote states the answer
        for s in c["sources"]:  # every gold source holds one of the quotes
            assert any(fold(e) in fold(bodies[s]) for e in c["evidence"]), (c["id"], s)
        if c["type"] == "multi":
            assert len(c["sources"]) >= 2, c["id"]


def test_unanswerable_cases_are_empty(cases):
    for c in cases:
        if c["answerable"]:
            continue
        assert c["type"] == "unanswerable" and c["answers"] == [] and c["evidence"] == [], c["id"]
        assert len(c["sources"]) <= 1, c["id"]  # near miss: the article it is about; off-topic: none


def _holding(group: list[str], bodies: dict[str, str]) -> list[str]:
    """The articles that hold every word of ``group``: the rule of tests/unit/test_train_nearmiss.py (a word is
    found anywhere in the lower-cased text, even inside a longer word), which is stricter than matching tokens."""
    return [d for d, text in bodies.items() if all(w.lower() in text.lower() for w in group)]


def test_no_article_answers_an_unanswerable_case(cases, bodies):
    """Every unanswerable case (near miss and off-topic) names 1-3 word groups that an article answering it
    would hold together; no article of the corpus holds all words of any group."""
    found = []
    for c in cases:
        if c["answerable"]:
            assert "absent_together" not in c, c["id"]
            continue
        groups = c["absent_together"]
        assert isinstance(groups, list) and 1 <= len(groups) <= 3, c["id"]
        for group in groups:
            assert group and all(isinstance(w, str) and re.fullmatch(r"[a-z0-9]+", w) for w in group), c["id"]
            if hits := _holding(group, bodies):
                found.append((c["id"], group, hits[:3]))
    assert not found


def test_the_mix_of_kinds_covers_every_article(cases, bodies):
    answerable = [c for c in cases if c["answerable"]]
    near_miss = [c for c in cases if not c["answerable"] and c["sources"]]
    off_topic = [c for c in cases if not c["answerable"] and not c["sources"]]
    assert len(answerable) >= 100 and len(near_miss) >= 50 and len(off_topic) >= 15
    asked = Counter(s for c in answerable for s in c["sources"])
    missed = Counter(c["sources"][0] for c in near_miss)
    assert all(asked[d] >= 3 for d in bodies), asked
    assert all(missed[d] >= 1 for d in bodies), missed


def test_questions_are_new(cases):
    """No question repeats another of this file, of the web suite (never trained on) or of the seed suite."""
    mine = [normalized(c["question"]) for c in cases]
    assert len(set(mine)) == len(mine)
    others = {normalized(r["question"]) for name in ("web.jsonl", "seed.jsonl") for r in jsonl_rows(SUITES / name)}
    assert not set(mine) & others
