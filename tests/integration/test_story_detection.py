"""Measured: the story-copy detector on labelled pairs, and conflict detection on RGB counterfactuals.

Run with `pytest -s` to see the figures (they are also quoted in the README).
"""

from __future__ import annotations

import json
import random
import re
import shutil

import pytest

import index
import rag
from index.chunk import chunk_article
from index.clean import clean_article
from index.embedders.minilm_onnx import MiniLMOnnxEmbedder
from index.sentences import split_sentences
from index.stories import judge_pair
from newsdesk.text.values import normalize_value
from tests.conftest import RGB_DIR, SEED_CORPUS, make_settings

pytestmark = [pytest.mark.slow, pytest.mark.heavy]  # benchmarks over RGB and labelled pairs (~70 s)

_SYNONYMS = {
    "said": "stated",
    "told": "informed",
    "meeting": "talks",
    "leader": "head",
    "country": "nation",
    "large": "big",
    "visit": "trip",
    "relations": "ties",
    "began": "started",
    "military": "armed forces'",
    "deepening": "growing",
    "officials": "representatives",
    "reported": "said",
    "also": "as well",
}


def _sentences(text):
    return [text[s:e] for s, e in split_sentences(text)]


def _edited(text: str, rng: random.Random, drop: float, swap: bool) -> str:
    kept = [s for s in _sentences(text) if rng.random() > drop]
    if swap:
        kept = [re.sub(r"\b(" + "|".join(_SYNONYMS) + r")\b", lambda m: _SYNONYMS[m.group(1)], s) for s in kept]
    return "\n\n".join(kept)


