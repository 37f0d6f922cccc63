"""Check a generated answer against the passages it cites before anyone sees it.

Each sentence's citations are parsed; numbers that point at no given passage
are dropped; the sentence is judged against the sentence(s) of each passage by
``rag.support.judge_claim`` (similarity of meaning from sentence vectors, word
overlap, and the contradiction rules of ``rag.contradiction`` as a veto:
negation, changed numbers, names, antonyms). A sentence that no given passage
supports, or that a passage contradicts, is kept aside with the reason, never
shown as sourced. A passage sentence that reads as an instruction to an AI
supports nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from index.sentences import split_sentences
from newsdesk.text.words import content_words
from rag.cite import CitationBook, format_sentence, passage_sentences
from rag.contradiction import ANTONYM, NEGATION, SWAPPED_NAMES
from rag.records import AnswerSentence, Citation, Passage
from rag.support import (
    EmbeddingSimilarity,
    Judgement,
    Similarity,
    judge_claim,
    lexical_support,
    similarity_for,
    threshold_for,
    word_overlap,
)

__all__ = ["VerifiedReply", "lexical_support", "parse_citations", "sentence_similarity", "verify_reply", "word_overlap"]

CITATION_RE = re.compile(r"\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")
REFUSAL_MARK = "NOT IN ARTICLES"


def parse_citations(sentence: str) -> tuple[str, list[int]]:
    """The sentence without its [n] marks, and the numbers it cited, in order."""
    numbers: list[int] = []
    for m in CITATION_RE.finditer(sentence):
        numbers += [int(x) for x in re.split(r"\s*[,;]\s*", m.group(1))]
    text = CITATION_RE.sub("", sentence)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    return " ".join(text.split()), list(dict.fromkeys(numbers))


# "Answer:" is a label, not a reason to skip the check: it is removed and the rest checked like any claim.
_ANSWER_LABEL = re.compile(r"^\s*(?:(?:final|short)\s+)?answer\s*:\s*", re.IGNORECASE)
_PROMPT_ECHO = re.compile(r"^(?:question|passages?|context|source)\s*:|^<<<|^>>>|^\[\d+\]\s*\(", re.IGNORECASE)
# Said otherwise by any given passage about the same thing: never shown, never re-cited to another passage.
# (Different numbers in different articles are a disagreement between sources, not a refutation:
# a number only has to match the passage the sentence is cited to.)
_REFUTING = frozenset({NEGATION, ANTONYM, SWAPPED_NAMES})
REFUTING_OVERLAP = 0.6  # ... when it is about the same thing: this share of the claim's key words in it


def strip_answer_label(sentence: str) -> str:
    """The sentence without a leading "Answer:" label."""
    return _ANSWER_LABEL.sub("", sentence, count=1)


def not_a_claim(sentence: str) -> str | None:
    """Why a sentence cannot be checked (a question, an echo of the prompt, too short), or None for a claim."""
    text = sentence.strip()
    if text.endswith("?"):
        return "a question, not an answer"
    if _PROMPT_ECHO.search(text):
        return "repeats the prompt, not an answer"
    if len(content_words(text)) < 2:
        return "too short to check against the articles"
    return None


def is_claim(sentence: str) -> bool:
    """A statement that can be true or false: not a question, not an echo of the prompt's scaffolding."""
    return bool(sentence.strip()) and not_a_claim(sentence) is None


@dataclass
class VerifiedReply:
    sentences: list[AnswerSentence]
    citations: list[Citation]
    refused: bool
    dropped_citations: list[int]

    @property
    def text(self) -> str:
        return " ".join(format_sentence(s.text, s.citations) for s in self.sentences if s.supported)

    @property
    def supported(self) -> list[AnswerSentence]:
        return [s for s in self.sentences if s.supported]


@dataclass(frozen=True)
class _Quote:
    """The span of a passage that best supports a claim (ORIGINAL offsets), and the judgement on it."""

    start: int
    end: int
    text: str
    judgement: Judgement

    @property
    def contradiction(self):
        return self.judgement.contradiction

    @property
    def overlap(self) -> float:
        return self.judgement.overlap


def _best_quote(claim: str, passage: Passage, similarity: Similarity | None, threshold: float) -> _Quote | None:
    """The sentence (or two adjacent sentences) of the passage that best supports the claim, judged.

    Support is judged against this span, not the whole passage: a bag of words
    from a whole passage lets a claim stitch together facts that no sentence states.
    None when the passage has no sentence that may support anything (only instructions to an AI).
    """
    sentences = passage_sentences(passage)
    judgement = judge_claim(
        claim, [text for _, _, text in sentences], similarity, context=passage.text, threshold=threshold
    )
    if judgement.span is None:
        return None
    first, last = judgement.span
    start, end = sentences[first][0], sentences[last][1]
    return _Quote(start, end, passage.text[start - passage.start : end - passage.start], judgement)


