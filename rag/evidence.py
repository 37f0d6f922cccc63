"""Score sentences as evidence for a question, and find short answers inside them.

Pure functions over text and the keyword index's word rarity. The offline
answerer picks sentences with them; the verifier reuses the same overlap
measure to check a generated sentence against the passage it cites.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from newsdesk.terms import content_words, same_word

_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
DATE_RE = re.compile(
    rf"\b(?:{_MONTH}\s+\d{{1,2}}(?:,\s*\d{{4}})?|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?|{_MONTH}\s+\d{{4}}|"
    rf"(?:in|since|until|by|of|from)\s+(?:early\s+|late\s+|mid-)?(?:{_MONTH}\s+)?(?:19|20)\d{{2}}|{_WEEKDAY}|"
    rf"\d{{4}}-\d{{2}}-\d{{2}}|(?:last|next|this)\s+(?:year|month|week)|(?:19|20)\d{{2}})\b"
)
_NUMBER_WORDS = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"hundred|dozen|dozens|several|some)"
)
NUMBER_RE = re.compile(
    rf"(?:(?:roughly|about|around|nearly|almost|over|more than|some|at least|up to)\s+)?"
    rf"(?:\d[\d,.]*\d|\d)(?:\s*(?:%|percent|per cent|million|billion|thousand))?"
    rf"|\b(?:(?:more than|over|nearly|about|some)\s+)?{_NUMBER_WORDS}(?:\s+(?:dozen|hundred|thousand|million))?\b",
    re.IGNORECASE,
)
DURATION_RE = re.compile(
    r"\b(?:(?:a|one|two|three|four|five|six|seven|\d+)-(?:day|week|month|year|hour)"
    r"|\d+\s+(?:days|weeks|months|years|hours|minutes)"
    r"|(?:(?:for\s+)?(?:over|more than|about|nearly|under|less than)\s+)?an?\s+(?:hour|day|week|month|year)"
    r"|(?:two|three|four|five|six|several|\d+)\s+(?:days|weeks|months|years|hours|decades))\b",
    re.IGNORECASE,
)
_NAME_RE = re.compile(
    r"(?:[A-Z][a-zA-Z'’\-]+|[A-Z]{2,})(?:\s+(?:[A-Z][a-zA-Z'’\-]+|[A-Z]{2,}|of|de|al|bin|von|van))*(?<!\s(?:of|de|al))"
)
_TITLES = (
    "President",
    "Minister",
    "leader",
    "spokesperson",
    "spokesman",
    "aide",
    "Chancellor",
    "Premier",
    "Secretary",
    "counterpart",
    "ombudswoman",
    "chief",
    "agency",
    "broadcaster",
    "media",
)


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
    words = set(content_words(sentence))
    got = 0.0
    for term, weight in zip(profile.terms, profile.weights):
        if term in words or any(same_word(term, w) for w in words):
            got += weight
    return got / profile.total_weight


_TITLED_NAME = re.compile(r"\b(?:" + "|".join(_TITLES) + r")\s+((?:[A-Z][a-zA-Z'’\-]+\s?){1,4})")


def _titled_names(sentence: str, profile: QuestionProfile) -> list[re.Match]:
    """Names right after a title word ("Foreign Minister Choe Son Hui") that the question does not already hold."""
    out = []
    for m in _TITLED_NAME.finditer(sentence):
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
        found = _outside_question(list(NUMBER_RE.finditer(sentence)), profile.text)
        found = [m for m in found if not re.fullmatch(r"(?:19|20)\d\d", m.group(0).strip())] or found
    elif wants == "duration":
        found = _outside_question(list(DURATION_RE.finditer(sentence)), profile.text)
    elif wants == "date":
        found = _outside_question(list(DATE_RE.finditer(sentence)), profile.text)
    elif wants == "person" and (titled := _titled_names(sentence, profile)):
        found = titled
    else:
        found = []
        for m in _NAME_RE.finditer(sentence):
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
            titled = [
                m
                for m in found
                if re.search(r"\b(?:" + "|".join(_TITLES) + r")\s+$", sentence[max(0, m.start() - 20) : m.start()])
            ]
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
