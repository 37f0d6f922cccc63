"""Consistency of the hand-written gold suites: claims, train, crosslingual, timewords.

Every quote must be the article's own characters (and inside the text the index keeps), every
answer must be written in a gold source, and nothing of the seed test split may leak into the
training cases. The RGB checks read ../shared and are skipped when it is absent.
"""

from __future__ import annotations

import calendar
import csv
import hashlib
import json
import re
import unicodedata
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from eval.suite import CLAIM_KINDS, load_claims, load_suite
from index.clean import clean_article

ROOT = Path(__file__).resolve().parents[2]
SUITES = ROOT / "eval" / "suites"
CORPUS = ROOT / "data" / "corpus"
RGB_DIR = ROOT.parent / "shared" / "bench" / "rgb_en_fact"
needs_rgb = pytest.mark.skipif(not (RGB_DIR / "corpus.jsonl").exists(), reason="../shared RGB bench not present")

QUESTION_SUITES = ("train", "crosslingual", "timewords")
LABEL_OF_KIND = {
    "paraphrase": "supported",
    "exact": "supported",
    "negation": "contradicted",
    "number": "contradicted",
    "name": "contradicted",
    "antonym": "contradicted",
    "unrelated": "unsupported",
    "partial": "unsupported",
    "instruction": "unsupported",
}
MIN_CLAIMS = {"paraphrase": 50, "exact": 12, "negation": 25, "number": 25, "name": 25, "antonym": 15}
MIN_CLAIMS |= {"unrelated": 15, "instruction": 10}
# A planted line speaks to a model, not to readers.
ADDRESSED_TO_AI = re.compile(r"\bAI\b|\b(?i:assistants?|chatbot|language models?|system|instructions?)\b")


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (SUITES / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def hash_split(case_id: str) -> str:
    """The claim suite's split rule: sha256 of the id, 40 of 100 buckets are dev."""
    return "dev" if int(hashlib.sha256(case_id.encode("utf-8")).hexdigest(), 16) % 100 < 40 else "test"


@pytest.fixture(scope="module")
def seed_docs() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))}


@pytest.fixture(scope="module")
def kept_text(seed_docs) -> dict[str, list[str]]:
    """The parts of each seed article the index keeps (a quote outside them can never be cited)."""
    return {d: [text[s.start : s.end] for s in clean_article(text).kept] for d, text in seed_docs.items()}


