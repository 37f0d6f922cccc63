"""eval/suites/train_crosslingual.jsonl: training questions asked in another language than the corpus's.

Each row translates one English training case and keeps its answers, sources and evidence, so the
cross-language reader learns (and sets its refusal threshold) on more than the crosslingual suite's few dev
questions. The checks every hand-written training file gets (grounding, leaks) are in test_train_nearmiss.py.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from eval.train_reader import training_cases
from tests.suite_files import jsonl_rows, normalized

SUITES = Path(__file__).resolve().parents[2] / "eval" / "suites"
PATH = SUITES / "train_crosslingual.jsonl"


def _english_training_rows() -> dict[str, dict]:
    rows = [r for p in sorted(SUITES.glob("train*.jsonl")) if p != PATH for r in jsonl_rows(p)]
    return {r["id"]: r for r in rows}


def test_each_case_translates_an_english_training_case_and_keeps_its_answers():
    originals = _english_training_rows()
    rows = jsonl_rows(PATH)
    for r in rows:
        original = originals[r["translation_of"]]  # a training case: never a test or reporting question
        assert r["lang"] not in ("", "en") and r["split"] == original["split"] == "train", r["id"]
        kept = ("answers", "sources", "answerable", "evidence", "type")
        assert {k: r[k] for k in kept} == {k: original[k] for k in kept}, r["id"]
        assert normalized(r["question"]) != normalized(original["question"]), r["id"]
    assert len({r["translation_of"] for r in rows}) == len(rows)


def test_several_languages_and_both_kinds_are_present():
    rows = jsonl_rows(PATH)
    langs = Counter(r["lang"] for r in rows)
    assert len(langs) >= 3 and min(langs.values()) >= 20
    assert min(Counter(r["answerable"] for r in rows).values()) >= 40


def test_translated_training_cases_are_trained_as_asked_in_another_language(tmp_path):
    """The language detector misses some short questions ("Qui a réalisé Wonder Woman 1984 ?"): a case that
    says it is in another language trains the cross-language reader, never the same-language one."""
    cases = training_cases(SUITES, rgb_dir=tmp_path)
    foreign = {c.id for c, is_foreign in cases if is_foreign}
    translated = {r["id"] for r in jsonl_rows(PATH)}
    assert translated <= foreign
    assert not [c.id for c, is_foreign in cases if is_foreign and c.id not in translated and c.lang in (None, "en")]
