"""Disagreements: passages that give different values for what the question asks.

Only typed questions (how many, when, how long, who, where) are checked: there
the asked-for value can be pulled out of a sentence with confidence. Sides are
kept apart as the sources state them; the answer quotes each side.

A side is strong evidence (``strong_evidence``) holding a value of the asked kind
(``read_value``), or a near-best sentence that another repeats word for word but for
that value (an edited copy, ``edited_copies``: its value is what the edit changed);
values that can mean the same thing agree (dates are read against their article's
date); a sentence that also states another side's value disputes nothing, and a name
that another side's sentence names out of the answer's role (the one beaten, the place
someone is in) is no side (``disputed_sides``); a "when" question answered by reports
of one kind of event from articles far apart in time gets one side per event
(``different_events``);
the items a list question asks for are no disagreement (``asks_for_several``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from difflib import SequenceMatcher

from newsdesk.text.dates import DATE_PHRASE, YEAR
from newsdesk.text.names import plausible_person, stood_for_by, trim_leading_non_name
from newsdesk.text.numbers import other_edition
from newsdesk.text.overlap import has_word, word_set
from newsdesk.text.values import (
    date_spans,
    fits_kind,
    headline_case,
    normalize_value,
    parse_day,
    same_value,
    spelling_variants,
    states_value,
    values_agree,
)
from newsdesk.text.words import STOPWORDS
from rag.evidence import QuestionProfile, ScoredSentence, sentence_before
from rag.features import other_year
from rag.records import Citation, Conflict
from rag.spans import Span, after_place_preposition, asks_for_doer, find_short_answer, name_role, typed_spans
from rag.stories import StoryMap

TOPICS = {"number": "how many", "duration": "how long", "date": "when", "person": "who", "place": "where"}
MIN_COVERAGE = 0.7  # each side holds most of the question's key words (rarity-weighted)
NEAR_BEST = 0.25  # a side's evidence probability is at least this share of the best sentence's
NEWS_WINDOW = 31  # days: a dated value within this of its own article's date is news of that article's day
# Two reports of one kind of event a year apart describe it in their own words ("arrived" / "concluded"), so a
# side of such a pair needs fewer of the question's key words (see ``different_events``). Set on dev: the sides
# of seed-062 hold 0.499 of them, of cdev-001 0.62; RGB's alarms are the same at 0.4 and at 0.5.
EVENT_COVERAGE = 0.45
REPORTED = "reported "  # the value of a side dated by its article ("reported 2024-05-16")
# Two sentences are copies with one value edited when at most this many words changed, and the words they
# share are at least COPY_SHARE of each.
EDIT_WORDS = 6
COPY_SHARE = 0.6
# Values precise enough that two copies of one story stating different ones is news (an edited copy).
_EXACT_KINDS = frozenset({"number", "date", "duration"})


@dataclass(frozen=True)
class ConflictSide:
    value: str
    sentences: tuple[ScoredSentence, ...]


@dataclass(frozen=True)
class Reading:
    """What one strong sentence says the answer is (``value`` "" when it holds no value of the asked kind)."""

    value: str
    sentence: ScoredSentence
    story: str


def _same_event(question: str, s: ScoredSentence) -> bool:
    """A sentence about another year than the question names is about a different event, as the reader's
    ``other_year`` reads it: by the years the sentence names, else those of the one before it (a dateline:
    "Jul 9, 2022 ... Rybakina won" is no side of "Who won in 2018?"), else its article's date; and one
    about another numbered instalment than the question's ("the fourth season" for "season 3")."""
    start = s.start - s.passage.start
    previous = sentence_before(s.passage.text, start) if start > 0 else ""
    years = set(YEAR.findall(question))
    return not other_year(years, s.text, previous, s.passage.date) and not other_edition(question, s.text)


def strong_evidence(
    ranked: list[ScoredSentence], limit: int = 8, min_coverage: float = MIN_COVERAGE
) -> list[ScoredSentence]:
    """The sentences that may be a side: among the reader's best ``limit``, near the best one's probability,
    and holding most of the question's key words (measured on RGB: a looser rule flags distractor snippets
    about other games, teams or years as disagreements; coverage relative to the best-covering sentence
    added three such alarms on RGB's reporting half)."""
    if not ranked:
        return []
    floor = NEAR_BEST * ranked[0].score
    return [s for s in ranked[:limit] if s.score >= floor and s.coverage >= min_coverage]


def named_evidence(profile: QuestionProfile, ranked: list[ScoredSentence], limit: int = 8) -> list[ScoredSentence]:
    """Strong evidence that names what the question names."""
    return [s for s in strong_evidence(ranked, limit) if holds_names(profile, s.text)]


