"""Score the evidence: every sentence of the retrieved passages, ranked by the reader's learned model,
and whether the best of it answers the question at all. Both answer paths use it: the offline
answer quotes the best sentences, the generation path checks against the same passages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from index.sentences import split_sentences
from newsdesk.text.overlap import weighted_coverage
from rag.cite import passage_sentences
from rag.features import FEATURES, Candidate, answerability_features, feature_matrix
from rag.focus import QuestionProfile, profile_question
from rag.reader import ReaderPair
from rag.records import Passage
from rag.spans import asks_money, next_to_focus

__all__ = ["Candidate", "Evidence", "QuestionProfile", "ScoredSentence", "candidates_of", "coverage",
           "profile_question", "score_evidence"]  # fmt: skip


def coverage(profile: QuestionProfile, sentence: str) -> float:
    """Rarity-weighted share of the question's key words that the sentence contains."""
    return weighted_coverage(profile.terms, profile.weights, sentence)


@dataclass(frozen=True)
class ScoredSentence:
    """A sentence of a retrieved passage (offsets into the original article) with its evidence score."""

    passage: Passage
    start: int
    end: int
    text: str
    score: float  # the ranker's probability that it answers the question
    coverage: float  # share of the question's key words it holds


@dataclass(frozen=True)
class Evidence:
    ranked: list[ScoredSentence]  # best first
    answerable: float  # the answerability model's P(the best evidence answers the question)
    threshold: float
    focus_stated: bool = True  # the best evidence states what the question asks about (see ``states_focus``)

    @property
    def answered(self) -> bool:
        return bool(self.ranked) and self.answerable >= self.threshold and self.focus_stated


FOCUS_GATE_TOP = 3  # the focus must be stated by one of the best few sentences
RUNNER_UP = 0.8  # a runner-up is quoted too when its probability is at least this share of the best one's


def states_focus(
    profile: QuestionProfile,
    x: np.ndarray,
    order: np.ndarray,
    texts: Sequence[str] = (),
    probability: np.ndarray | None = None,
) -> bool:
    """Does the best evidence state what was asked? A question that counts or measures a named thing
    ("how many drones", "how long did the talks last") is answered only by a number or duration next
    to that thing: evidence naming the same people and places, with a number about something else,
    does not answer it. A question about a sum of money ("how much did Facebook pay") is answered only
    by an amount in a currency in a sentence the answer quotes (the best, or a runner-up within
    ``RUNNER_UP`` of its ``probability``): another article's sums among the best few say nothing.
    ("What qualities", "what sort of partnership": the answer is an instance of the noun, not the noun
    itself, so those are left to the answerability model.) With ``texts`` (the
    candidates' sentences, in the order of ``x``) a phrase right next to the focus counts however many
    words it has itself ("around 4.5 million bottles")."""
    if profile.foreign or not len(order) or profile.wants not in ("number", "duration"):
        return True
    top = x[order[:FOCUS_GATE_TOP]]
    if profile.wants == "number" and asks_money(profile.text):  # "how much did they pay": a sum in a currency
        best = order[0]
        quoted = [best] + [
            i
            for i in order[1:FOCUS_GATE_TOP]
            if probability is not None and probability[i] >= RUNNER_UP * probability[best]
        ]
        return bool(x[quoted, FEATURES.index("typed")].max() > 0)
    if not profile.focus:
        return True
    if not profile.focus_asked and profile.wants != "duration":  # "how long did the talks last": talks are the focus
        return True
    if top[:, FEATURES.index("typed_near_focus")].max() > 0:
        return True
    return len(texts) == len(x) and any(next_to_focus(profile, texts[i]) for i in order[:FOCUS_GATE_TOP])


PREVIOUS_WINDOW = 600  # characters before a passage searched for the sentence that precedes its first one


def sentence_before(text: str, start: int) -> str:
    """The article's sentence that ends before ``start`` ("" at the start of the article)."""
    window = text[max(0, start - PREVIOUS_WINDOW) : start]
    sentences = split_sentences(window)
    return window[sentences[-1][0] : sentences[-1][1]] if sentences else ""


def candidates_of(passages: Sequence[Passage], text_of: Callable[[str], str | None] | None = None) -> list[Candidate]:
    """Every sentence of every passage once (overlapping chunks repeat sentences), in retrieval order.
    With ``text_of`` (doc id -> article text) a passage's first sentence gets the article's sentence before
    it as context, wherever the chunk happened to start ("The meeting took place at ...")."""
    seen: set[tuple[str, int, int]] = set()
    out: list[Candidate] = []
    for rank, p in enumerate(passages):
        article = text_of(p.doc_id) if (text_of is not None and p.start > 0) else None
        previous = sentence_before(article, p.start) if article else ""
        for start, end, text in passage_sentences(p):
            key = (p.doc_id, start, end)
            if key not in seen:
                seen.add(key)
                out.append(Candidate(p, rank, start, end, text, previous))
            previous = text
    return out


def score_evidence(
    profile: QuestionProfile,
    passages: Sequence[Passage],
    similarities: Callable[[list[Candidate]], np.ndarray],
    model: ReaderPair,
    *,
    story_of: Callable[[str], str] | None = None,
    threshold: float | None = None,
    text_of: Callable[[str], str | None] | None = None,
) -> Evidence:
    """Rank every candidate sentence and decide answerability; ``similarities`` gives rescaled
    question-sentence cosines for a list of candidates."""
    candidates = candidates_of(passages, text_of)
    if not candidates:
        return Evidence([], 0.0, model.threshold if threshold is None else threshold)
    x = feature_matrix(profile, candidates, similarities(candidates), story_of)
    probability = model.ranker.probability(x)
    order = np.argsort(-probability, kind="stable")
    focus_stated = states_focus(profile, x, order, [c.text for c in candidates], probability)
    summary = answerability_features(
        x,
        probability,
        profile.focus_in_corpus,
        focus_stated=focus_stated,
        cross_language=profile.foreign,
        question=profile.text,
        texts=[c.text for c in candidates],
    )
    # A question with no words to look for ("?", "the") is answered by nothing, however close a sentence seems;
    # nor is one about someone or something the articles never mention ("What did Bong Joon Ho win at Cannes?").
    unanswerable = not profile.terms or (bool(profile.unknown_names) and not profile.foreign)
    answerable = 0.0 if unanswerable else float(model.answerable.probability(summary)[0])
    scored = [
        ScoredSentence(
            c.passage,
            c.start,
            c.end,
            c.text,
            round(float(p), 6),
            weighted_coverage(profile.terms, profile.weights, c.text),
        )
        for c, p in zip(candidates, probability)
    ]
    scored.sort(key=lambda s: (-s.score, s.passage.doc_id, s.start))
    return Evidence(scored, answerable, model.threshold if threshold is None else threshold, focus_stated)
