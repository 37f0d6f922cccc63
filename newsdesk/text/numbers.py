"""Number phrases, number words, durations and their numeric values."""

from __future__ import annotations

import re

NUMBER_WORD_VALUES: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12,
}  # fmt: skip
SCALES: dict[str, int] = {"thousand": 1_000, "k": 1_000, "million": 1_000_000,
                          "billion": 1_000_000_000, "bn": 1_000_000_000, "trillion": 1_000_000_000_000}  # fmt: skip
HEDGES = ("roughly", "about", "around", "nearly", "almost", "over", "more than", "some", "at least", "up to",
          "approximately", "fewer than", "less than", "under")  # fmt: skip

_NUMBER_WORDS = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"hundred|dozen|dozens|several)"
)
ORDINAL = (
    r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|twentieth|"
    r"\d+(?:st|nd|rd|th))"
)
NUMBER_PHRASE = re.compile(
    r"(?:[$€£¥]\s?)?(?:(?:roughly|about|around|nearly|almost|over|more than|some|at least|up to)\s+)?(?:[$€£¥]\s?)?"
    r"(?:\d[\d,.]*\d|\d)(?:\s*(?:%|percent|per cent|million|billion|trillion|thousand|bn))?"
    rf"|\b(?:(?:more than|over|nearly|about|some)\s+)?{_NUMBER_WORDS}(?:\s+(?:dozen|hundred|thousand|million))?\b"
    rf"|\b{ORDINAL}\b",
    re.IGNORECASE,
)
DURATION_PHRASE = re.compile(
    r"\b(?:(?:a|one|two|three|four|five|six|seven|\d+)-(?:day|week|month|year|hour)"
    r"|\d+\s+(?:days|weeks|months|years|hours|minutes)"
    r"|(?:(?:for\s+)?(?:over|more than|about|nearly|under|less than)\s+)?an?\s+(?:hour|day|week|month|year)"
    r"|(?:two|three|four|five|six|several|\d+)\s+(?:days|weeks|months|years|hours|decades))\b",
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
