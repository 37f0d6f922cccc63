"""Score sentences as evidence for a question, and find short answers inside them.

Pure functions over text and the keyword index's word rarity. The offline
answerer picks sentences with them; the verifier reuses the same overlap
measure to check a generated sentence against the passage it cites.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from newsdesk.text.dates import DATE_PHRASE
from newsdesk.text.names import NAME, TITLE_BEFORE, TITLED_NAME
from newsdesk.text.numbers import DURATION_PHRASE, NUMBER_PHRASE, YEAR_ONLY
from newsdesk.text.overlap import weighted_coverage
from newsdesk.text.words import content_words, same_word
from rag.cite import passage_sentences
from rag.records import Passage


@dataclass(frozen=True)
class QuestionProfile:
    """What a question asks for: its key words (with rarity) and the kind of answer wanted."""

    text: str
    terms: tuple[str, ...]
    weights: tuple[float, ...]
    wants: str | None  # number | date | duration | person | place | None
    unknown_names: tuple[str, ...] = ()  # capitalised words of the question the corpus never uses

    @property
    def total_weight(self) -> float:
        return sum(self.weights) or 1.0


def answer_type(question: str) -> str | None:
    q = question.lower().strip()
    if re.search(r"\bhow (many|much)\b|\bwhat (percentage|share|number)\b|\bhow old\b|\bby how much\b", q):
        return "number"
    if re.search(r"\bhow long\b|\bfor how long\b|\bwhat (was|is) the (duration|length)\b|\bhow many days\b", q):
        return "duration"
    if re.search(
        r"^(when|what (date|day|year|month|time))\b|\bwhen\b|\bwhat (year|date|day of the week|month)\b|\bsince when\b",
        q,
    ):
        return "date"
    if re.search(
        r"^(who|whom|whose)\b|\bwho\b|\bwhich (leader|president|minister|official|person|people|agency|outlet|broadcaster|spokes\w+)\b",
        q,
    ):
        return "person"
    if re.search(
        r"^where\b|\bwhere\b|\bwhich (city|country|countries|place|region|venue)\b|\bin what (city|country)\b"
        r"|\b(location|venue)\b",
        q,
    ):
        return "place"
    return None


def _weight(term: str, idf: Callable[[str], float], seen: Callable[[str], bool]) -> float:
    """Rarity of a word; a word no article uses counts as rare as a word one chunk uses
    (often a paraphrase: 'send' for 'deployed'), not rarer."""
    weight = idf(term)
    return weight if seen(term) else weight * 0.8


def profile_question(
    question: str,
    idf: Callable[[str], float],
    seen: Callable[[str], bool] = lambda w: True,
    context: str = "",
) -> QuestionProfile:
    """Key words weighted by rarity. Words carried from earlier turns (``context``) count
    for less than the question's own; names the corpus never mentions are noted."""
    own = tuple(dict.fromkeys(content_words(question)))
    carried = tuple(w for w in dict.fromkeys(content_words(context)) if w not in own)
    own_weights = [_weight(t, idf, seen) for t in own]
    carried_weights = [_weight(t, idf, seen) for t in carried]
    # Carried words help find the topic but must not outvote the question's own words.
    budget = 0.5 * sum(own_weights) if own_weights else 1.0
    scale = min(0.3, budget / sum(carried_weights)) if carried_weights else 0.0
    weights = tuple(own_weights) + tuple(scale * w for w in carried_weights)
    names = [m.group(0) for m in re.finditer(r"(?<!^)(?<![.?!]\s)\b[A-Z][a-z]+\b", question.strip())]
    unknown = tuple(n for n in names if not any(seen(w) for w in content_words(n)))
    return QuestionProfile(question, own + carried, weights, answer_type(question), unknown)


def coverage(profile: QuestionProfile, sentence: str) -> float:
    """Rarity-weighted share of the question's key words that the sentence contains."""
    return weighted_coverage(profile.terms, profile.weights, sentence)


def _titled_names(sentence: str, profile: QuestionProfile) -> list[re.Match]:
    """Names right after a title word ("Foreign Minister Choe Son Hui") that the question does not already hold."""
    out = []
    for m in TITLED_NAME.finditer(sentence):
        name = m.group(1).strip()
        if (
            name
            and name.lower() not in profile.text.lower()
            and not any(same_word(w, t) for w in content_words(name) for t in profile.terms)
        ):
            out.append(_Span(m.start(1), m.start(1) + len(name), name))
    return out


class _Span:
    """A match-like span (start, end, group(0)) for phrases cut out of a larger match."""

    def __init__(self, start: int, end: int, text: str):
        self._start, self._end, self._text = start, end, text

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def group(self, _index: int = 0) -> str:
        return self._text


