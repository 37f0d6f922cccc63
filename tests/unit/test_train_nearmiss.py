"""Consistency of the hand-written training files eval/suites/train_nearmiss.jsonl, train_more.jsonl and train_crosslingual.jsonl.

Every quote must be the article's own characters (for the seed articles: inside the text the
index keeps), every answer alias must be written in a gold source, no question may repeat one of
another suite, and nothing of the seed test split or of RGB's reporting half may leak in. The RGB
checks read ../shared and are skipped when it is absent.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from eval.suite import load_suite
from tests.suite_files import check_grounded, jsonl_rows, kept_seed_texts, normalized

ROOT = Path(__file__).resolve().parents[2]
SUITES = ROOT / "eval" / "suites"
ID_PREFIX = {"train_nearmiss.jsonl": "trainnm", "train_more.jsonl": "trainmore", "train_crosslingual.jsonl": "trainxl"}
CORPUS = ROOT / "data" / "corpus"
RGB_DIR = ROOT.parent / "shared" / "bench" / "rgb_en_fact"
needs_rgb = pytest.mark.skipif(not (RGB_DIR / "corpus.jsonl").exists(), reason="../shared RGB bench not present")

TYPES = {"single", "temporal", "multi", "duplicate", "unanswerable"}
DW_COPIES = {"001_6424d35343858a03", "002_102502518f9dd0d1"}


@pytest.fixture(scope="module", params=sorted(ID_PREFIX))
def suite_path(request) -> Path:
    return SUITES / request.param


@pytest.fixture(scope="module")
def rows(suite_path) -> list[dict]:
    return jsonl_rows(suite_path)


def _is_seed(case: dict) -> bool:
    return re.fullmatch(r"[a-z]+-seed-\d{3}", case["id"]) is not None


def _is_rgb(case: dict) -> bool:
    return re.fullmatch(r"[a-z]+-rgb-\d{3}", case["id"]) is not None


@pytest.fixture(scope="module")
def seed_kept() -> dict[str, str]:
    return kept_seed_texts(CORPUS)


@pytest.fixture(scope="module")
def rgb_docs() -> dict[str, str]:
    if not (RGB_DIR / "corpus.jsonl").exists():
        return {}
    return {row["id"]: row["text"] for row in jsonl_rows(RGB_DIR / "corpus.jsonl")}


def test_every_training_file_is_checked_here():
    """A new hand-written train*.jsonl must be added to ID_PREFIX, or none of these checks would run on it."""
    written_here = {p.name for p in SUITES.glob("train*.jsonl")} - {
        "train.jsonl",
        "train_web.jsonl",
    }  # train.jsonl: test_gold_suites; train_web.jsonl: test_train_web
    assert written_here == set(ID_PREFIX)


def test_file_loads_and_every_case_is_a_training_case(suite_path, rows):
    suite = load_suite(suite_path, split="train")
    assert len(suite.cases) == len(rows) >= 100
    ids = Counter(r["id"] for r in rows)
    assert not [i for i, n in ids.items() if n > 1]
    prefix = ID_PREFIX[suite_path.name]
    for r in rows:
        assert re.fullmatch(rf"{prefix}-(seed|rgb)-\d{{3}}", r["id"]), r["id"]
        assert r["split"] == "train" and r["type"] in TYPES, r["id"]
        assert r["answer_match"] in ("any", "all"), r["id"]
        assert (r.get("corpus") == "rgb") == _is_rgb(r), r["id"]
        assert (r["type"] == "unanswerable") == (not r["answerable"]), r["id"]
        if r["answerable"]:
            assert r["answers"] and r["sources"] and r["evidence"], r["id"]
            assert all(a.strip() for a in r["answers"]) and len(set(r["sources"])) == len(r["sources"]), r["id"]
        else:
            assert r["answers"] == r["sources"] == r["evidence"] == [], r["id"]


def test_both_kinds_are_present_over_both_corpora(rows):
    kinds = Counter((r.get("corpus", "seed"), r["answerable"]) for r in rows)
    assert min(kinds[(corpus, answerable)] for corpus in ("seed", "rgb") for answerable in (True, False)) >= 20


def test_ids_and_questions_are_new(suite_path, rows):
    """No id clashes with another suite, and no question repeats one of another suite or of RGB."""
    names = ["seed.jsonl", "train.jsonl", "crosslingual.jsonl", "timewords.jsonl", *ID_PREFIX]
    others = [r for name in names if name != suite_path.name for r in jsonl_rows(SUITES / name)]
    assert not {r["id"] for r in rows} & {o["id"] for o in others}
    asked = {normalized(o["question"]) for o in others}
    if (RGB_DIR / "suite.jsonl").exists():
        asked |= {normalized(q["question"]) for q in jsonl_rows(RGB_DIR / "suite.jsonl")}
    assert len({normalized(r["question"]) for r in rows}) == len(rows)
    assert not [r["id"] for r in rows if normalized(r["question"]) in asked]


def test_seed_cases_are_grounded_in_the_kept_text(rows, seed_kept):
    for r in rows:
        if _is_seed(r) and r["answerable"]:
            assert set(r["sources"]) <= set(seed_kept), r["id"]
            check_grounded(r, seed_kept)
            if r["type"] == "duplicate":
                assert set(r["sources"]) == DW_COPIES, r["id"]
            if r["type"] == "multi":
                assert len(set(r["sources"]) - DW_COPIES) >= 1 and set(r["sources"]) & DW_COPIES, r["id"]


@needs_rgb
def test_rgb_cases_are_grounded_in_their_snippets(rows, rgb_docs):
    for r in rows:
        if _is_rgb(r) and r["answerable"]:
            assert all(s in rgb_docs for s in r["sources"]), r["id"]
            check_grounded(r, rgb_docs)


def _answered_by(case: dict, texts: dict[str, str]) -> list[tuple]:
    """The (group, doc ids) of the case's ``absent_together`` word groups that some text holds together."""
    found = []
    for group in case["absent_together"]:
        hits = [d for d, text in texts.items() if all(w.lower() in text.lower() for w in group)]
        if hits:
            found.append((case["id"], group, hits[:3]))
    return found