def holds_names(profile: QuestionProfile, sentence: str) -> bool:
    """Does the sentence name most of what the question names ("Wimbledon", "Putin")? More than half of the
    question's name words: a snippet that says "Billy Batson" but not "Shazam" is still about the role; one
    that says "US Open" for a Wimbledon question, or "Putin" alone for a visit to Japan, is not. A capital
    stands for its country and a country for its capital ("a visit to Beijing" for "a visit to China")."""
    if not profile.names:
        return True
    found = word_set(sentence)
    held = 0
    for name in profile.names:
        stands_for = stood_for_by(name)
        if has_word(found, name) or (stands_for and all(has_word(found, w) for w in stands_for.split())):
            held += 1
    return held * 2 > len(profile.names)


def read_value(profile: QuestionProfile, sentence: str) -> str:
    """The sentence's answer to the question, "" when it holds none of the asked kind."""
    span = find_short_answer(profile, sentence)
    return _value_of_kind(profile, sentence, sentence[span[0] : span[1]]) if span else ""


def _value_of_kind(profile: QuestionProfile, sentence: str, phrase: str, *, even_in_headline: bool = False) -> str:
    """``phrase`` (a span of ``sentence``) as an answer value, "" when it cannot be one of the asked kind. A name
    read from a title-case headline is no value, unless ``even_in_headline`` (an edit marks it for sure)."""
    value = trim_leading_non_name(phrase)
    if not value or not fits_kind(value, profile.wants):
        return ""
    if profile.wants == "person" and not plausible_person(value):
        return ""
    if profile.wants in ("person", "place") and headline_case(sentence) and not even_in_headline:
        return ""
    return value


_TOKEN = re.compile(r"\w+|[^\w\s]")


def edited_value(profile: QuestionProfile, sentence: str, other: str) -> str | None:
    """When ``sentence`` and ``other`` are one sentence with a few words changed, and the change is a phrase
    of the asked kind in ``sentence``: that phrase (its value as this copy states it); else None."""
    ours, theirs = list(_TOKEN.finditer(sentence)), list(_TOKEN.finditer(other))
    matcher = SequenceMatcher(None, [t.group(0).lower() for t in ours], [t.group(0).lower() for t in theirs], False)
    changed = [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]
    if not changed:
        return None
    first, last = changed[0][0], changed[-1][1]
    shared = sum(block.size for block in matcher.get_matching_blocks())
    if (
        last - first > EDIT_WORDS
        or changed[-1][3] - changed[0][2] > EDIT_WORDS
        or shared < COPY_SHARE * max(len(ours), len(theirs))
        or last <= first  # only words added in the other copy: nothing of this one was edited
    ):
        return None
    start, end = ours[first].start(), ours[last - 1].end()
    span = next((s for s in typed_spans(profile, sentence) if s.start < end and start < s.end), None)
    if span is None:
        return None
    if profile.wants not in ("person", "place"):
        return _value_of_kind(profile, sentence, span.text) or None
    # A name is what was edited, whatever the case of the words around it (a headline, "Gans On The Way").
    return _value_of_kind(profile, sentence, sentence[start:end], even_in_headline=True) or None


SentenceKey = tuple[str, int]  # a sentence's doc id and start offset


def _key(sentence: ScoredSentence) -> SentenceKey:
    return sentence.passage.doc_id, sentence.start


def edited_copies(profile: QuestionProfile, ranked: list[ScoredSentence], limit: int = 8) -> dict[SentenceKey, str]:
    """Sentences among the reader's best ``limit``, near the best one's probability, that another such
    sentence repeats word for word but for a value of the asked kind (an edited copy: "released on
    September 20, 2019" / "released on September 21, 2021") -> the value each states. The copies say the
    same thing of the same subject, so they need not hold the question's key words as a side otherwise
    must: only what was edited differs."""
    if not ranked:
        return {}
    floor = NEAR_BEST * ranked[0].score
    near = [s for s in ranked[:limit] if s.score >= floor]
    edits: dict[SentenceKey, str] = {}
    for a in near:
        for b in near:
            if a.passage.doc_id != b.passage.doc_id and _key(a) not in edits:
                value = edited_value(profile, a.text, b.text)
                other = edited_value(profile, b.text, a.text) if value else None
                if value and other and normalize_value(value) != normalize_value(other):
                    edits[_key(a)], edits[_key(b)] = value, other
    return edits


