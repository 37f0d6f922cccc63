"""Copies of one story: which story a document belongs to, and the best copy to cite.

Story groups are computed at ingest (index/stories.py); here they shape the
answer. Decided once, on the scored sentences: a sentence from a copy is
replaced by its twin in the story's best copy (richest metadata) when the twin
states the same claim with the same numbers, so an answer cites the best copy
and lists the others. An edited copy that changes a value keeps its own
sentence: that is a disagreement to show, not a copy to fold away.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from index.records import Article
from index.sentences import split_sentences
from newsdesk.text.numbers import numeric_values
from newsdesk.text.overlap import SAME_CLAIM, same_claim_overlap
from rag.evidence import ScoredSentence
from rag.records import Passage


class StoryMap:
    """doc id -> story facts, read from the article records written at ingest."""

    def __init__(self, records: dict[str, dict]):
        self._records = records

    def story(self, doc_id: str) -> str:
        return self._records.get(doc_id, {}).get("story") or doc_id

    def also_in(self, doc_id: str) -> tuple[str, ...]:
        raw = self._records.get(doc_id, {}).get("also_in") or ""
        return tuple(d for d in raw.split(";") if d)

    def best_copy(self, doc_id: str) -> str:
        return self.story(doc_id)  # the story id is its best copy's doc id

    def copies(self, doc_id: str) -> tuple[str, ...]:
        """Every other copy of ``doc_id``'s story (its best copy included, itself excluded)."""
        best = self.best_copy(doc_id)
        return tuple(sorted((set(self.also_in(best)) | {best}) - {doc_id}))


@dataclass(frozen=True)
class Twin:
    """The sentence of another copy that states the same claim."""

    passage: Passage
    start: int
    end: int
    text: str


def same_statement(a: str, b: str) -> bool:
    """Two sentences state the same claim: most key words shared and the same numbers."""
    return same_claim_overlap(a, b) >= SAME_CLAIM and sorted(numeric_values(a)) == sorted(numeric_values(b))


class BestCopies:
    """Finds a sentence's twin in its story's best copy (article sentences split once, cached)."""

    def __init__(self, stories: StoryMap, article: Callable[[str], Article | None]):
        self.stories = stories
        self._article = article
        self._sentences: dict[str, list[tuple[int, int]]] = {}

    def twin(self, doc_id: str, text: str) -> Twin | None:
        """The best copy's sentence stating ``text``, or None (no other best copy, or it does not state it)."""
        best = self.stories.best_copy(doc_id)
        if best == doc_id:
            return None
        copy = self._article(best)
        if copy is None:
            return None
        if best not in self._sentences:
            self._sentences[best] = split_sentences(copy.text)
        found = max(
            ((s, e, same_claim_overlap(text, copy.text[s:e])) for s, e in self._sentences[best]),
            key=lambda t: t[2],
            default=None,
        )
        if found is None or not same_statement(text, copy.text[found[0] : found[1]]):
            return None
        start, end, _ = found
        passage = Passage(
            chunk_id="", doc_id=best, start=start, end=end, text=copy.text[start:end], score=0.0,
            title=copy.title, date=copy.date, source=copy.source, url=copy.url,
        )  # fmt: skip
        return Twin(passage, start, end, copy.text[start:end])


def cite_best_copies(ranked: list[ScoredSentence], copies: BestCopies) -> list[ScoredSentence]:
    """One sentence per claim per story, in the story's best copy where it states the claim.

    A copy's sentence becomes its best-copy twin, keeping the higher score (the
    translation may match the question better); twins met twice merge.
    """
    kept: dict[tuple[str, int, int], ScoredSentence] = {}
    for s in ranked:
        twin = copies.twin(s.passage.doc_id, s.text)
        if twin is not None:
            retrieved = next(
                (k for k in ranked if k.passage.doc_id == twin.passage.doc_id and k.start == twin.start), None
            )
            passage = retrieved.passage if retrieved else twin.passage
            s = replace(s, passage=passage, start=twin.start, end=twin.end, text=twin.text)
        key = (s.passage.doc_id, s.start, s.end)
        if key not in kept or s.score > kept[key].score:
            kept[key] = s
    return sorted(kept.values(), key=lambda s: (-s.score, s.passage.doc_id, s.start))