def test_unanswerable_seed_cases_are_answered_by_no_article(rows, seed_kept):
    """Each case names the words an article answering it would hold together: no seed article holds them."""
    unanswerable = [r for r in rows if _is_seed(r) and not r["answerable"]]
    assert all(r["absent_together"] for r in unanswerable)
    assert not [hit for r in unanswerable for hit in _answered_by(r, seed_kept)]


@needs_rgb
def test_unanswerable_rgb_cases_are_answered_by_no_snippet(rows, rgb_docs):
    """Each case names the words a snippet answering it would hold together: no snippet holds them."""
    unanswerable = [r for r in rows if _is_rgb(r) and not r["answerable"]]
    assert all(r["absent_together"] for r in unanswerable)
    assert not [hit for r in unanswerable for hit in _answered_by(r, rgb_docs)]


def _within(part: str, whole: str) -> bool:
    """Whether normalised ``part`` is ``whole`` or a run of its words ("military parade" in "largest military parade")."""
    return f" {part} " in f" {whole} "


def test_nothing_of_the_seed_test_split_leaks_in(rows):
    """A case that asks a test case's answer from the same sentence is a paraphrase of it; an alias that holds
    the test answer ("largest-ever military parade" for "military parade") teaches that answer as well."""
    test = [s for s in jsonl_rows(SUITES / "seed.jsonl") if s["split"] == "test"]
    leaks = []
    for r in rows:
        answers = {normalized(a) for a in r["answers"]}
        for s in test:
            theirs = {normalized(a) for a in s["answers"]}
            same_answer = any(_within(a, b) or _within(b, a) for a in answers for b in theirs)
            same_sentence = any(a in b or b in a for a in r["evidence"] for b in s["evidence"])
            if same_answer and same_sentence:
                leaks.append(f"{r['id']} paraphrases {s['id']}")
    assert not leaks


SAME_QUESTION = 0.6  # content-word Jaccard at which two questions about one corpus ask the same thing