def _news_of_its_day(value: str, published: str | None) -> bool:
    """A dated value that falls within NEWS_WINDOW days of its own article's date: the article reports it as news."""
    spans, day = date_spans(value, published), parse_day(published)
    if not spans or day is None:
        return False
    window = (day - timedelta(days=NEWS_WINDOW), day + timedelta(days=NEWS_WINDOW))
    return any(lo <= window[1] and window[0] <= hi for lo, hi in spans)


def dated_by_article(readings: list[Reading]) -> list[Reading]:
    """For a "when" question: a strong sentence that names no date ("Putin arrived in China for a state visit")
    reports news of its article's day. It is a side of its own, valued by that date, when another story
    dates its answer as news of its own day and the two articles are more than NEWS_WINDOW days apart.
    Without such a story an undated sentence is no evidence of a different date."""
    dated = [r for r in readings if r.value and _news_of_its_day(r.value, r.sentence.passage.date)]
    out = []
    for r in readings:
        day = parse_day(r.sentence.passage.date)
        if r.value:
            out.append(r)
            continue
        if day is None or DATE_PHRASE.search(r.sentence.text):
            continue  # a sentence naming any date, even one the question holds ("the 2020 awards"), is not undated
        if any(
            d.story != r.story and abs(((parse_day(d.sentence.passage.date) or day) - day).days) > NEWS_WINDOW
            for d in dated
        ):
            out.append(Reading(f"{REPORTED}{day.isoformat()}", r.sentence, r.story))
    return out


def _states(profile: QuestionProfile, sentence: ScoredSentence, value: str, value_published: str | None) -> bool:
    """Does the sentence state ``value`` (word for word, or as one of its spans of the asked kind)?
    ``value_published`` is the date of the article the value was read in."""
    if value.startswith(REPORTED):
        return False
    if states_value(sentence.text, value, profile.wants):
        return True
    published = (sentence.passage.date, value_published)
    return any(same_value(s.text, value, profile.wants, published) for s in typed_spans(profile, sentence.text))


def named_out_of_role(profile: QuestionProfile, sentence: str, value: str) -> bool:
    """Does the sentence name ``value`` only where a who-answer cannot stand: as the place someone is in
    ("a teacher in Las Vegas") or, when the question asks for the doer ("Who won ...?"), as the one the
    action befalls ("Kerber beats Serena Williams")? Then the sentence tells that ``value`` is not the answer."""
    if profile.wants != "person" or not value.strip():
        return False
    found = [
        Span(m.start(), m.end(), m.group(0))
        for m in re.finditer(rf"(?<!\w){re.escape(value.strip())}(?!\w)", sentence, re.IGNORECASE)
    ]
    doer = asks_for_doer(profile.text)
    return bool(found) and all(
        after_place_preposition(sentence, s.start) or (doer and name_role(sentence, s) == "object") for s in found
    )


def disputed_sides(profile: QuestionProfile, sides: list[tuple[str, list[Reading]]]) -> list[tuple[str, list[Reading]]]:
    """The sides left when misreads are set aside, each with the sentences that state only its value.

    A sentence that also states another side's value disputes nothing: the span finder read one of two
    names or numbers ("Egan Bernal won ..., before Geraint Thomas" is no side against "Egan Bernal"). A
    value each of whose sentences also states another side's value is such a misread; so is a name that
    another side's sentence names out of the answer's role (``named_out_of_role``: the loser of "A beats B",
    the place of "a teacher in Las Vegas"), which is set aside before the names it would make ambiguous.
    The weakest misread is set aside first, and the check repeats (its own misreads may have hidden a real
    side)."""

    def ambiguous(reading: Reading, own: str, live: list[tuple[str, list[Reading]]]) -> bool:
        return any(
            _states(profile, reading.sentence, other, others[0].sentence.passage.date)
            for other, others in live
            if other != own
        )

    def ruled_out(own: str, live: list[tuple[str, list[Reading]]]) -> bool:
        return any(
            named_out_of_role(profile, m.sentence.text, own) for other, others in live if other != own for m in others
        )

    live = list(sides)
    while True:
        misread = [i for i, (own, _) in enumerate(live) if ruled_out(own, live)]
        misread = misread or [
            i for i, (own, members) in enumerate(live) if all(ambiguous(m, own, live) for m in members)
        ]
        if not misread:
            break
        weakest = min(misread, key=lambda i: max(m.sentence.score for m in live[i][1]))
        live.pop(weakest)
    return [(own, [m for m in members if not ambiguous(m, own, live)]) for own, members in live]


def _spelled_apart(sides: list[tuple[str, list[Reading]]]) -> bool:
    """Are some two sides' values spellings of one name?"""
    values = [value for value, _ in sides]
    return any(spelling_variants(a, b) for i, a in enumerate(values) for b in values[i + 1 :])


