"""Know the sources: cite the best copy of a story, count independent stories, find disagreements.

Story groups are computed at ingest (index/stories.py); here they shape the
answer: copies of one story count once, the cleanest copy is the one cited,
and passages that give different values for what was asked are shown side by
side instead of one silently winning.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from difflib import SequenceMatcher
from functools import lru_cache

from index.records import Article
from index.sentences import split_sentences
from newsdesk.terms import content_words
from rag.evidence import QuestionProfile, find_short_answer
from rag.offline import ScoredSentence
from rag.records import Answer, AnswerSentence, Citation, Conflict

SAME_CLAIM = 0.6  # word overlap above which two sentences state the same thing
_HEDGES = re.compile(r"^(?:roughly|about|around|nearly|almost|over|more than|some|at least|up to|in|on|the)\s+", re.I)
_NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "twenty": "20",
    "a": "1",
    "an": "1",
}


def same_claim_overlap(a: str, b: str) -> float:
    """Word overlap measured against the LONGER text: a heading inside a sentence is not the sentence."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return 0.0
    return word_overlap(a, b) * min(len(wa[0]), len(wb[0])) / max(len(wa[0]), len(wb[0]))


def word_overlap(a: str, b: str) -> float:
    """Share of the shorter text's key words found in the other (names and all)."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return 0.0
    short, long_ = (wa, wb) if len(wa[0]) <= len(wb[0]) else (wb, wa)
    _, exact, stems = long_
    return sum(1 for w in short[0] if w in exact or (len(w) >= 5 and w[:5] in stems)) / len(short[0])


@lru_cache(maxsize=20_000)
def _words(text: str) -> tuple[tuple[str, ...], frozenset, frozenset] | None:
    """Key words, their set, and their 5-letter stems (inflections match: 'travel'/'traveled')."""
    words = tuple(content_words(text))
    return (words, frozenset(words), frozenset(w[:5] for w in words if len(w) >= 5)) if words else None


def normalize_value(value: str) -> str:
    """'roughly 15,000' ~ '15000'; 'four-day' ~ '4 day'; 'in Tampa, Florida' ~ 'tampa florida'."""
    text = value.lower().strip()
    while _HEDGES.match(text):
        text = _HEDGES.sub("", text, count=1)
    text = text.replace(",", "").replace("-", " ")
    words = [_NUMBER_WORDS.get(w, w) for w in re.findall(r"[a-z0-9.]+", text)]
    words = [w[:-1] if w.endswith("s") and len(w) > 3 else w for w in words]
    return " ".join(words)


_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_MONTH_NUMBERS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}


def _date_parts(value: str) -> dict[str, int]:
    """Year, month and day named in a date phrase (any subset)."""
    parts: dict[str, int] = {}
    for word in normalize_value(value).split():
        if re.fullmatch(r"(?:19|20)\d\d", word):
            parts["year"] = int(word)
        elif word[:3] in _MONTH_NUMBERS and word.isalpha():
            parts["month"] = _MONTH_NUMBERS[word[:3]]
        elif word.isdigit() and 1 <= int(word) <= 31:
            parts["day"] = int(word)
    return parts


def _values_agree(a: str, b: str, kind: str | None = None) -> bool:
    """Same value, or one a less precise form of the other ('May 2012' ~ 'May 15, 2012')."""
    if kind == "date":
        pa, pb = _date_parts(a), _date_parts(b)
        if pa and pb:
            return all(pa[k] == pb[k] for k in pa.keys() & pb.keys())
    na, nb = normalize_value(a), normalize_value(b)
    if na == nb or (len(na) > 2 and len(nb) > 2 and (na in nb or nb in na)):
        return True
    return kind == "person" and SequenceMatcher(None, na, nb).ratio() >= 0.85  # 'Cristophe' ~ 'Christophe'


def _same_event(question: str, sentence: str) -> bool:
    """A sentence naming a year, when the question names another, is about a different event."""
    asked = set(_YEAR.findall(question))
    named = set(_YEAR.findall(sentence))
    return not asked or not named or bool(asked & named)


# Capitalised words that make a phrase a title, team or place rather than a person's name.
_NOT_A_PERSON = frozenset(
    """the while after before team open united states big tech player year watch award cup