def test_no_unanswerable_test_question_is_asked_again_for_training():
    """An unanswerable test question has no answer or sentence to compare: a training case that asks the
    same thing in other words ("... during the talks in Beijing?" for "... during the visit?") is a leak."""
    from newsdesk.text.words import content_words

    test = [s for s in jsonl_rows(SUITES / "seed.jsonl") if s["split"] == "test" and not s["answerable"]]
    training = [r for path in sorted(SUITES.glob("train*.jsonl")) for r in jsonl_rows(path)]
    training += [s for s in jsonl_rows(SUITES / "seed.jsonl") if s["split"] == "dev"]
    leaks = []
    for r in training:
        asked = set(content_words(r["question"]))
        for s in test:
            other = set(content_words(s["question"]))
            if len(asked & other) / max(1, len(asked | other)) >= SAME_QUESTION:
                leaks.append(f"{r['id']} asks {s['id']} again")
    assert not leaks


def _reporting_half() -> list[dict]:
    """RGB's questions that are not listed in rgb_train_ids.txt: kept for reporting, never trained on."""
    train_ids = set((SUITES / "rgb_train_ids.txt").read_text(encoding="utf-8").split())
    return [q for q in jsonl_rows(RGB_DIR / "suite.jsonl") if q["id"] not in train_ids]


def _names_a_held_out_answer(alias: str, held_out: str) -> bool:
    """Equal, or one holds the other as a name: "Kerber" for "Angelique Kerber", "Facebook's deal" for "Facebook".
    Numbers and dates only count when equal: "2019" is no answer of a question whose answer is "Nov 17, 2019"."""
    if alias == held_out:
        return True
    if re.search(r"[a-z]", alias) and not re.search(r"\d", alias) and _within(alias, held_out):
        return True
    return not re.search(r"\d", held_out) and _within(held_out, alias)


@needs_rgb
def test_no_answer_of_rgb_reporting_half(rows):
    """RGB's odd-numbered questions are kept for reporting: no training case teaches their answers."""
    held_out = {normalized(a) for q in _reporting_half() for a in q["answers"]}
    for r in rows:
        taught = [(a, h) for a in r["answers"] for h in held_out if _names_a_held_out_answer(normalized(a), h)]
        assert not taught, (r["id"], taught)


@needs_rgb
def test_no_source_is_a_snippet_of_rgb_reporting_half(rows, rgb_docs):
    """A snippet retrieved for a reporting question (its ``rgb_qids``) is part of that question's test: no training
    case may use it as a gold source, even when the snippet also serves a training question."""
    reporting = {int(q["id"].removeprefix("rgb_q")) for q in _reporting_half()}
    qids = {row["id"]: set(row["rgb_qids"]) for row in jsonl_rows(RGB_DIR / "corpus.jsonl")}
    used = [(r["id"], s) for r in rows for s in r["sources"] if s in rgb_docs and qids[s] & reporting]
    assert not used


@needs_rgb
def test_no_rgb_case_asks_a_reporting_question_again(rows):
    """Asking a reporting question in other words ("... Wimbledon in 2018?" with another verb) is a leak, as for
    the seed test split."""
    from newsdesk.text.words import content_words

    reporting = [(q["id"], set(content_words(q["question"]))) for q in _reporting_half()]
    leaks = []
    for r in rows:
        if _is_rgb(r):
            asked = set(content_words(r["question"]))
            for qid, other in reporting:
                if len(asked & other) / max(1, len(asked | other)) >= SAME_QUESTION:
                    leaks.append(f"{r['id']} asks {qid} again")
    assert not leaks


def test_off_topic_questions_teach_refusal_on_both_corpora():
    """Questions about nothing the corpus covers ("How do I fix a leaking kitchen tap?") must be among the
    unanswerable training cases: with near misses alone, a question far from every article lies outside
    what the answerability model has seen, and it may answer it with the least unrelated sentence."""
    rows = [r for name in ID_PREFIX for r in jsonl_rows(SUITES / name)]
    off_topic = [r for r in rows if "off_topic" in r.get("challenge", [])]
    assert all(not r["answerable"] for r in off_topic)
    assert min(Counter(r.get("corpus", "seed") for r in off_topic)[c] for c in ("seed", "rgb")) >= 10
