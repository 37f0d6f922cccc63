"""Disagreements: passages that give different values for what the question asks.

Only typed questions (how many, when, how long, who, where) are checked: there
the asked-for value can be pulled out of a sentence with confidence. Sides are
kept apart as the sources state them; the answer quotes each side.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from newsdesk.text.dates import YEAR
from newsdesk.text.names import plausible_person, trim_leading_non_name
from newsdesk.text.values import normalize_value, values_agree
from rag.evidence import QuestionProfile, ScoredSentence
from rag.records import Citation, Conflict
from rag.spans import find_short_answer
from rag.stories import StoryMap

TOPICS = {"number": "how many", "duration": "how long", "date": "when", "person": "who", "place": "where"}
# Values precise enough that two copies of one story stating different ones is news (an edited copy).
MIN_COVERAGE = 0.7  # and each side holds most of the question's key words (rarity-weighted; measured on RGB: a looser rule flags distractors)
NEAR_BEST = 0.25  # a side's evidence probability is at least this share of the best sentence's
_EXACT_KINDS = frozenset({"number", "date", "duration"})


@dataclass(frozen=True)
class ConflictSide:
    value: str
    sentences: tuple[ScoredSentence, ...]


def _same_event(question: str, sentence: str) -> bool:
    """A sentence naming a year, when the question names another, is about a different event."""
    asked = set(YEAR.findall(question))
    named = set(YEAR.findall(sentence))
    return not asked or not named or bool(asked & named)


def find_conflicts(
    profile: QuestionProfile, ranked: list[ScoredSentence], stories: StoryMap, limit: int = 8
) -> list[ConflictSide]:
    """Different values for what was asked, each from strong evidence; [] when the sources agree."""
    if profile.wants is None or not ranked:
        return []
    # Both sides must be strong evidence about the same thing: among the reader's best sentences, and
    # holding most of the question's key words (measured on RGB: a looser rule flags
    # distractor snippets about other games, teams or years as disagreements).
    per_story_value: dict[tuple[str, str], tuple[str, ScoredSentence]] = {}
    floor = NEAR_BEST * ranked[0].score
    for s in ranked[:limit]:
        if s.score < floor:
            break
        if s.coverage < MIN_COVERAGE or not _same_event(profile.text, s.text):
            continue
        span = find_short_answer(profile, s.text)
        value = trim_leading_non_name(s.text[span[0] : span[1]]) if span else ""
        if not value or (profile.wants == "person" and not plausible_person(value)):
            continue
        per_story_value.setdefault((stories.story(s.passage.doc_id), normalize_value(value)), (value, s))
    sides: list[tuple[str, list[ScoredSentence]]] = []
    for value, sentence in per_story_value.values():
        for other, members in sides:
            if values_agree(value, other, profile.wants):
                members.append(sentence)
                break
        else:
            sides.append((value, [sentence]))
    if len(sides) < 2:
        return []
    side_stories = [{stories.story(m.passage.doc_id) for m in members} for _, members in sides]
    if profile.wants not in _EXACT_KINDS and len(set().union(*side_stories)) < 2:
        # Copies of one story are never set against each other over a name or a place: a translated copy
        # spells names its own way ("Choe Son Hui" / "Choe his Hu"). A changed number or date is shown.
        return []
    return [ConflictSide(value, tuple(members)) for value, members in sides]


def conflict_kind(dates: list[str | None]) -> str:
    """'event' when the sides come from articles dated over a month apart: likely two different events."""
    known = sorted(d for d in dates if d)
    if len(known) >= 2:
        first, last = date.fromisoformat(known[0]), date.fromisoformat(known[-1])
        if (last - first).days > 31:
            return "event"
    return "value"


def describe_conflict(conflict: Conflict, citations: list[Citation]) -> str:
    """One line for people: 'Sources disagree on how long: "four-day" [1] (2025-09-03) vs "two-day" [2] (2024-05-16).'"""
    by_n = {c.n: c for c in citations}
    parts = []
    for value, numbers in conflict.sides:
        marks = "".join(f"[{n}]" for n in numbers)
        dates = sorted({d for n in numbers if n in by_n and (d := by_n[n].date)})
        parts.append(f"\u201c{value}\u201d {marks}" + (f" ({', '.join(dates)})" if dates else ""))
    lead = "Sources describe different events" if conflict.kind == "event" else "Sources disagree"
    return f"{lead} on {conflict.topic}: " + " vs ".join(parts) + "."