championship league club group inc co company corp platform platforms news media house state government ministry
university party open world international national republic""".split()
)


def _plausible(value: str, kind: str) -> bool:
    """A person (or organisation) answer is a short name, not a title, team, event or place."""
    if kind == "person":
        words = value.lower().replace("’", "'").split()
        return 1 <= len(words) <= 4 and not any(w.strip(".,'") in _NOT_A_PERSON for w in words)
    return True


def _trim_value(value: str) -> str:
    """'While Meta' -> 'Meta': a sentence-initial capitalised word is not part of the name."""
    words = value.split()
    while len(words) > 1 and words[0].lower() in _NOT_A_PERSON:
        words = words[1:]
    return " ".join(words)


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


def merge_story_copies(ranked: list[ScoredSentence], stories: StoryMap) -> list[ScoredSentence]:
    """One sentence per claim per story: a copy's sentence gives way to the best copy's twin,
    which takes the higher of the two scores (the translation may match the question better)."""
    kept: list[ScoredSentence] = []
    for s in ranked:
        story = stories.story(s.passage.doc_id)
        twin = next(
            (
                i
                for i, k in enumerate(kept)
                if stories.story(k.passage.doc_id) == story
                and k.passage.doc_id != s.passage.doc_id
                and same_claim_overlap(k.text, s.text) >= SAME_CLAIM
            ),
            None,
        )
        if twin is None:
            kept.append(s)
        elif s.passage.doc_id == stories.best_copy(s.passage.doc_id):
            kept[twin] = replace(s, score=max(s.score, kept[twin].score))
    return sorted(kept, key=lambda s: (-s.score, s.passage.doc_id, s.start))


def _sentence_in(text: str, claim: str) -> tuple[int, int, float] | None:
    """The sentence of ``text`` that states ``claim`` best, with its overlap."""
    best = None
    for start, end in split_sentences(text):
        score = same_claim_overlap(claim, text[start:end])
        if best is None or score > best[2]:
            best = (start, end, score)
    return best


def prefer_best_copies(answer: Answer, stories: StoryMap, article: Callable[[str], Article | None]) -> Answer:
    """Cite each story's cleanest copy (when it states the same sentence) and list the other copies."""
    if answer.refused:
        return answer
    replaced: dict[int, Citation] = {}
    new_text: dict[int, str] = {}
    for c in answer.citations:
        best = stories.best_copy(c.doc_id)
        citation = c
        copy = article(best) if best != c.doc_id else None
        found = _sentence_in(copy.text, c.quote) if copy else None
        if copy and found and found[2] >= SAME_CLAIM:
            start, end, _ = found
            citation = replace(
                c,
                doc_id=best,
                start=start,
                end=end,
                quote=copy.text[start:end],
                passage_start=start,
                passage_end=end,
                title=copy.title,
                date=copy.date,
                source=copy.source,
                url=copy.url,
            )
            new_text[c.n] = citation.quote
        copies = tuple(sorted(set(stories.also_in(citation.doc_id)) | ({c.doc_id} - {citation.doc_id})))
        replaced[c.n] = replace(citation, story=stories.story(citation.doc_id), also_in=copies)
    sentences = []
    for s in answer.sentences:
        # An offline sentence is the quote itself: swap in the best copy's wording.
        if answer.backend == "offline" and len(s.citations) == 1 and s.citations[0] in new_text:
            s = replace(s, text=new_text[s.citations[0]], highlight=None)
            if answer.short_answer and answer.short_answer not in s.text:
                answer = replace(answer, short_answer=None)
        sentences.append(s)
    return replace(answer, citations=[replaced[c.n] for c in answer.citations], sentences=sentences)


def count_corroboration(answer: Answer, stories: StoryMap) -> Answer:
    """Per sentence: how many independent stories among the retrieved passages state it."""
    if answer.refused:
        return answer
    out = []
    for s in answer.sentences:
        if not s.supported:
            out.append(s)
            continue
        supporting = set()
        for p in answer.trace:
            found = _sentence_in(p.text, s.text)
            if found and found[2] >= SAME_CLAIM:
                supporting.add(stories.story(p.doc_id))
        for n in s.citations:
            cited = answer.citation(n)
            if cited:
                supporting.add(stories.story(cited.doc_id))
        out.append(replace(s, corroboration=len(supporting)))
    return replace(answer, sentences=out)


