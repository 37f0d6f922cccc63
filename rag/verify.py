"""Check a generated answer against the passages it cites before anyone sees it.

Each sentence's citations are parsed; numbers that point at no given passage
are dropped; the sentence is scored against the sentence(s) of the passages it
cites (word overlap, numbers and names must match, optionally embedding
similarity) and checked for contradiction (``rag.contradiction``: negation,
changed numbers, names, antonyms). A sentence that no given passage supports,
or that a passage contradicts, is kept aside with the reason, never shown as
sourced. A passage sentence that reads as an instruction to an AI supports nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from index.clean import is_instruction_to_ai
from index.sentences import split_sentences
from newsdesk.terms import content_words, same_word
from rag.cite import CitationBook, format_sentence, passage_sentences
from rag.contradiction import ANTONYM, NEGATION, SWAPPED_NAMES, Contradiction, find_contradiction
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


# "Answer:" is a label, not a reason to skip the check: it is removed and the rest checked like any claim.
_ANSWER_LABEL = re.compile(r"^\s*(?:(?:final|short)\s+)?answer\s*:\s*", re.IGNORECASE)
_PROMPT_ECHO = re.compile(r"^(?:question|passages?|context|source)\s*:|^<<<|^>>>|^\[\d+\]\s*\(", re.IGNORECASE)
_NAME = re.compile(r"(?<!^)\b[A-Z][a-z]{2,}\b")
# Said otherwise by any given passage about the same thing: never shown, never re-cited to another passage.
# (Different numbers in different articles are a disagreement between sources, not a refutation:
# a number only has to match the passage the sentence is cited to.)
_REFUTING = frozenset({NEGATION, ANTONYM, SWAPPED_NAMES})


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


def word_overlap(claim: str, source: str) -> float:
    """Share of the claim's key words found in the source (inflections count)."""
    claim_words = content_words(claim)
    if not claim_words:
        return 0.0
    source_words = set(content_words(source))
    found = sum(1 for w in claim_words if w in source_words or any(same_word(w, s) for s in source_words))
    return found / len(claim_words)


def lexical_support(claim: str, source: str) -> float:
    """Share of the claim's key words found in the source; a number or a name absent from the source halves it."""
    score = word_overlap(claim, source)
    if not score:
        return 0.0
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


@dataclass(frozen=True)
class _Quote:
    """The span of a passage that best supports a claim, and what the checks found there."""

    start: int
    end: int
    text: str
    lexical: float
    overlap: float
    contradiction: Contradiction | None


def _best_quote(claim: str, passage: Passage) -> _Quote | None:
    """The sentence (or two adjacent sentences) of the passage that best supports the claim, checked.

    Support is judged against this span, not the whole passage: a bag of words
    from a whole passage lets a claim stitch together facts that no sentence states.
    A span that reads as an instruction to an AI is never support; None when nothing else is left.
    """
    sentences = passage_sentences(passage)
    usable = [not is_instruction_to_ai(text) for _, _, text in sentences]
    best: tuple[int, int, str, float] | None = None
    for i, (start, end, text) in enumerate(sentences):
        if not usable[i]:
            continue
        candidates = [(start, end, text, lexical_support(claim, text))]
        if i + 1 < len(sentences) and usable[i + 1]:
            end2 = sentences[i + 1][1]
            pair = passage.text[start - passage.start : end2 - passage.start]
            candidates.append((start, end2, pair, 0.9 * lexical_support(claim, pair)))
        for cand in candidates:
            if best is None or cand[3] > best[3]:
                best = cand
    if best is None:
        return None
    start, end, text, lexical = best
    found = find_contradiction(claim, text, context=passage.text)
    return _Quote(start, end, text, lexical, word_overlap(claim, text), found)


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
        quotes = {n: _best_quote(claim, p) for n, p in enumerate(passages, start=1)}
        refuting = next(
            (
                q.contradiction
                for q in quotes.values()
                if q and q.contradiction and q.contradiction.kind in _REFUTING and q.overlap >= threshold
            ),
            None,
        )
        if refuting:
            reason = f"an article says otherwise: {refuting.reason}"
            out.append(AnswerSentence(text=claim, citations=(), support=0.0, supported=False, reason=reason))
            continue

        def support_of(n: int) -> float:
            quote = quotes[n]
            if quote is None or quote.contradiction:
                return 0.0
            if similarity is None:
                return quote.lexical
            return 0.8 * quote.lexical + 0.2 * similarity(claim, passages[n - 1])  # similarity: 0..1, per model

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