def _readings(
    profile: QuestionProfile,
    sentences: list[ScoredSentence],
    stories: StoryMap,
    edited: dict[SentenceKey, str] | None = None,
) -> list[Reading]:
    """One reading per story and value, in the sentences' order; an edited copy's value (``edited``) is what
    the edit changed."""
    readings: dict[tuple[str, str], Reading] = {}
    for s in sentences:
        if not _same_event(profile.text, s):
            continue
        story = stories.story(s.passage.doc_id)
        value = (edited or {}).get(_key(s)) or read_value(profile, s.text)
        reading = Reading(value, s, story)
        readings.setdefault((story, normalize_value(reading.value) or s.passage.doc_id), reading)
    return list(readings.values())


def _grouped(profile: QuestionProfile, readings: list[Reading]) -> list[tuple[str, list[Reading]]]:
    """Readings grouped by value (the first reading's value names the group), misreads set aside."""
    sides: list[tuple[str, list[Reading]]] = []
    for r in readings:
        for value, members in sides:
            published = (r.sentence.passage.date, members[0].sentence.passage.date)
            if values_agree(r.value, value, profile.wants, published):
                members.append(r)
                break
        else:
            sides.append((r.value, [r]))
    return disputed_sides(profile, sides)


def different_events(
    profile: QuestionProfile, ranked: list[ScoredSentence], stories: StoryMap, limit: int = 8
) -> list[tuple[str, list[Reading]]]:
    """For a "when" question: strong reports, from articles more than NEWS_WINDOW days apart, of what reads
    as one kind of event (a state visit in 2024 and another in 2025). One side dates its answer as news of
    its article's day; another names no date and is valued by its article's date (``dated_by_article``).
    Each report tells its event in its own words, so a side needs only EVENT_COVERAGE of the key words."""
    readings = dated_by_article(_readings(profile, strong_evidence(ranked, limit, EVENT_COVERAGE), stories))
    news = [r for r in readings if r.value.startswith(REPORTED) or _news_of_its_day(r.value, r.sentence.passage.date)]
    sides = _grouped(profile, news)
    reported = [value for value, _ in sides if value.startswith(REPORTED)]
    return sides if reported and len(sides) > len(reported) else []


_SEVERAL = re.compile(
    r"\b(?:which|what|whose)\s+(?!of\b)(?:[\w'’-]+\s+){0,2}?([a-z]+s)(?<!ss)(?<!us)(?<!is)\b|\bwho\s+(?:were|are)\b",
    re.IGNORECASE,
)


def asks_for_several(question: str) -> bool:
    """Does the question ask for a list ("which leaders", "which two countries", "who were ...")? Then
    different names are its items, not sides of a disagreement."""
    return any(
        m.group(1) is None or m.group(1).lower() not in STOPWORDS and m.group(1).lower() not in _SINGULAR_S
        for m in _SEVERAL.finditer(question)
    )


_SINGULAR_S = frozenset({"news", "series", "species", "status", "means"})


def find_conflicts(
    profile: QuestionProfile, ranked: list[ScoredSentence], stories: StoryMap, limit: int = 8
) -> list[ConflictSide]:
    """Different values for what was asked, each from strong evidence; [] when the sources agree."""
    if profile.wants is None or not ranked or asks_for_several(profile.text):
        return []
    edits = edited_copies(profile, ranked, limit)
    named = {_key(s) for s in named_evidence(profile, ranked, limit)}
    found = _readings(profile, [s for s in ranked if _key(s) in named or _key(s) in edits], stories, edits)
    found = dated_by_article(found) if profile.wants == "date" else [r for r in found if r.value]
    sides = _grouped(profile, found)
    if len(sides) < 2 and profile.wants == "date":
        sides = different_events(profile, ranked, stories, limit)
    if len(sides) < 2:
        return []
    one_story = len({m.story for _, members in sides for m in members}) < 2
    if one_story and profile.wants not in _EXACT_KINDS and _spelled_apart(sides):
        # Copies of one story are not set against each other over two spellings of a name or a place: a
        # translated copy spells names its own way ("Choe Son Hui" / "Choe his Hu"). A changed number or
        # date is shown, and so is a name replaced by another (an edited copy).
        return []
    return [ConflictSide(value, tuple(m.sentence for m in members)) for value, members in sides]


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
        dates = sorted({d for n in numbers if n in by_n and (d := by_n[n].date) and d not in value})
        parts.append(f"\u201c{value}\u201d {marks}" + (f" ({', '.join(dates)})" if dates else ""))
    lead = "Sources describe different events" if conflict.kind == "event" else "Sources disagree"
    return f"{lead} on {conflict.topic}: " + " vs ".join(parts) + "."
