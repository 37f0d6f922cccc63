"""Short answers: phrases of the asked-for kind inside a sentence (a number, date, duration, person, place).

A span the question already holds is not an answer ("In 2024, how many ..." is
not answered by "2024"). Among several, the one nearest the question's focus
wins ("15,000 troops" for "how many troops"), then the one nearest its other words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from newsdesk.text.dates import DATE_PHRASE, MONTH, TIME_NAMES, YEAR
from newsdesk.text.names import (
    COUNTRIES,
    FACILITY_HEADS,
    NAME,
    SETTLEMENT_HEADS,
    TERRITORY_HEADS,
    TITLE_BEFORE,
    TITLED_NAME,
    TITLES,
    US_STATES,
    demonym,
    place_kind,
    plausible_person,
    stood_for_by,
    trim_leading_non_name,
)
from newsdesk.text.numbers import DURATION_PHRASE, NUMBER_PHRASE, NUMBER_WORD_VALUES, ORDINAL, YEAR_ONLY
from newsdesk.text.words import STOPWORDS, content_words, same_word
from rag.focus import QuestionProfile

_RELATIVE_TIME = re.compile(r"^\s*(?:after|before|later|earlier|prior)\b", re.IGNORECASE)
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
    if not _modifies_noun(sentence, span.end):
        return False
    after = _NEXT_WORD.match(sentence, span.end)
    if after is None or re.search(r"(?:s|ing)$", after.group(1)):  # a plural or an -ing form: not a modified noun
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
    # "Tadej Pogačar of UAE Team Emirates": a full name, then the team or body it belongs to.
    belongs = re.match(r"(\S+(?:\s+\S+)+?)\s+of\s+(.+)$", trimmed)
    if belongs and plausible_person(belongs.group(1)) and not plausible_person(belongs.group(2)):
        trimmed = belongs.group(1)
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


_TIME_BEFORE = re.compile(r"\b(?:in|since|by|until|till|from|through|of|during|early|late|mid|the)\W*$", re.IGNORECASE)


def _a_time(phrase: str) -> bool:
    """Every word a month or weekday name ("Tuesday", "March")."""
    found = phrase.lower().split()
    return bool(found) and all(w.strip(".,") in TIME_NAMES for w in found)


# "on Tuesday" names no one, nor "in Winfield, Kan." (a place, and the state of a place).
_AFTER_PLACE_WORD = re.compile(r"\b(?:in|at|near)\s+(?:[A-Z][\w.'’-]*\s+)*(?:[A-Z][\w.'’-]*,\s+)?$")
_SEASON_END = re.compile(r"(?:19|20)\d\d/$")  # "the 2022/23 season"
_DAY_OF_MONTH = re.compile(rf"{MONTH}\.?\s+$", re.IGNORECASE)  # "on November 5th"
_ASKS_HOW_MUCH = re.compile(r"\bhow much\b", re.IGNORECASE)
_FRACTION_BEFORE = re.compile(r"\b(?:a|one|two|three|four|five|\d+)[\s-]+$", re.IGNORECASE)


def _part_of_a_date(sentence: str, span: Span) -> bool:
    """A number that is part of a date or a season, not an amount: "2022/23", "November 5th"."""
    before = sentence[: span.start]
    return bool(_SEASON_END.search(before) or _DAY_OF_MONTH.search(before))


def _names_a_time(sentence: str, span: Span) -> bool:
    """A year or decade, not an amount: "the late 1980s", "since 2016", "as soon as 2023." (a year-like number
    is an amount when a word it counts follows: "2000 troops")."""
    if not YEAR_ONLY.fullmatch(span.text.strip()):
        return False
    counted = re.match(r"\s+[a-z]", sentence[span.end :])
    return not counted or bool(_TIME_BEFORE.search(sentence[: span.start]))


_ASKS_AGE = re.compile(r"\bhow old\b", re.IGNORECASE)
_AGE_AFTER = re.compile(
    r"^(?:\s+|-)(?:years?|months?|weeks?|days?|centuries|century|millenni(?:a|um))\b", re.IGNORECASE
)
_AGE_BEFORE = re.compile(r"\b(?:aged?|at)\s+$", re.IGNORECASE)


def _states_age(sentence: str, span: Span) -> bool:
    """An age: "50,000 years old", "the 93-year-old", "aged 93"."""
    return bool(_AGE_AFTER.match(sentence[span.end :]) or _AGE_BEFORE.search(sentence[: span.start]))


# A question about a sum of money ("How much did Facebook pay?", "What was the Pixel 6's starting price?") is
# answered by an amount in a currency, not by "five" albums or "45" flybys in the same sentence. A change ("by how
# much did prices rise") or a rate ("what share of revenue") may be a percentage, so those are left as they were.
_MONEY_WORD = (
    r"pa(?:y|ys|id|ying|yment|yments)|costs?|costing|spen(?:d|ds|t|ding)|earn(?:s|ed|ing|ings)?|fined?|charged?|"
    r"worth|prices?|priced|budgets?|salar(?:y|ies)|fees?|revenues?|profits?|money|cash|funding|funds?|funded|"
    r"invest(?:s|ed|ing|ment)?|donat(?:e|ed|ion|ions)|compensation|valuation|valued|ransom|reward|wages?|"
    r"debts?|loans?|sold\s+for|sell\s+for|bought\s+for|buy\s+for|bid|owe[sd]?"
)
_ASKS_MONEY = re.compile(
    rf"\bhow much\b(?=.*\b(?:{_MONEY_WORD})\b)|\bwhat\b(?:\s+[\w'’-]+){{0,4}}?\s+(?:price|cost|budget|salary|fee|fine|"
    r"ransom|reward|valuation|revenue|profit|wage|net worth|prize money)\b",
    re.IGNORECASE,
)
_NOT_ONLY_MONEY = re.compile(
    r"\bby how much\b|\b(?:percent\w*|share|proportion|rate|ris(?:e|es|en|ing)|rose|f[ae]ll(?:s|en|ing)?|"
    r"increas\w*|decreas\w*|drop\w*|gr[eo]w\w*|climb\w*|jump\w*|declin\w*|gain\w*|los[est]\w*|surg\w*|plung\w*|"
    r"soar\w*|slump\w*)\b",
    re.IGNORECASE,
)
_CURRENCY_SIGN = r"[$€£¥₹₽₩₺₪₦₱฿₴]"
_CURRENCY_CODE = (
    r"\b(?:USD|EUR|GBP|JPY|CNY|RMB|INR|RUB|CHF|CAD|AUD|HKD|SGD|KRW|BRL|MXN|ZAR|TRY|SEK|NOK|DKK|PLN|"
    r"AED|SAR|NGN|KES|EGP|PKR|IDR|THB|MYR|PHP|UAH)\b"
)
_SIGN_OR_CODE_BEFORE = re.compile(rf"(?:{_CURRENCY_SIGN}|{_CURRENCY_CODE})\s?$")  # "$ 5", "USD 250,000"
CURRENCY = re.compile(
    rf"{_CURRENCY_SIGN}|{_CURRENCY_CODE}|\b(?:dollars?|euros?|pounds?|sterling|yen|yuan|renminbi|rupees?|"
    r"roubles?|rubles?|pesos?|francs?|lira|liras|dinars?|riyals?|dirhams?|shekels?|kronor|krona|kroner|krone|rand|"
    r"naira|baht|ringgit|rupiah|hryvnias?|zloty|forints?|shillings?|cents?|pence)\b",
    re.IGNORECASE,
)
_CURRENCY_AFTER = re.compile(
    r"^\s*(?:(?:US|U\.S\.|Hong Kong|Canadian|Australian)\s+)?(?:" + CURRENCY.pattern + ")", re.I
)


@lru_cache(maxsize=1024)
def asks_money(question: str) -> bool:
    """Does the question ask for a sum of money (and nothing else a number could be)? (Cached: typed_spans asks
    it of the same question for every candidate sentence.)"""
    return bool(_ASKS_MONEY.search(question)) and not _NOT_ONLY_MONEY.search(question)


def _states_money(sentence: str, span: Span) -> bool:
    """An amount in a currency: "$1.65 billion", "USD 250,000", "5 million euros", "£22m"."""
    before = sentence[max(0, span.start - 5) : span.start]
    return bool(
        CURRENCY.search(span.text) or _SIGN_OR_CODE_BEFORE.search(before) or _CURRENCY_AFTER.match(sentence[span.end :])
    )


# "When was it proposed?" is not answered by "next month", nor "When will it open?" by "last week".
_ASKS_PAST = re.compile(r"\bwhen\s+(?:did|was|were|had)\b", re.IGNORECASE)
_ASKS_FUTURE = re.compile(r"\bwhen\s+(?:will|is\s+\S+\s+(?:going|due|set|expected)\s+to)\b", re.IGNORECASE)
_FUTURE_TIME = re.compile(r"^(?:next|coming|upcoming)\b|^tomorrow\b", re.IGNORECASE)
_PAST_TIME = re.compile(r"^(?:last|past|previous)\b|^yesterday\b", re.IGNORECASE)


def _other_side_of_now(question: str, phrase: str) -> bool:
    phrase = phrase.strip()
    if _ASKS_PAST.search(question):
        return bool(_FUTURE_TIME.match(phrase))
    if _ASKS_FUTURE.search(question):
        return bool(_PAST_TIME.match(phrase))
    return False


def typed_spans(profile: QuestionProfile, sentence: str) -> list[Span]:
    """Every phrase of the kind the question asks for that the question does not already hold."""
    wants = profile.wants
    if wants is None:
        return []
    if wants == "number":
        found = _outside_question(_of(NUMBER_PHRASE.finditer(sentence), sentence), profile.text)
        if _ASKS_AGE.search(profile.text):  # "how old": an age, not "one side" or "26 countries"
            return [s for s in found if _states_age(sentence, s)]
        found = [s for s in found if not _part_of_a_date(sentence, s)]
        if asks_money(profile.text):
            found = [s for s in found if _states_money(sentence, s)]
        # "How much did it cost?" is not answered by "its third year" (but "how many meetings" is, by "the fourth").
        if _ASKS_HOW_MUCH.search(profile.text):  # ("a third", "two thirds" are fractions, and amounts)
            found = [
                s
                for s in found
                if not re.fullmatch(ORDINAL, s.text.strip().lower()) or _FRACTION_BEFORE.search(sentence[: s.start])
            ]
        return [s for s in found if not YEAR_ONLY.fullmatch(s.text.strip())] or [
            s for s in found if not _names_a_time(sentence, s)
        ]
    if wants == "duration":
        found = _of(DURATION_PHRASE.finditer(sentence), sentence)
        found = [s for s in found if not _RELATIVE_TIME.match(sentence[s.end :])]  # "a day after" is not a duration
        return _outside_question(found, profile.text)
    if wants == "date":
        found = [_without_preposition(s) for s in _of(DATE_PHRASE.finditer(sentence), sentence)]
        return [s for s in _outside_question(found, profile.text) if not _other_side_of_now(profile.text, s.text)]
    if wants == "person":
        titled = [
            s
            for s in _of(TITLED_NAME.finditer(sentence), sentence, 1)
            if s.text.lower() not in profile.text.lower()
            and not any(same_word(w, t) for w in content_words(s.text) for t in profile.terms)
        ]
        if titled:
            return titled
        names = [
            s
            for s in (_person(sentence, n) for n in _names(profile, sentence))
            if s is not None and not _a_time(s.text) and not _AFTER_PLACE_WORD.search(sentence[: s.start])
        ]
        after_title = [s for s in names if TITLE_BEFORE.search(sentence[max(0, s.start - 20) : s.start])]
        # A name after a title, else any name the question does not hold (a sentence's first word only when
        # a verb follows it).
        return after_title or names
    return _places(profile, sentence)


_COMPASS_WORD = (
    r"(?:north|south|east|west|central|northern|southern|eastern|western|downtown|"
    r"(?:north|south)-?(?:east|west)(?:ern)?)"
)
# A place follows a locative preposition ("in Kyiv", "at the Diaoyutai State Guest House", "into central Kupyansk")
# or a compass adjective ("eastern Ukraine"); "according to Reuters", "in addition to Putin" and "spoke to Xi" name
# no place.
_LOCATIVE_BEFORE = re.compile(
    r"(?:\b(?:in|at|from|near|nearby|outside|inside|across|into|towards?|via|through|throughout|around|within)|"
    r"(?<!according\s)(?<!addition\s)(?<!due\s)(?<!thanks\s)(?<!compared\s)(?<!similar\s)(?<!spoke\s)"
    r"(?<!speaking\s)(?<!talked\s)(?<!talking\s)(?<!said\s)(?<!told\s)(?<!letter\s)(?<!message\s)\bto)"
    rf"\s+(?:the\s+)?(?:{_COMPASS_WORD}\s+)?$",
    re.IGNORECASE,
)
_COMPASS_BEFORE = re.compile(rf"\b{_COMPASS_WORD}\s+$")
_PLACE_HEADS = TERRITORY_HEADS | FACILITY_HEADS | SETTLEMENT_HEADS
# A lower-case territory noun after a name belongs to it: "Kharkiv region", "Hebei province".
_TERRITORY_AFTER = re.compile(r"\s+(?:region|province|oblast|krai|county|district|prefecture|governorate)\b")
_STATE_AFTER = re.compile(r",\s+((?:[A-Z][a-z]+\s)?[A-Z][a-z]+)\b")
_HOME_AFTER = re.compile(r",?\s*(?:native\b|[-–]based\b)")
_TIME_NAMES = TIME_NAMES | {"spring", "summer", "autumn", "winter"}
_TITLE_WORDS = frozenset(t.lower() for t in TITLES)


def _place_pieces(profile: QuestionProfile, sentence: str) -> list[tuple[int, int]]:
    """Capitalised runs cut where the question's own words stand and after a possessive ("China's CCTV" ->
    "China", "CCTV"); a place head noun stays with its name even when the question says it ("Which region" ->
    "Belgorod Region"), and so does "People's" before one ("Donetsk People's Republic")."""
    question = profile.text.lower()
    pieces: list[tuple[int, int]] = []
    for m in NAME.finditer(sentence):
        words = list(_WORD.finditer(m.group(0)))
        current: tuple[int, int] | None = None
        for i, w in enumerate(words):
            text = w.group(0)
            start, end = m.start() + w.start(), m.start() + w.end()
            bare = re.sub(r"['’]s?$", "", text)
            asked = text.lower() in question.split() or any(
                same_word(s, t) for s in content_words(text) for t in profile.terms
            )
            head = bare.lower() in _PLACE_HEADS
            if asked and not (head and current is not None):
                if current:
                    pieces.append(current)
                current = None
                continue
            current = (current[0] if current else start, end)
            next_head = i + 1 < len(words) and words[i + 1].group(0).lower() in _PLACE_HEADS
            if bare != text and not next_head:  # a possessive ends the name: "China's CCTV"
                current = (current[0], current[1] - (len(text) - len(bare)))
                pieces.append(current)
                current = None
        if current:
            pieces.append(current)
    return pieces


def _modifies_noun(sentence: str, end: int) -> bool:
    """A lower-case noun follows (not a function word, an adverb or a verb): "the Victory Day parade"."""
    after = _NEXT_WORD.match(sentence, end)
    if not after:
        return False
    word = after.group(1)
    return not (word in STOPWORDS or word in _TIME_ADVERBS or word.endswith("ly") or _SUBJECT_VERB.match(sentence, end))


def _place_span(profile: QuestionProfile, sentence: str, start: int, end: int) -> Span | None:
    """The piece as a place: "The" dropped, a lower-case territory noun or a US state joined ("Kharkiv region",
    "Tampa, Florida"); None for a demonym, a month, a title and name, or what the question already holds."""
    if sentence.startswith("The ", start) and end > start + 4:
        start += 4
    if after := _TERRITORY_AFTER.match(sentence, end):
        end = after.end()
    phrase = sentence[start:end]
    low = phrase.lower()
    state = _STATE_AFTER.match(sentence, end)
    if state and state.group(1).lower() in US_STATES and low not in US_STATES and low not in COUNTRIES:
        end = state.end(1)  # "Tampa, Florida": a US place is named with its state
    words = low.split()
    asked = re.search(rf"(?<!\w){re.escape(low)}(?!\w)", profile.text.lower().replace("’", "'"))
    if not words or asked or demonym(phrase) or low.replace("’", "'") in _TIME_NAMES or low in STOPWORDS:
        return None
    titled = any(w in _TITLE_WORDS for w in words) or TITLE_BEFORE.search(sentence[max(0, start - 20) : start])
    if titled and place_kind(phrase) is None:
        return None  # "President Vladimir Putin", "Minister Wang Yi": a person ("King National Tennis Center" is not)
    if low in NUMBER_WORD_VALUES or re.fullmatch(ORDINAL, low):
        return None
    span = Span(start, end, sentence[start:end])
    if _inside_date(sentence, span):
        return None
    if place_kind(phrase) is None:
        if phrase.isupper():
            return None  # an acronym no list knows as a place is an organisation: "from DW", "the TASS agency"
        if re.search(r"\bthe\s+$", sentence[:start]) and _modifies_noun(sentence, end):
            return None  # "in the Victory Day parade": the name describes the noun after it
    if start == 0 and " " not in phrase and end == start + len(phrase) and place_kind(phrase) is None:
        if not _opens_as_subject(phrase, sentence[end:]):
            return None  # a capitalised first word is a name only if it reads as one
    return span


def _places(profile: QuestionProfile, sentence: str) -> list[Span]:
    """Names of places the question does not already hold: a known country, capital, continent or US state, a
    name ending in a place noun ("Kharkiv region", "Republic of Congo", "Tiananmen Square"), or a name after a
    locative preposition or a compass adjective ("in Tianjin", "central Kupyansk"). A demonym is no place."""
    found: list[Span] = []
    for start, end in _place_pieces(profile, sentence):
        span = _place_span(profile, sentence, start, end)
        if span is None or (found and span.start < found[-1].end):
            continue  # the state of "Tampa, Florida" is part of the place before it
        before = sentence[max(0, span.start - 40) : span.start]
        owner = re.match(r"['’]s?\s+[a-z]", sentence[span.end :]) is not None  # "in Mark Zuckerberg's house"
        located = not owner and (_LOCATIVE_BEFORE.search(before) or _COMPASS_BEFORE.search(before))
        # "Durango, Colorado, native ...", "Wayne, Pennsylvania": a town and its state (not "Baker Mayfield, Oklahoma")
        with_state = "," in span.text and (
            _HOME_AFTER.match(sentence, span.end) is not None
            or (span.start == 0 and " " not in span.text.split(",")[0])
        )
        if place_kind(span.text) or with_state or located:
            found.append(span)
    # A place of another kind than the asked one is no answer: "Which city ...?" is not answered by "Florida".
    return [s for s in found if place_mismatch(profile.text, s) < 2]


# The kind of place a "which X" question asks for.
_ASKED_PLACE = re.compile(
    r"\b(?:which|what)\s+(?:[\w'’-]+\s+)?(city|cities|towns?|capitals?|villages?|country|countries|nations?|"
    r"regions?|provinces?|states?|areas?|territory|territories|oblasts?|districts?|venues?|stadiums?|arenas?|"
    r"buildings?|sites?|squares?|halls?|hotels?|airports?|continents?)\b",
    re.IGNORECASE,
)
_PLACE_GRANULARITY = {
    "city": "city", "cities": "city", "town": "city", "capital": "city", "village": "city",
    "country": "country", "countries": "country", "nation": "country",
    "region": "region", "province": "region", "state": "region", "area": "region", "territory": "region",
    "territories": "region", "oblast": "region", "district": "region",
    "venue": "facility", "stadium": "facility", "arena": "facility", "building": "facility", "site": "facility",
    "square": "facility", "hall": "facility", "hotel": "facility", "airport": "facility", "continent": "continent",
}  # fmt: skip


def asked_place_kind(question: str) -> str | None:
    """city | country | region | facility | continent for "which city/country/region/venue ..."; None else."""
    m = _ASKED_PLACE.search(question)
    if not m:
        return None
    noun = m.group(1).lower()
    return _PLACE_GRANULARITY.get(noun) or _PLACE_GRANULARITY.get(re.sub(r"s$", "", noun))


def place_mismatch(question: str, span: Span) -> int:
    """0: the place is of the asked kind (a country for "which country"); 1: its kind is unknown, or a capital
    for a country (news names a government by its capital: "Beijing's stance"); 2: another kind (a city for
    "which venue", a country for "which city")."""
    asked = asked_place_kind(question)
    if asked is None:
        return 0
    kind = place_kind(span.text)
    if kind is None or (asked == "country" and stood_for_by(span.text.lower()) is not None):
        return 0 if kind == asked else 1
    return 0 if kind == asked else 2


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


def after_place_preposition(sentence: str, start: int) -> bool:
    """The name at ``start`` is where someone is ("a teacher in Las Vegas"): no who-answer stands there."""
    return _PLACE_OF.search(sentence[:start]) is not None


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
    """How much a span says, 0-1: "July 21, 2017" says more than "July 21", than "July 2017", than "2017"
    or "Tuesday"; a full name more than a single word. News answers "when" with the day when it has one."""
    if kind == "date":
        if _DAY_AND_MONTH.search(span.text):  # "November 12, 2020" says more than "Nov. 12"
            return 1.0 if YEAR.search(span.text) else 0.83
        months_and_years = _MONTH_OR_YEAR.findall(span.text)
        return 0.67 if len(months_and_years) >= 2 else 0.33
    if kind == "place":  # a known place or a name with a place noun ("Kharkiv region") says where for sure
        return 1.0 if place_kind(span.text) else 0.5
    if kind == "person":
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


_PERCENT = re.compile(r"%|\bper ?cent\b", re.IGNORECASE)
_MONEY = re.compile(r"[$€£¥]|\b(?:dollars?|euros?|pounds?|yuan|yen|rupees?|roubles?|rubles?)\b", re.IGNORECASE)
# Nouns an amount states by its unit: "what percentage" is answered by "75%", "how much money" by "$22.6bn".
_STATED_BY_UNIT = {
    "percentage": _PERCENT,
    "percent": _PERCENT,
    "share": _PERCENT,
    "proportion": _PERCENT,
    "money": _MONEY,
    "cash": _MONEY,
}


def next_to_focus(profile: QuestionProfile, sentence: str, within: int = 3) -> bool:
    """A phrase of the asked kind at most ``within`` words from a focus word, counted from the phrase's near
    edge: "around 4.5 million bottles" and "troops numbering 15,000" both state the count."""
    spans = typed_spans(profile, sentence)
    units = [_STATED_BY_UNIT[f] for f in profile.focus if f in _STATED_BY_UNIT]
    if any(unit.search(s.text) for unit in units for s in spans):  # "by what percentage": "75%" says it is one
        return True
    positions = _word_positions(sentence, profile.focus)
    if not positions:
        return False
    return any(
        words_between(sentence, s.end, p) <= within if p >= s.end else words_between(sentence, p, s.start) <= within + 1
        for s in spans
        for p in positions
    )


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
            after_place_preposition(sentence, s.start) or (asks_for_doer(profile.text) and roles[s] in undergoers)
        )

    if profile.wants == "place":
        # "which country": a country before a city; "which venue": a facility. "Which country presents itself
        # as ...?" asks for the doer, not a place the sentence locates something in ("a partner in Russia").
        doer = asks_for_doer(profile.text)
        # Without the focus in the sentence, the answer sits by what the question says of it ("a key priority"),
        # not by the names that set its scene ("the Kremlin"): those are the anchors when the sentence has them.
        unnamed = tuple(t for t in profile.terms if t not in profile.names)
        anchors = focus or _word_positions(sentence, unnamed) or anchors

        def place_out_of_role(s: Span) -> bool:
            return doer and _LOCATIVE_BEFORE.search(sentence[max(0, s.start - 40) : s.start]) is not None

        return min(spans, key=lambda s: (place_mismatch(profile.text, s), place_out_of_role(s), distance(s), s.start))
    return min(spans, key=lambda s: (out_of_role(s), distance(s), s.start))


def find_short_answer(profile: QuestionProfile, sentence: str) -> tuple[int, int] | None:
    """(start, end) of the phrase that answers the question inside ``sentence``, when one stands out."""
    span = best_span(profile, sentence)
    return (span.start, span.end) if span else None