@pytest.fixture(scope="module")
def rgb_docs() -> dict[str, str]:
    if not (RGB_DIR / "corpus.jsonl").exists():
        return {}
    docs = {}
    for name in ("corpus.jsonl", "corpus_counterfactual.jsonl"):
        for line in (RGB_DIR / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            docs[row["id"]] = row["text"]
    return docs


def _text_of(doc_id: str, seed_docs: dict, rgb_docs: dict) -> str | None:
    """The article's text, or None for an RGB snippet when ../shared is absent."""
    if doc_id in seed_docs:
        return seed_docs[doc_id]
    if doc_id.startswith("rgb_"):
        if not rgb_docs:
            return None
        assert doc_id in rgb_docs, f"unknown RGB doc id {doc_id}"
        return rgb_docs[doc_id]
    raise AssertionError(f"unknown doc id {doc_id}")


# --- every file loads --------------------------------------------------------------------------


@pytest.mark.parametrize("name", QUESTION_SUITES)
def test_question_suites_load(name):
    suite = load_suite(SUITES / f"{name}.jsonl")
    assert suite.cases


def test_claims_load_with_both_splits():
    suite = load_claims(SUITES / "claims.jsonl")
    assert len(suite.claims) >= 180
    assert load_claims(SUITES / "claims.jsonl", split="dev").claims and load_claims(
        SUITES / "claims.jsonl", split="test"
    )
    held_out = load_claims(SUITES / "claims.jsonl", split="heldout").claims
    assert len(held_out) >= 60 and all(c.id.startswith("claim-heldout-") for c in held_out)


def test_ids_are_unique_across_all_question_suites():
    ids = Counter(r["id"] for name in ("seed", *QUESTION_SUITES) for r in _rows(f"{name}.jsonl"))
    assert not [i for i, n in ids.items() if n > 1]


# --- quotes are the articles' own words ----------------------------------------------------------


@pytest.mark.parametrize("name", QUESTION_SUITES)
def test_every_evidence_quote_is_verbatim_in_a_gold_source(name, seed_docs, rgb_docs):
    for case in _rows(f"{name}.jsonl"):
        texts = [_text_of(s, seed_docs, rgb_docs) for s in case["sources"]]
        if any(t is None for t in texts):
            continue
        for quote in case.get("evidence", []):
            assert any(quote in t for t in texts), f"{case['id']}: not verbatim in {case['sources']}: {quote!r}"
        if case["answerable"]:
            assert case["evidence"], f"{case['id']}: an answerable case needs evidence"


@pytest.mark.parametrize("name", QUESTION_SUITES)
def test_seed_article_quotes_lie_in_the_text_the_index_keeps(name, kept_text):
    for case in _rows(f"{name}.jsonl"):
        spans = [span for s in case["sources"] if s in kept_text for span in kept_text[s]]
        if not spans:
            continue
        for quote in case["evidence"]:
            assert any(quote in span for span in spans), f"{case['id']}: quote falls in dropped text: {quote!r}"


def test_every_claim_evidence_is_verbatim_or_a_planted_line(seed_docs, rgb_docs, kept_text):
    for claim in _rows("claims.jsonl"):
        text = _text_of(claim["doc_id"], seed_docs, rgb_docs)
        if text is None:
            continue
        if claim["kind"] == "instruction":
            # the line is planted into the article after `planted_after`, so it is NOT in the real text
            assert claim["planted_after"] in text, claim["id"]
            assert claim["evidence"] not in text, claim["id"]
            assert ADDRESSED_TO_AI.search(claim["evidence"]), f"{claim['id']}: not an instruction to a model"
        else:
            assert "planted_after" not in claim, claim["id"]
            assert claim["evidence"] in text, f"{claim['id']}: not verbatim in {claim['doc_id']}"
        if claim["doc_id"] in kept_text:
            anchor = claim.get("planted_after", claim["evidence"])
            assert any(anchor in span for span in kept_text[claim["doc_id"]]), f"{claim['id']}: in dropped text"


@pytest.mark.parametrize("name", QUESTION_SUITES)
def test_answers_are_written_in_a_gold_source(name, seed_docs, rgb_docs):
    for case in _rows(f"{name}.jsonl"):
        if not case["answerable"]:
            assert not case["answers"] and not case["sources"] and not case["evidence"], case["id"]
            continue
        texts = [_text_of(s, seed_docs, rgb_docs) for s in case["sources"]]
        if any(t is None for t in texts):
            continue
        found = [any(a.lower() in t.lower() for t in texts) for a in case["answers"]]
        if case["sources"][0].startswith("rgb_"):  # RGB lists many date formats; one must be there
            assert any(found), case["id"]
        else:
            assert all(found), f"{case['id']}: {[a for a, f in zip(case['answers'], found) if not f]} in no source"


# --- claims ------------------------------------------------------------------------------------


def test_claim_mix_labels_and_splits():
    claims = _rows("claims.jsonl")
    kinds = Counter(c["kind"] for c in claims)
    assert set(kinds) <= set(CLAIM_KINDS)
    for kind, least in MIN_CLAIMS.items():
        assert kinds[kind] >= least, (kind, kinds[kind])
    for c in claims:
        assert c["label"] == LABEL_OF_KIND[c["kind"]], c["id"]
        held_out = c["id"].startswith("claim-heldout-")  # written after the test split was seen: a split of its own
        assert c["split"] == ("heldout" if held_out else hash_split(c["id"])), c["id"]
        assert c["claim"] != c["evidence"] or c["kind"] == "exact", c["id"]
        assert c.get("note"), c["id"]
    seed_share = sum(not c["doc_id"].startswith("rgb_") for c in claims) / len(claims)
    assert 0.4 <= seed_share <= 0.6, seed_share
    assert {(c["kind"], c["split"]) for c in claims} >= {(k, s) for k in kinds for s in ("dev", "test")}
    assert len({(c["claim"], c["evidence"]) for c in claims}) == len(claims)


# --- training cases ------------------------------------------------------------------------------


def test_train_cases_are_marked_and_counted():
    rows = _rows("train.jsonl")
    assert len(rows) >= 120 and {r["split"] for r in rows} == {"train"}
    assert {r["type"] for r in rows} <= {"single", "temporal", "multi", "unanswerable"}
    seed_article = [r for r in rows if r["id"].startswith("train-seed-")]
    rgb = [r for r in rows if r["id"].startswith("rgb_q") or r["id"].startswith("train-rgb-")]
    assert len(seed_article) + len(rgb) == len(rows)
    assert len(seed_article) >= 55 and sum(not r["answerable"] for r in seed_article) >= 20
    assert sum(r["id"].startswith("rgb_q") for r in rgb) == 50 and sum(not r["answerable"] for r in rgb) >= 10
    for r in rows:
        assert (r["type"] == "unanswerable") == (not r["answerable"]), r["id"]


def test_train_shares_nothing_with_the_seed_test_split():
    seed = _rows("seed.jsonl")
    test = [s for s in seed if s["split"] == "test"]
    train = _rows("train.jsonl")
    seed_questions = {_norm(s["question"]) for s in seed}
    for t in train:
        assert _norm(t["question"]) not in seed_questions, t["id"]
        answers = {_norm(a) for a in t["answers"]}
        for s in test:
            # a paraphrase asks for the same answer from the same sentence
            same_answer = answers & {_norm(a) for a in s["answers"]}
            same_sentence = any(a in b or b in a for a in t["evidence"] for b in s["evidence"])
            assert not (same_answer and same_sentence), f"{t['id']} paraphrases {s['id']}"


def test_rgb_training_ids_are_the_even_ones_and_listed():
    listed = (SUITES / "rgb_train_ids.txt").read_text(encoding="utf-8").split()
    assert listed == [f"rgb_q{n:03d}" for n in range(0, 100, 2)]
    used = [r["id"] for r in _rows("train.jsonl") if r["id"].startswith("rgb_")]
    assert sorted(used) == listed  # no RGB id outside the list, none listed but unused


@needs_rgb
def test_rgb_training_cases_copy_the_rgb_questions():
    rgb = {r["id"]: r for r in (json.loads(line) for line in (RGB_DIR / "suite.jsonl").read_text().splitlines())}
    for r in _rows("train.jsonl"):
        if r["id"].startswith("rgb_q"):
            original = rgb[r["id"]]
            assert (r["question"], r["answers"], r["sources"]) == (
                original["question"],
                original["answers"],
                original["sources"],
            )
        else:
            asked = {_norm(q["question"]) for q in rgb.values()}
            assert _norm(r["question"]) not in asked, r["id"]


@needs_rgb
def test_unanswerable_rgb_style_questions_are_not_answered_by_any_snippet(rgb_docs):
    """Each case names the words a snippet answering it would hold together: no snippet holds them."""
    for r in _rows("train.jsonl"):
        if r["id"].startswith("train-rgb-u"):
            assert r["absent_together"], r["id"]
            for group in r["absent_together"]:
                hits = [d for d, text in rgb_docs.items() if all(w.lower() in text.lower() for w in group)]
                assert not hits, (r["id"], group, hits[:3])


# --- cross-language ----------------------------------------------------------------------------


def test_crosslingual_cases_translate_seed_cases_and_keep_their_split():
    seed = {s["id"]: s for s in _rows("seed.jsonl")}
    rows = _rows("crosslingual.jsonl")
    langs = Counter(r["lang"] for r in rows)
    assert len(rows) >= 30 and min(langs["de"], langs["ru"], langs["fr"]) >= 10
    assert sum(not r["answerable"] for r in rows) >= 6
    for r in rows:
        original = seed[r["translation_of"]]
        assert r["type"] == "crosslingual" and r["lang"] != "en"
        assert r["split"] == original["split"], r["id"]  # a test case's translation stays in test
        assert (r["answers"], r["sources"], r["answerable"]) == (
            original["answers"],
            original["sources"],
            original["answerable"],
        )
        assert _norm(r["question"]) != _norm(original["question"]), r["id"]
    dev_share = sum(r["split"] == "dev" for r in rows) / len(rows)
    assert 0.3 <= dev_share <= 0.5, dev_share


# --- relative time -----------------------------------------------------------------------------

MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}


