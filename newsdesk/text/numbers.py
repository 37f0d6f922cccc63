"""Number phrases, number words, durations and their numeric values."""

from __future__ import annotations

import re

# The one number-word table of the project: the reader, the verifier's rules and the time words read it.
UNIT_WORDS: dict[str, int] = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen".split()
    )
}
TENS_WORDS: dict[str, int] = {
    w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())
}
ORDINAL_WORDS: dict[str, int] = {
    w: i + 1
    for i, w in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
        "fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split()
    )
}
SCALE_WORDS: dict[str, int] = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9,
                               "trillion": 10**12, "dozen": 12}  # fmt: skip
# Abbreviated scales glued to digits ("15k", "$2bn").
SCALE_SUFFIXES: dict[str, int] = {"k": 10**3, "m": 10**6, "mn": 10**6, "bn": 10**9, "b": 10**9, "tn": 10**12}
NUMBER_WORD_VALUES: dict[str, int] = UNIT_WORDS | TENS_WORDS | {"hundred": 100, "dozen": 12}
SCALES: dict[str, int] = {w: SCALE_WORDS[w] for w in ("thousand", "million", "billion", "trillion")} | {
    "k": 1_000,
    "bn": 1_000_000_000,
}
HEDGES = ("roughly", "about", "around", "nearly", "almost", "over", "more than", "some", "at least", "up to",
          "approximately", "fewer than", "less than", "under")  # fmt: skip

_NUMBER_WORDS = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"hundred|dozen|dozens|several)"
)
ORDINAL = r"(?:" + "|".join(sorted(ORDINAL_WORDS, key=len, reverse=True)) + r"|\d+(?:st|nd|rd|th))"
NUMBER_PHRASE = re.compile(
    r"(?:(?:US|A|C|HK|NZ)?[$€£¥]\s?)?(?:(?:roughly|about|around|nearly|almost|over|more than|some|at least|up to)\s+)?"
    r"(?:(?:US|A|C|HK|NZ)?[$€£¥]\s?)?"
    r"(?:\d[\d,.]*\d|\d)(?:\s*%|(?:\s*|-)(?:percent|per cent|million|billion|trillion|thousand|bn)\b)?"
    rf"|\b(?:(?:more than|over|nearly|about|some)\s+)?{_NUMBER_WORDS}(?:-{_NUMBER_WORDS})?"
    r"(?:\s+(?:dozen|hundred|thousand|million|percent|per cent))?\b"
    rf"|\b{ORDINAL}\b",
    re.IGNORECASE,
)
_COUNT_WORD = (
    r"(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|several|\d+(?:\.\d+)?)"
)
_AND_A_HALF = r"(?:[- ]and[- ]a[- ]half)?"  # "five-and-a-half years", "two and a half hours"
DURATION_PHRASE = re.compile(
    r"\b(?:(?:a|one|two|three|four|five|six|seven|\d+)-(?:day|week|month|year|hour)"
    r"|\d+(?:\.\d+)?\s+(?:days|weeks|months|years|hours|minutes)"
    r"|(?:(?:for\s+)?(?:over|more than|about|nearly|under|less than)\s+)?(?:an?|one)\s+(?:hour|day|week|month|year|decade)"
    r"(?:\s+and\s+a\s+half)?"
    rf"|{_COUNT_WORD}{_AND_A_HALF}\s+(?:days|weeks|months|years|hours|decades))\b",
    re.IGNORECASE,
)
DIGITS = re.compile(r"\d[\d,.]*\d|\d")
YEAR_ONLY = re.compile(r"(?:19|20)\d\d")


def numeric_values(text: str) -> list[float]:
    """Every number a text states, as a value: '15,000' and 'fifteen thousand' -> 15000; '2.5 million' -> 2.5e6."""
    values: list[float] = []
    tokens = re.findall(r"\d[\d,]*(?:\.\d+)?|[A-Za-z]+", text)
    i = 0
    while i < len(tokens):
        tok = tokens[i].lower()
        value: float | None = None
        if tok[0].isdigit():
            try:
                value = float(tok.replace(",", ""))
            except ValueError:
                value = None
        elif tok in NUMBER_WORD_VALUES:
            value = float(NUMBER_WORD_VALUES[tok])
            # "twenty five", "fifteen hundred"
            if i + 1 < len(tokens) and tokens[i + 1].lower() in NUMBER_WORD_VALUES and value >= 20 and value % 10 == 0:
                nxt = NUMBER_WORD_VALUES[tokens[i + 1].lower()]
                if nxt < 10:
                    value += nxt
                    i += 1
        if value is not None:
            while i + 1 < len(tokens) and tokens[i + 1].lower() in ("hundred", "dozen", *SCALES):
                word = tokens[i + 1].lower()
                value *= 100 if word == "hundred" else 12 if word == "dozen" else SCALES[word]
                i += 1
            values.append(value)
        i += 1
    return values


_EDITION_NOUNS = r"(?:season|series|episode|edition|stage|round|leg|game|chapter|volume|term)"
_NUMBER_OR_WORD = r"(?:\d{1,3}|" + "|".join(sorted(UNIT_WORDS, key=len, reverse=True)) + ")"
_EDITION = re.compile(
    rf"\b(?P<noun>{_EDITION_NOUNS})s?\s+(?P<number>{_NUMBER_OR_WORD})\b(?![,.]?\d)"
    rf"|\b(?P<ordinal>{ORDINAL})\s+(?:[A-Za-z]+\s+)?(?P<noun_after>{_EDITION_NOUNS})\b",
    re.IGNORECASE,
)


def editions(text: str) -> dict[str, set[int]]:
    """The numbered instalments a text names, by kind: "season 3" and "the third season" -> {"season": {3}}."""
    found: dict[str, set[int]] = {}
    for m in _EDITION.finditer(text):
        if m.group("noun"):
            noun, number = m.group("noun").lower(), m.group("number").lower()
            value = int(number) if number.isdigit() else UNIT_WORDS[number]
        else:
            noun, ordinal = m.group("noun_after").lower(), m.group("ordinal").lower()
            value = ORDINAL_WORDS.get(ordinal) or int(re.sub(r"\D", "", ordinal))
        found.setdefault(noun, set()).add(value)
    return found


def other_edition(question: str, text: str) -> bool:
    """The question names an instalment ("season 3") and the text names only others of that kind ("the
    fourth season"): a report on another one."""
    named = editions(text)
    return any(named.get(noun) and not named[noun] & asked for noun, asked in editions(question).items())