def sentence_similarity(
    embedder,
    passages: Sequence[Passage],
    sentence_vectors: Callable[[Sequence[tuple[str, int, int]]], np.ndarray] | None = None,
) -> EmbeddingSimilarity | None:
    """Similarity of a claim to the passages' sentences: their vectors from ``sentence_vectors`` (the
    index's, keyed ``(doc_id, start, end)``; NaN rows where it has none), the rest embedded now.
    None for an embedder the verifier was not calibrated with (``rag.support.similarity_for``)."""
    keys = {text: (p.doc_id, s, e) for p in passages for s, e, text in passage_sentences(p)}
    lookup = None
    if sentence_vectors is not None:

        def lookup(texts: Sequence[str]) -> np.ndarray:
            rows = np.full((len(texts), embedder.dim), np.nan, dtype=np.float32)
            known = [i for i, t in enumerate(texts) if t in keys]
            if known:
                rows[known] = sentence_vectors([keys[texts[i]] for i in known])
            return rows

    return similarity_for(embedder, sentence_vectors=lookup)


def verify_reply(
    reply: str,
    passages: list[Passage],
    threshold: float,
    similarity: Similarity | None = None,
) -> VerifiedReply:
    """Parse, check and re-cite a generated reply. Passage n is ``passages[n-1]``.

    ``similarity``: of a claim to each of a passage's sentences, 0..1 (``sentence_similarity``); without
    it, support is word overlap alone and must reach at least ``rag.support.WORDS_ONLY_THRESHOLD``.
    """
    threshold = threshold_for(similarity, threshold)
    if REFUSAL_MARK.lower() in reply.lower() and not CITATION_RE.search(reply):
        return VerifiedReply([], [], True, [])
    book = CitationBook()
    out: list[AnswerSentence] = []
    dropped: list[int] = []
    for start, end in split_sentences(reply):
        claim, cited = parse_citations(reply[start:end])
        claim = strip_answer_label(claim)
        if not claim or REFUSAL_MARK.lower() in claim.lower():
            continue
        valid = [n for n in cited if 1 <= n <= len(passages)]
        dropped += [n for n in cited if n not in valid]
        why_not = not_a_claim(claim)
        if why_not:
            out.append(AnswerSentence(text=claim, citations=(), support=0.0, supported=False, reason=why_not))
            continue
        quotes = {n: _best_quote(claim, p, similarity, threshold) for n, p in enumerate(passages, start=1)}
        refuting = next(
            (
                q.contradiction
                for q in quotes.values()
                if q and q.contradiction and q.contradiction.kind in _REFUTING and q.overlap >= REFUTING_OVERLAP
            ),
            None,
        )
        if refuting:
            reason = f"an article says otherwise: {refuting.reason}"
            out.append(AnswerSentence(text=claim, citations=(), support=0.0, supported=False, reason=reason))
            continue

        def support_of(n: int) -> float:
            quote = quotes[n]
            return 0.0 if quote is None or quote.contradiction else quote.judgement.score

        scores = {n: support_of(n) for n in valid}
        good = [n for n in valid if scores[n] >= threshold]
        if not good:  # cited nothing that supports it: does any given passage?
            others = {n: support_of(n) for n in range(1, len(passages) + 1) if n not in scores}
            scores.update(others)
            good = [n for n, s in sorted(others.items(), key=lambda kv: -kv[1]) if s >= threshold][:1]
        if not good:
            out.append(
                AnswerSentence(
                    text=claim,
                    citations=(),
                    support=round(max(scores.values(), default=0.0), 3),
                    supported=False,
                    reason=_unsupported_reason(valid, quotes),
                )
            )
            continue
        numbers = []
        for n in good:
            q = quotes[n]
            if q is not None:  # a passage with no usable sentence has support 0: never among the good
                numbers.append(book.cite(passages[n - 1], q.start, q.end, q.text))
        out.append(
            AnswerSentence(
                text=claim,
                citations=tuple(dict.fromkeys(numbers)),
                support=round(max(scores[n] for n in good), 3),
                supported=True,
            )
        )
    return VerifiedReply(out, book.citations, refused=False, dropped_citations=dropped)


def _unsupported_reason(cited: list[int], quotes: dict[int, _Quote | None]) -> str:
    """Why no passage supports a sentence: what the article closest to it (the cited one on a tie) says otherwise."""
    checked = [(n, q.overlap, q.contradiction) for n, q in quotes.items() if q is not None and q.contradiction]
    if not checked:
        return "no retrieved article states it"
    n, _, found = min(checked, key=lambda c: (-c[1], c[0] not in cited))
    which = "the article it cites" if n in cited else "the closest article"
    return f"{which} does not back it: {found.reason}"
