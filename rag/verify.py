"""Check a generated answer against the passages it cites before anyone sees it.

Each sentence's citations are parsed; numbers that point at no given passage
are dropped; the sentence is scored against the passages it cites (word
overlap, numbers must match, optionally embedding similarity). A sentence that
no given passage supports is kept aside as unsupported, never shown as sourced.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from index.sentences import split_sentences
from newsdesk.terms import content_words, same_word
from rag.cite import CitationBook, format_sentence, passage_sentences
from rag.records import AnswerSentence, Citation, Passage

CITATION_RE = re.compile(r"\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
REFUSAL_MARK = "NOT IN ARTICLES"


def parse_citations(sentence: str) -> tuple[str, list[int]]:
    """The sentence without its [n] marks, and the numbers it cited, in order."""
    numbers: list[int] = []
    for m in CITATION_RE.finditer(sentence):
        numbers += [int(x) for x in re.split(r"\s*[,;]\s*", m.group(1))]
    text = CITATION_RE.sub("", sentence)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    return " ".join(text.split()), list(dict.fromkeys(numbers))


_PROMPT_ECHO = re.compile(r"^(?:question|passages?|answer|context|source)\s*:|^<<<|^>>>|^\[\d+\]\s*\(", re.IGNORECASE)
_NAME = re.compile(r"(?<!^)\b[A-Z][a-z]{2,}\b")


def is_claim(sentence: str) -> bool:
    """A statement that can be true or false: not a question, not an echo of the prompt's scaffolding."""
    text = sentence.strip()
    return bool(text) and not text.endswith("?") and not _PROMPT_ECHO.search(text) and len(content_words(text)) >= 2


def lexical_support(claim: str, source: str) -> float:
    """Share of the claim's key words found in the source; a number or a name absent from the source halves it."""
    claim_words = content_words(claim)
    if not claim_words:
        return 0.0
    source_words = set(content_words(source))
    found = sum(1 for w in claim_words if w in source_words or any(same_word(w, s) for s in source_words))
    score = found / len(claim_words)
    source_numbers = {n.replace(",", "") for n in _NUMBER.findall(source)}
    if any(n.replace(",", "") not in source_numbers for n in _NUMBER.findall(claim)):
        score *= 0.5
    source_lower = source.lower()
    if any(name.lower() not in source_lower for name in _NAME.findall(claim.strip())):
        score *= 0.5
    return score


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


def _best_quote(claim: str, passage: Passage) -> tuple[int, int, str, float]:
    """The sentence (or two adjacent sentences) of the passage that best supports the claim.

    Support is judged against this span, not the whole passage: a bag of words
    from a whole passage lets a claim stitch together facts that no sentence states.
    """
    sentences = passage_sentences(passage)
    best = (passage.start, passage.end, passage.text, 0.0)
    for i, (start, end, text) in enumerate(sentences):
        candidates = [(start, end, text, lexical_support(claim, text))]
        if i + 1 < len(sentences):
            end2 = sentences[i + 1][1]
            pair = passage.text[start - passage.start : end2 - passage.start]
            candidates.append((start, end2, pair, 0.9 * lexical_support(claim, pair)))
        for cand in candidates:
            if cand[3] > best[3]:
                best = cand
    return best


def verify_reply(
    reply: str,
    passages: list[Passage],
    threshold: float,
    similarity: Callable[[str, Passage], float] | None = None,
) -> VerifiedReply:
    """Parse, check and re-cite a generated reply. Passage n is ``passages[n-1]``."""
    if REFUSAL_MARK.lower() in reply.lower() and not CITATION_RE.search(reply):
        return VerifiedReply([], [], True, [])
    book = CitationBook()
    out: list[AnswerSentence] = []
    dropped: list[int] = []
    for start, end in split_sentences(reply):
        raw = reply[start:end]
        claim, cited = parse_citations(raw)
        if not claim or REFUSAL_MARK.lower() in claim.lower():
            continue
        if not is_claim(claim):
            out.append(AnswerSentence(text=claim, citations=(), support=0.0, supported=False))
            continue
        valid = [n for n in cited if 1 <= n <= len(passages)]
        dropped += [n for n in cited if n not in valid]

        def support_of(n: int) -> float:
            p = passages[n - 1]
            lex = _best_quote(claim, p)[3]
            if similarity is None:
                return lex
            return 0.8 * lex + 0.2 * similarity(claim, p)  # similarity: 0..1, rescaled per model

        scores = {n: support_of(n) for n in valid}
        good = [n for n in valid if scores[n] >= threshold]
        if not good:  # cited nothing that supports it: does any given passage?
            others = {n: support_of(n) for n in range(1, len(passages) + 1) if n not in scores}
            scores.update(others)
            good = [n for n, s in sorted(others.items(), key=lambda kv: -kv[1]) if s >= threshold][:1]
        if not good:
            out.append(
                AnswerSentence(
                    text=claim, citations=(), support=round(max(scores.values(), default=0.0), 3), supported=False
                )
            )
            continue
        numbers = []
        for n in good:
            qs, qe, qt, _ = _best_quote(claim, passages[n - 1])
            numbers.append(book.cite(passages[n - 1], qs, qe, qt))
        out.append(
            AnswerSentence(
                text=claim,
                citations=tuple(dict.fromkeys(numbers)),
                support=round(max(scores[n] for n in good), 3),
                supported=True,
            )
        )
    return VerifiedReply(out, book.citations, refused=False, dropped_citations=dropped)
