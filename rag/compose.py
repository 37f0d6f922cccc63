"""Compose the Answer, once, from decided claims: number the citations, record conflicts, derive the text.

Everything before this stage decides (which sentences, which copy, which sides);
this stage only writes it down. Nothing edits an Answer after it is composed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from rag.cite import CitationBook
from rag.conflicts import ConflictSide, conflict_kind
from rag.records import Answer, AnswerSentence, Citation, Conflict, Passage
from rag.stories import StoryMap


@dataclass(frozen=True)
class Quote:
    """An exact span of an article (``original[start:end] == text``) and the passage it was found in."""

    passage: Passage
    start: int
    end: int
    text: str

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.passage.doc_id, self.start, self.end)


@dataclass(frozen=True)
class Claim:
    """One sentence of the answer and the quotes that support it (offline: its text is its quote)."""

    text: str
    quotes: tuple[Quote, ...]
    support: float
    supported: bool = True
    highlight: tuple[int, int] | None = None  # the short answer inside ``text``
    corroboration: int = 0
    reason: str | None = None  # why it is not supported, when it is not (the verifier's words)


def add_conflict_sides(claims: list[Claim], sides: Sequence[ConflictSide]) -> list[Claim]:
    """Every side of a disagreement is quoted: a side's sentence not already shown becomes a claim."""
    shown = {q.key for c in claims for q in c.quotes}
    out = list(claims)
    for side in sides:
        for s in side.sentences:
            quote = Quote(s.passage, s.start, s.end, s.text)
            if quote.key not in shown:
                out.append(Claim(text=s.text, quotes=(quote,), support=round(min(1.0, s.coverage), 3)))
                shown.add(quote.key)
    return out


def _with_story(citation: Citation, stories: StoryMap | None) -> Citation:
    if stories is None:
        return citation
    return replace(citation, story=stories.story(citation.doc_id), also_in=stories.copies(citation.doc_id))


def compose_answer(
    question: str,
    claims: Sequence[Claim],
    *,
    stories: StoryMap | None = None,
    sides: Sequence[ConflictSide] = (),
    topic: str = "this",
    related: Sequence[Quote] = (),
    refused: bool = False,
    short_answer: str | None = None,
    **fields,
) -> Answer:
    """The Answer: citations numbered in order of first use, conflicts pointing at those numbers.

    ``fields`` are the Answer's other fields (trace, backend, timings_ms, notice, raw_answer, ...).
    """
    book = CitationBook()
    sentences: list[AnswerSentence] = []
    if not refused:
        for claim in claims:
            numbers = tuple(dict.fromkeys(book.cite(q.passage, q.start, q.end, q.text) for q in claim.quotes))
            sentences.append(
                AnswerSentence(
                    text=claim.text, citations=numbers if claim.supported else (), support=claim.support,
                    supported=claim.supported and bool(numbers), highlight=claim.highlight,
                    corroboration=claim.corroboration, reason=claim.reason,
                )
            )  # fmt: skip
    conflicts: list[Conflict] = []
    if sides and not refused:
        recorded = []
        for side in sides:
            cited = [book.cite(s.passage, s.start, s.end, s.text) for s in side.sentences]
            recorded.append((side.value, tuple(dict.fromkeys(cited))))
        dates = [book.citations[ns[0] - 1].date for _, ns in recorded]
        conflicts.append(Conflict(topic=topic, sides=tuple(recorded), kind=conflict_kind(dates)))
    related_book = CitationBook()
    for q in related:
        related_book.cite(q.passage, q.start, q.end, q.text)
    if short_answer and not any(short_answer in s.text for s in sentences if s.supported):
        short_answer = None
    return Answer(
        question=question,
        refused=refused,
        sentences=sentences,
        citations=[_with_story(c, stories) for c in book.citations],
        related=[_with_story(c, stories) for c in related_book.citations],
        conflicts=conflicts,
        short_answer=short_answer,
        **fields,
    )