def _outside_question(matches: list[re.Match], question: str) -> list[re.Match]:
    ql = question.lower()
    return [m for m in matches if m.group(0).strip().lower() not in ql]


def find_short_answer(profile: QuestionProfile, sentence: str) -> tuple[int, int] | None:
    """Span of the phrase that answers the question inside ``sentence``, when one stands out."""
    wants = profile.wants
    if wants is None:
        return None
    if wants == "number":
        found = _outside_question(list(NUMBER_PHRASE.finditer(sentence)), profile.text)
        found = [m for m in found if not YEAR_ONLY.fullmatch(m.group(0).strip())] or found
    elif wants == "duration":
        found = _outside_question(list(DURATION_PHRASE.finditer(sentence)), profile.text)
    elif wants == "date":
        found = _outside_question(list(DATE_PHRASE.finditer(sentence)), profile.text)
    elif wants == "person" and (titled := _titled_names(sentence, profile)):
        found = titled
    else:
        found = []
        for m in NAME.finditer(sentence):
            phrase = m.group(0)
            if m.start() == 0 and " " not in phrase:
                continue  # a capitalised first word is not a name by itself
            if phrase.lower() in profile.text.lower() or all(
                same_word(w, t) for w in content_words(phrase) for t in profile.terms[:1]
            ):
                continue
            if any(same_word(w, t) for w in content_words(phrase) for t in profile.terms):
                continue
            found.append(m)
        if wants == "place":
            found = [
                m
                for m in found
                if re.search(
                    r"\b(?:in|at|to|from|near|nearby)\s+(?:the\s+)?$", sentence[max(0, m.start() - 12) : m.start()]
                )
            ] or []
        elif wants == "person":
            titled = [m for m in found if TITLE_BEFORE.search(sentence[max(0, m.start() - 20) : m.start()])]
            found = titled or [m for m in found if " " in m.group(0)]
    if not found:
        return None
    if len(found) == 1:
        m = found[0]
    else:
        # Prefer the candidate nearest to the question's words in the sentence.
        anchors = [i.start() for t in profile.terms for i in re.finditer(re.escape(t), sentence.lower())]
        if not anchors:
            return (found[0].start(), found[0].end())
        m = min(found, key=lambda c: min(abs(c.start() - a) for a in anchors))
    start, end = m.start(), m.end()
    while start < end and sentence[start].isspace():
        start += 1
    return (start, end)


def type_match(profile: QuestionProfile, sentence: str) -> float:
    """1 when the sentence holds the kind of phrase asked for, 0 when it lacks it, 0.5 when nothing is asked."""
    if profile.wants is None:
        return 0.5
    return 1.0 if find_short_answer(profile, sentence) else 0.0


def evidence_score(profile: QuestionProfile, sentence: str, dense_rel: float) -> float:
    """Combine overlap, answer type and the passage's dense similarity into one 0..1 score.

    Multiplicative on purpose: without the question's key words a sentence is
    no evidence, however similar its passage or however many numbers it holds.
    """
    wanted_kind = 1.0 if profile.wants is None or type_match(profile, sentence) else 0.6
    score = coverage(profile, sentence) * wanted_kind * (0.8 + 0.2 * dense_rel)
    if profile.unknown_names:
        score *= 0.5  # asked about a name no article mentions
    stripped = sentence.strip()
    if stripped.endswith("?"):
        return 0.0  # a question in the article ("What other leaders will attend?") is never an answer
    if len(stripped.split()) < 5 or stripped[-1:] not in '.!"”’)':
        score *= 0.8  # headings, captions, fragments
    return score


@dataclass(frozen=True)
class ScoredSentence:
    """A sentence of a retrieved passage (offsets into the original article) with its evidence score."""

    passage: Passage
    start: int
    end: int
    text: str
    score: float
    coverage: float


def score_evidence(profile: QuestionProfile, passages: list[Passage]) -> list[ScoredSentence]:
    """Every sentence of every passage with its evidence score, best first: the evidence both answer paths use."""
    dense = [p.dense_score for p in passages if p.dense_score is not None]
    lo, hi = (min(dense), max(dense)) if dense else (0.0, 0.0)
    scored: dict[tuple[str, int, int], ScoredSentence] = {}
    for p in passages:
        rel = ((p.dense_score - lo) / (hi - lo)) if (p.dense_score is not None and hi > lo) else 0.5
        for start, end, text in passage_sentences(p):
            key = (p.doc_id, start, end)
            if key in scored:  # overlapping chunks repeat a sentence
                continue
            scored[key] = ScoredSentence(
                p, start, end, text, evidence_score(profile, text, rel), coverage(profile, text)
            )
    return sorted(scored.values(), key=lambda s: (-s.score, s.passage.doc_id, s.start))
