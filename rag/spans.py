"""Short answers: phrases of the asked-for kind inside a sentence (a number, date, duration, person, place).

A span the question already holds is not an answer ("In 2024, how many ..." is
not answered by "2024"). Among several, the one nearest the question's focus
wins ("15,000 troops" for "how many troops"), then the one nearest its other words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsdesk.text.dates import DATE_PHRASE, MONTH
from newsdesk.text.names import NAME, TITLE_BEFORE, TITLED_NAME, plausible_person, trim_leading_non_name
from newsdesk.text.numbers import DURATION_PHRASE, NUMBER_PHRASE, NUMBER_WORD_VALUES, ORDINAL, YEAR_ONLY
from newsdesk.text.words import STOPWORDS, content_words, same_word
from rag.focus import QuestionProfile

_RELATIVE_TIME = re.compile(r"^\s*(?:after|before|later|earlier|prior)\b", re.IGNORECASE)
_PLACE_BEFORE = re.compile(r"\b(?:in|at|to|from|near|nearby|outside|inside|across)\s+(?:the\s+)?$")
_WORD = re.compile(r"[\w'’-]+")
# "the Russian", "the North Korean": a demonym after "the" names no one.
_NATIONALITY = re.compile(r"(?:(?:North|South|East|West)\s+)?[A-Z][a-z]+(?:ian|ean|ese|ish|ican|ch|i)")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


def _outside_question(spans: list[Span], question: str) -> list[Span]:
    ql = question.lower()
    return [s for s in spans if s.text.strip().lower() not in ql]


def _strip(sentence: str, start: int, end: int) -> Span:
    while start < end and sentence[start].isspace():
        start += 1
    while end > start and sentence[end - 1] in " ,;:":
        end -= 1
    return Span(start, end, sentence[start:end])


def _of(matches, sentence: str, group: int = 0) -> list[Span]:
    return [_strip(sentence, m.start(group), m.end(group)) for m in matches]


def _sentence_word(word: str) -> bool:
    """A capitalised first word that reads as an ordinary word ("However", "Meanwhile", "Speaking", a plural
    such as "Leaders"), not a name ("Lukashenko was seen ...")."""
    low = word.lower()
    return low in STOPWORDS or not content_words(low) or bool(re.search(r"(?:ly|ing|ed|ever|s)$", low))


_SUBJECT_VERB = re.compile(
    r"\s+(?:(?:is|was|are|were|has|had|have|will|would|can|could|did|does|said|says|told|also|then|later)\b|"
    r"[a-z]+(?:ed|es)\b|(?:won|lost|met|sent|gave|took|made|held|led|became|came|left|bought|sold|beat)\b)"
)


_AND_NAME = re.compile(r"\s+and\s+[A-Z]")


def _opens_as_subject(word: str, rest: str) -> bool:
    """A capitalised first word is a name when a verb follows it ("Lukashenko was seen", "Facebook bought
    Instagram") or another name joins it ("Putin and Kim may meet"); not a discourse word ("Meanwhile, ..."),
    a plural ("Leaders including ..."), or an imperative ("Take a look ...")."""
    return not _sentence_word(word) and bool(_SUBJECT_VERB.match(rest) or _AND_NAME.match(rest))


def _names(profile: QuestionProfile, sentence: str) -> list[Span]:
    """Capitalised names the question does not already hold. A run that holds a word of the question is
    split around it: "Director Justin Kurzel" answers "Who is the director of ...?" with "Justin Kurzel"."""
    found = []
    question = profile.text.lower()
    for m in NAME.finditer(sentence):
        pieces: list[tuple[int, int]] = []
        for w in _WORD.finditer(m.group(0)):
            asked = w.group(0).lower() in question.split() or any(
                same_word(s, t) for s in content_words(w.group(0)) for t in profile.terms
            )
            at = (m.start() + w.start(), m.start() + w.end())
            if asked:
                pieces.append((-1, -1))
            elif pieces and pieces[-1][0] >= 0:
                pieces[-1] = (pieces[-1][0], at[1])
            else:
                pieces.append(at)
        split = len(pieces) > 1
        for start, end in pieces:
            if start < 0:
                continue
            phrase = sentence[start:end]
            if split and " " not in phrase.strip():
                continue  # a word left over from a title the question names ("2018 FIFA World Cup") is no name
            if start == 0 and " " not in phrase and not _opens_as_subject(phrase, sentence[end:]):
                continue  # a capitalised first word is a name only if it reads as one
            if phrase.lower() in question or re.fullmatch(r"(?:of|de|al|bin|von|van)(?:\s.*)?", phrase):
                continue
            found.append(_strip(sentence, start, end))
    return found


_DATE_PREPOSITION = re.compile(r"(?:in|since|until|by|of|from|on)\s+", re.IGNORECASE)


def _without_preposition(span: Span) -> Span:
    """ "in 2019" -> "2019": the date, not the words that place it."""
    m = _DATE_PREPOSITION.match(span.text)
    return Span(span.start + m.end(), span.end, span.text[m.end() :]) if m else span


# A determiner and one or two lower-case modifiers before a capitalised word: "the first", "its new".
_DETERMINER_BEFORE = re.compile(
    r"\b(?:a|an|the|its|their|his|her|our|this|that|these|those)\s+(?:[a-z][\w-]*\s+){1,2}$", re.IGNORECASE
)
_NEXT_WORD = re.compile(r"\s+([a-z][a-z-]*)\b")
_TIME_ADVERBS = frozenset("today yesterday tonight tomorrow now again already still later earlier".split())


def _descriptive(sentence: str, span: Span) -> bool:
    """A capitalised adjective before the noun it describes ("an American company", "South Korean film
    Parasite", "the first Black female president"): it names no one. The next word must read as a noun or an
    adjective (not a verb: "the Kremlin said"; not a function word or adverb: "the Bank of", "Raiders today"). A
    word other than a demonym counts only after a determiner and a modifier, as a proper noun used as a modifier
    ("the TASS agency") is still a name."""
    after = _NEXT_WORD.match(sentence, span.end)
    if not after:
        return False
    word = after.group(1)
    if word in STOPWORDS or word in _TIME_ADVERBS or _SUBJECT_VERB.match(sentence, span.end):
        return False
    if re.search(r"(?:s|ing|ly)$", word):
        return False
    if _NATIONALITY.fullmatch(span.text):
        return True
    one_word = " " not in span.text and not span.text.isupper()
    return one_word and _DETERMINER_BEFORE.search(sentence[: span.start]) is not None


def _inside_date(sentence: str, span: Span) -> bool:
    """ "March" of "March 20, 2019", "July" of "13 July 2001": part of a date, not a name."""
    return any(
        m.start() <= span.start and span.end <= m.end() and re.search(r"\d", m.group(0))
        for m in DATE_PHRASE.finditer(sentence)
    )


def _person(sentence: str, span: Span) -> Span | None:
    """The span as a person's (or organisation's) name: a leading "The"/"While" dropped; None when it is
    a title, a team, an event or a nationality ("The Russian", "War of Moscow")."""
    text = span.text
    offset = 0
    if owners := list(re.finditer(r"['’]s\s+", text)):  # "Slovenia's Tadej Pogačar": the owner is not the person
        offset = owners[-1].end()
    kept = len(trim_leading_non_name(text[offset:]).split())
    words = list(re.finditer(r"\S+", text[offset:]))
    if kept and kept < len(words):
        offset += words[len(words) - kept].start()
    trimmed = text[offset:]
    start = span.start + offset
    candidate = Span(start, start + len(trimmed), trimmed)
    demonym = _NATIONALITY.fullmatch(trimmed) and re.search(r"\bthe\s+$", sentence[: candidate.start], re.I)
    possessive = re.search(r"['’]s?$", trimmed) is not None  # "DC's", "Women's": whose, not who
    number = trimmed.lower() in NUMBER_WORD_VALUES or re.fullmatch(ORDINAL, trimmed.lower()) is not None
    if not plausible_person(trimmed) or demonym or possessive or number:
        return None
    if _descriptive(sentence, candidate) or _inside_date(sentence, candidate):
        return None
    return candidate


def typed_spans(profile: QuestionProfile, sentence: str) -> list[Span]:
    """Every phrase of the kind the question asks for that the question does not already hold."""
    wants = profile.wants
    if wants is None:
        return []
    if wants == "number":
        found = _outside_question(_of(NUMBER_PHRASE.finditer(sentence), sentence), profile.text)
        return [s for s in found if not YEAR_ONLY.fullmatch(s.text.strip())] or found
    if wants == "duration":
        found = _of(DURATION_PHRASE.finditer(sentence), sentence)
        found = [s for s in found if not _RELATIVE_TIME.match(sentence[s.end :])]  # "a day after" is not a duration
        return _outside_question(found, profile.text)
    if wants == "date":
        found = [_without_preposition(s) for s in _of(DATE_PHRASE.finditer(sentence), sentence)]
        return _outside_question(found, profile.text)
    if wants == "person":
        titled = [
            s
            for s in _of(TITLED_NAME.finditer(sentence), sentence, 1)
            if s.text.lower() not in profile.text.lower()
            and not any(same_word(w, t) for w in content_words(s.text) for t in profile.terms)
        ]
        if titled:
            return titled
        names = [s for s in (_person(sentence, n) for n in _names(profile, sentence)) if s is not None]
        after_title = [s for s in names if TITLE_BEFORE.search(sentence[max(0, s.start - 20) : s.start])]
        # A name after a title, else any name the question does not hold (a sentence's first word only when
        # a verb follows it).
        return after_title or names
    # place
    return [s for s in _names(profile, sentence) if _PLACE_BEFORE.search(sentence[max(0, s.start - 12) : s.start])]


_AUXILIARY = r"(?:is|was|are|were|be|been|did|does|do|has|have|had|will|would|can|could|should|may|might|must)"
# "Who won ...?", "Which film won ...?": the question word is the subject of a verb the question uses.
_ASKS_FOR_DOER = re.compile(
    rf"^\W*(?:who\s+(?!{_AUXILIARY}\b)[a-z]+|(?:which|what)\s+[\w'’-]+\s+(?!{_AUXILIARY}\b)[a-z]+(?:ed|s)\b|"
    rf"(?:which|what)\s+[\w'’-]+\s+(?:won|lost|beat|led|met|made|took|became|came|left|held|sent|gave|bought|sold)\b)",
    re.IGNORECASE,
)
# The object of an active verb: "beats Serena Williams", "defeated Alcaraz", "acquired Instagram" (but not the
# speaker of '..., said Putin', nor the agent of "was beaten by").
_VERB_BEFORE = re.compile(
    r"(?<![,\"”’])\s(?!(?:by|to|of|in|at|on|for|with|from|as|and|or|but)\s)"
    r"(?:[a-z]+(?:ed|es)|[a-z]+[^s\W]s|won|beat|met|led|made|took|sent|gave|bought|sold|left|held|joined|signed)\s+$"
)
_AGENT_BEFORE = re.compile(
    r"\b(?:by|(?:lost|lose|loses|losing|fell|falls|falling|succumbed|bowed)\s+to)\s+(?:the\s+)?$"
)
_PLACE_OF = re.compile(r"\b(?:in|at|near|outside|inside)\s+(?:the\s+)?$")


def asks_for_doer(question: str) -> bool:
    """The question word is the subject of the question's verb ("Who won the final?"), not its object
    ("Who did she beat?") nor the subject of "is" ("Who is the CEO?")."""
    return _ASKS_FOR_DOER.search(question) is not None


# The subject of a passive ("Titanic was directed by ...") or of "lost to": the one the action befalls.
_PATIENT_AFTER = re.compile(
    r"\s+(?:(?:is|was|are|were|(?:has|have|had)\s+been|will\s+be)\s+(?:[a-z]+ly\s+)?[a-z]+(?:ed|en|wn)\b|"
    r"(?:lost|loses|lose|fell|falls|succumbed|bowed)\s+to\b)"
)


def name_role(sentence: str, span: Span) -> str:
    """agent ("directed by James Cameron", "lost to Halep"), object ("Halep beat Serena Williams"), patient
    ("Serena Williams lost to ...", "Titanic was directed by ...") or subject."""
    before = sentence[: span.start]
    if _AGENT_BEFORE.search(before):
        return "agent"
    verb = re.search(r"(\S+)\s+$", before)
    if verb and verb.group(1).lower() not in STOPWORDS and _VERB_BEFORE.search(" " + before[-40:]):
        return "object"
    if _PATIENT_AFTER.match(sentence, span.end):
        return "patient"
    return "subject"


SINGLE_WORD_NAME_PENALTY = 20  # characters: about three words

_DAY_AND_MONTH = re.compile(rf"{MONTH}\s+\d{{1,2}}\b|\b\d{{1,2}}\s+{MONTH}|\d{{4}}-\d{{2}}-\d{{2}}")
_MONTH_OR_YEAR = re.compile(rf"{MONTH}|\b(?:19|20)\d\d\b")


def span_detail(kind: str | None, span: Span) -> float:
    """How much a span says, 0-1: "July 21, 2017" says more than "July 2017", which says more than "2017"
    or "Tuesday"; a full name more than a single word. News answers "when" with the day when it has one."""
    if kind == "date":
        if _DAY_AND_MONTH.search(span.text):
            return 1.0
        months_and_years = _MONTH_OR_YEAR.findall(span.text)
        return 0.67 if len(months_and_years) >= 2 else 0.33
    if kind in ("person", "place"):
        return 1.0 if " " in span.text.strip() else 0.5
    return 1.0


def _word_positions(sentence: str, terms: tuple[str, ...]) -> list[int]:
    """Character positions of the sentence's words that are one of ``terms`` (or an inflection)."""
    positions = []
    for m in _WORD.finditer(sentence):
        stems = content_words(m.group(0))
        if stems and any(same_word(stems[0], t) for t in terms):
            positions.append(m.start())
    return positions


def words_between(sentence: str, a: int, b: int) -> int:
    lo, hi = sorted((a, b))
    return len(_WORD.findall(sentence[lo:hi]))


def focus_distance(profile: QuestionProfile, sentence: str, span: Span) -> int | None:
    """Words between the span and the nearest focus word of the question (None: no focus word in the sentence)."""
    positions = _word_positions(sentence, profile.focus)
    if not positions:
        return None
    return min(words_between(sentence, span.start if p > span.start else span.end, p) for p in positions)


def best_span(profile: QuestionProfile, sentence: str, spans: list[Span] | None = None) -> Span | None:
    """The span nearest the focus, then nearest the question's other words (for a date, the fullest first);
    None when there is none."""
    spans = typed_spans(profile, sentence) if spans is None else spans
    if not spans:
        return None
    if len(spans) == 1:
        return spans[0]
    focus = _word_positions(sentence, profile.focus)
    anchors = focus or _word_positions(sentence, profile.terms)
    if not anchors:
        return spans[0]
    # A date answer is the fullest date near the focus ("November 18, 2020" over "Wednesday").
    if profile.wants == "date":  # a date answer is the fullest date near the focus ("November 18, 2020")
        return min(spans, key=lambda s: (-span_detail("date", s), min(abs(s.start - a) for a in anchors), s.start))

    # A one-word name counts as a few characters further away than a full name ("Black" in "the first Black
    # female president" is no answer beside "Sandra Douglass Morgan").
    def distance(s: Span) -> float:
        single = profile.wants == "person" and span_detail("person", s) < 1.0
        return min(abs(s.start - a) for a in anchors) + (SINGLE_WORD_NAME_PENALTY if single else 0)

    # "Who won ...?" asks for the doer: not the one "A beat B" or "B lost to A" acts on, nor the place of "a
    # teacher in Las Vegas". (The subject of a passive is the one acted on only when the sentence names the
    # doer: "Woolfall was elected" still answers "Who became president?")
    roles = {s: name_role(sentence, s) for s in spans} if profile.wants == "person" else {}
    undergoers = ("object", "patient") if "agent" in roles.values() else ("object",)

    def out_of_role(s: Span) -> bool:
        return profile.wants == "person" and (
            _PLACE_OF.search(sentence[: s.start]) is not None
            or (asks_for_doer(profile.text) and roles[s] in undergoers)
        )

    return min(spans, key=lambda s: (out_of_role(s), distance(s), s.start))


def find_short_answer(profile: QuestionProfile, sentence: str) -> tuple[int, int] | None:
    """(start, end) of the phrase that answers the question inside ``sentence``, when one stands out."""
    span = best_span(profile, sentence)
    return (span.start, span.end) if span else None