def _labelled_pairs():
    rng = random.Random(11)
    seeds = {p.stem: p.read_text(encoding="utf-8") for p in sorted(SEED_CORPUS.glob("*.txt"))}
    ids = sorted(seeds)
    pairs = []
    for i, a in enumerate(ids):  # real pairs: only the DW original and its machine translation are one story
        for b in ids[i + 1 :]:
            same = {a[:3], b[:3]} == {"001", "002"}
            pairs.append((f"seed {a[:3]}-{b[:3]}", seeds[a], seeds[b], same))
    for a in ids:  # constructed copies of each seed article
        pairs.append((f"identical {a[:3]}", seeds[a], seeds[a], True))
        pairs.append((f"light edit {a[:3]}", seeds[a], _edited(seeds[a], rng, 0.15, False), True))
        pairs.append((f"rewrite {a[:3]}", seeds[a], _edited(seeds[a], rng, 0.3, True), True))
        pairs.append(
            (
                f"excerpt vs other story {a[:3]}",
                _edited(seeds[a], rng, 0.5, False),
                seeds[ids[(ids.index(a) + 2) % len(ids)]],
                False,
            )
        )
    snippets = [json.loads(line) for line in (RGB_DIR / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    by_question: dict[int, list[str]] = {}
    for s in snippets:
        if "positive" in s.get("kinds", []):
            by_question.setdefault(s["rgb_qids"][0], []).append(s["text"])
    for qid in sorted(by_question)[:30]:  # two sources reporting the same fact: similar, not one story
        texts = by_question[qid]
        if len(texts) >= 2 and texts[0] != texts[1]:
            pairs.append((f"rgb q{qid} two sources", texts[0], texts[1], False))
    return pairs


def _vectors(embedder, text):
    chunks = chunk_article("x", clean_article(text), 90, 1)
    return embedder.embed_passages([c.text for c in chunks])


def test_story_copy_detector_precision_and_recall():
    if not RGB_DIR.exists():  # 30 of the 55 labelled pairs are RGB snippets
        pytest.skip(f"{RGB_DIR} is not there")
    embedder = MiniLMOnnxEmbedder()
    tp = fp = fn = tn = 0
    mistakes = []
    for name, a, b, same in _labelled_pairs():
        verdict = judge_pair(a, b, _vectors(embedder, a), _vectors(embedder, b), embedder.similarity_floor)
        if verdict.same_story and same:
            tp += 1
        elif verdict.same_story:
            fp += 1
            mistakes.append((name, verdict))
        elif same:
            fn += 1
            mistakes.append((name, verdict))
        else:
            tn += 1
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    print(
        f"\nstory detector (MiniLM): {tp + fp + fn + tn} pairs, {tp + fn} same-story; "
        f"precision {precision:.3f}, recall {recall:.3f}; mistakes: {mistakes}"
    )
    assert precision >= 0.9 and recall >= 0.9  # measured 2026-11-23: 0.941 / 1.000 (55 pairs)


def _rgb_index(tmp_path, with_counterfactual: bool):
    corpus = tmp_path / ("rgb-cf" if with_counterfactual else "rgb")
    corpus.mkdir()
    shutil.copyfile(RGB_DIR / "corpus.jsonl", corpus / "corpus.jsonl")  # copies: links out of a corpus are not read
    if with_counterfactual:
        shutil.copyfile(RGB_DIR / "corpus_counterfactual.jsonl", corpus / "counterfactual.jsonl")
    settings = make_settings(
        tmp_path, embedder="minilm-onnx", corpus=corpus, index={"store_dir": str(tmp_path / f"store-{corpus.name}")}
    )
    index.build(settings=settings)
    return rag.open_index(settings)


def _names(side: str, answer: str) -> bool:
    """Does a side's value (normalised) name the answer: one holds the other, or it is the same name written
    family name first ("Liu Yifei" for "Yifei Liu")?"""
    return answer in side or side in answer or sorted(side.split()) == sorted(answer.split())


def test_rgb_counterfactual_conflicts_are_found(tmp_path):
    """A counterfactual snippet states a false answer beside RGB's real ones: the answer should show that
    disagreement. A detection counts only when the sides name both the true and the false answer (a flag
    whose sides are "Season" and "March" shows the user nothing true)."""
    if not RGB_DIR.exists():
        pytest.skip(f"{RGB_DIR} is not there")
    suite = [json.loads(line) for line in (RGB_DIR / "suite.jsonl").read_text(encoding="utf-8").splitlines()]
    clean, mixed = _rgb_index(tmp_path, False), _rgb_index(tmp_path, True)
    present_count = detected = flagged_present = other_flags = 0
    for case in suite:
        cf_ids = set(case["counterfactual_sources"])
        answer = rag.answer(case["question"], news_index=mixed)
        present = any(p.doc_id in cf_ids for p in answer.trace) and any(
            p.doc_id in case["sources"] for p in answer.trace
        )
        present_count += present
        values = {normalize_value(v) for c in answer.conflicts for v, _ in c.sides}
        gold = {normalize_value(a) for a in case["answers"]}
        false = normalize_value(case["false_answer"])
        both_named = any(any(_names(v, g) for v in values) for g in gold) and any(_names(v, false) for v in values)
        if answer.conflicts and present and both_named:
            detected += 1
        elif answer.conflicts:
            other_flags += 1
            flagged_present += present
        if rag.answer(case["question"], news_index=clean).conflicts:
            other_flags += 1  # the real snippets alone should rarely disagree
    precision, recall = detected / max(1, detected + other_flags), detected / max(1, present_count)
    print(
        f"\nRGB counterfactual conflicts (MiniLM): {present_count} questions with both sides retrieved; "
        f"detected (true and false answer both shown) {detected}, flagged otherwise {other_flags} over both runs "
        f"({flagged_present} of them where both sides were retrieved); precision {precision:.3f}, recall {recall:.3f}"
    )
    # Measured 2026-12-02, later (MiniLM, main as of 7f99865): 41 questions with both snippets retrieved; the
    # rules before edited copies and out-of-role names: 15 detected, 47 other flags (precision 0.242, recall
    # 0.366); with them: 25 detected, 46 other flags (0.352 / 0.610). Earlier the same day, on the retrieval and
    # reader of then: 10 of 36 detected, 33 other flags (0.233 / 0.278). The later figures count a side naming
    # the answer family name first ("Liu Yifei" for "Yifei Liu") as naming it; the earlier ones did not. Part
    # of the other flags are real disagreements among RGB's own snippets (a 2019 winner in results for 2021).
    assert precision >= 0.3 and recall >= 0.55