def find_conflicts(
    profile: QuestionProfile, ranked: list[ScoredSentence], stories: StoryMap, threshold: float, limit: int = 8
) -> list[tuple[str, list[ScoredSentence]]]:
    """Different values for what was asked, each from the best sentence of a different story.

    Only typed questions (how many, when, how long, who, where) are checked: there
    the asked-for value can be pulled out of a sentence with confidence.
    """
    if profile.wants is None or not ranked:
        return []
    # Both sides must be strong evidence about the same thing: near the best score, and
    # holding most of the question's key words (measured on RGB: a looser rule flags
    # distractor snippets about other games, teams or years as disagreements).
    floor = max(threshold, 0.85 * ranked[0].score)
    # One sentence per story and value: copies repeating a value count once, but a copy
    # that changes the value (an edited or tampered copy) is a disagreement to show.
    per_story: dict[tuple[str, str], tuple[str, ScoredSentence]] = {}
    for s in ranked[:limit]:
        if s.score < floor:
            break
        if s.coverage < 0.7 or not _same_event(profile.text, s.text):
            continue
        span = find_short_answer(profile, s.text)
        value = _trim_value(s.text[span[0] : span[1]]) if span else ""
        if not value or not _plausible(value, profile.wants):
            continue
        per_story.setdefault((stories.story(s.passage.doc_id), normalize_value(value)), (value, s))
    sides: list[tuple[str, list[ScoredSentence]]] = []
    for value, sentence in per_story.values():
        for other, members in sides:
            if _values_agree(value, other, profile.wants):
                members.append(sentence)
                break
        else:
            sides.append((value, [sentence]))
    return sides if len(sides) >= 2 else []


def conflict_kind(dates: list[str | None]) -> str:
    """'event' when the sides come from articles dated over a month apart: likely two different events."""
    known = sorted(d for d in dates if d)
    if len(known) >= 2:
        from datetime import date

        first, last = date.fromisoformat(known[0]), date.fromisoformat(known[-1])
        if (last - first).days > 31:
            return "event"
    return "value"


def add_conflicts(answer: Answer, sides: list[tuple[str, list[ScoredSentence]]], topic: str) -> Answer:
    """Make sure every side is quoted and cited, and record the disagreement on the answer."""
    from rag.cite import CitationBook, format_sentence

    book = CitationBook(answer.citations)  # continue the numbering
    sentences = list(answer.sentences)
    shown = {
        (answer.citation(n).doc_id, answer.citation(n).start)
        for s in sentences
        for n in s.citations
        if answer.citation(n)
    }
    recorded = []
    for value, members in sides:
        numbers = []
        for m in members:
            n = book.cite(m.passage, m.start, m.end, m.text)
            numbers.append(n)
            if (m.passage.doc_id, m.start) not in shown:
                sentences.append(AnswerSentence(text=m.text, citations=(n,), support=round(min(1.0, m.coverage), 3)))
                shown.add((m.passage.doc_id, m.start))
        recorded.append((value, tuple(dict.fromkeys(numbers))))
    dates = [book.citations[ns[0] - 1].date for _, ns in recorded]
    conflict = Conflict(topic=topic, sides=tuple(recorded), kind=conflict_kind(dates))
    text = " ".join(format_sentence(s.text, s.citations) for s in sentences if s.supported)
    return replace(
        answer, sentences=sentences, citations=book.citations, text=text, conflicts=list(answer.conflicts) + [conflict]
    )


def describe_conflict(conflict: Conflict, citations: list[Citation]) -> str:
    """One line for people: 'Sources disagree on how long: "four-day" [1] (2025-09-03) vs "two-day" [2] (2024-05-16).'"""
    by_n = {c.n: c for c in citations}
    parts = []
    for value, numbers in conflict.sides:
        marks = "".join(f"[{n}]" for n in numbers)
        dates = sorted({by_n[n].date for n in numbers if n in by_n and by_n[n].date})
        parts.append(f"\u201c{value}\u201d {marks}" + (f" ({', '.join(dates)})" if dates else ""))
    lead = "Sources describe different events" if conflict.kind == "event" else "Sources disagree"
    return f"{lead} on {conflict.topic}: " + " vs ".join(parts) + "."