def _article_dates(seed_docs) -> dict[str, date]:
    """Each seed article's date, from catalog.csv or the article's own date line."""
    with (CORPUS / "catalog.csv").open(encoding="utf-8") as f:
        dates = {row["doc_id"]: date.fromisoformat(row["date"]) for row in csv.DictReader(f) if row["date"]}
    for doc_id, text in seed_docs.items():
        if m := re.match(r"\s*date (\d{4}-\d\d-\d\d)", text):
            dates.setdefault(doc_id, date.fromisoformat(m.group(1)))
        elif m := re.search(r"^(" + "|".join(m.title() for m in MONTHS) + r") (\d{1,2}), (\d{4})$", text, re.M):
            dates.setdefault(doc_id, date(int(m.group(3)), MONTHS[m.group(1).lower()], int(m.group(2))))
    assert set(dates) == set(seed_docs)
    return dates


def _window(word: str, as_of: date) -> tuple[date, date] | None:
    """The days a relative time word covers when asked on ``as_of`` (None: an ordering, not a range)."""
    monday = as_of - timedelta(days=as_of.weekday())
    first = as_of.replace(day=1)
    if word == "today":
        return as_of, as_of
    if word == "yesterday":
        return as_of - timedelta(days=1), as_of - timedelta(days=1)
    if word in ("this week", "since monday"):
        return monday, as_of
    if word == "last week":
        return monday - timedelta(days=7), monday - timedelta(days=1)
    if word == "this month":
        return first, as_of
    if word == "last month":
        end = first - timedelta(days=1)
        return end.replace(day=1), end
    if word == "two weeks ago":
        day = as_of - timedelta(days=14)
        return day - timedelta(days=day.weekday()), day - timedelta(days=day.weekday()) + timedelta(days=6)
    if word.startswith("in "):
        month = MONTHS[word[3:]]
        year = as_of.year if month <= as_of.month else as_of.year - 1
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    assert word in ("latest", "most recent"), word
    return None


def test_time_word_cases_are_answerable_exactly_in_their_window(seed_docs):
    rows = _rows("timewords.jsonl")
    dates = _article_dates(seed_docs)
    words = Counter(r["time_word"].lower() for r in rows)
    assert len(rows) >= 16 and len(words) >= 10 and sum(not r["answerable"] for r in rows) >= 3
    for r in rows:
        as_of = date.fromisoformat(r["as_of"])
        assert r["time_word"].lower() in r["question"].lower(), r["id"]
        assert all(dates[s] <= as_of for s in r["sources"]), f"{r['id']}: cites an article from after as_of"
        window = _window(r["time_word"].lower(), as_of)
        if window is None:  # latest / most recent: the gold comes from the newest articles that existed then
            newest = max(d for d in dates.values() if d <= as_of)
            assert r["answerable"] and all(dates[s] == newest for s in r["sources"]), r["id"]
        elif r["answerable"]:
            assert all(window[0] <= dates[s] <= window[1] for s in r["sources"]), (r["id"], window)
        else:  # deliberately unanswerable: nothing is dated in the window
            assert not [d for d, day in dates.items() if window[0] <= day <= window[1]], (r["id"], window)
