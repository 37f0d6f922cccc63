"""Month and weekday names, date phrases inside sentences, and date parts.

The one month table of the project: the cleaner, the reader, the time words of
questions and the conflict finder all read it from here.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

MONTH_NAMES: tuple[str, ...] = tuple(m.lower() for m in calendar.month_name if m)  # january .. december
FULL_MONTH_NUMBERS: dict[str, int] = {m: i for i, m in enumerate(MONTH_NAMES, start=1)} | {"sept": 9}
MONTH_NUMBERS: dict[str, int] = FULL_MONTH_NUMBERS | {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
WEEKDAYS = tuple(d for d in calendar.day_name)
# Month and weekday names, lower case: words that name a time, not a person or place.
TIME_NAMES: frozenset[str] = frozenset(MONTH_NUMBERS) | frozenset(d.lower() for d in WEEKDAYS)

# Longest first, so "September" wins over "Sep"; a trailing dot allowed ("Sept.").
MONTH = r"(?:" + "|".join(sorted((m.capitalize() for m in MONTH_NUMBERS), key=len, reverse=True)) + r")\.?"
WEEKDAY = r"(?:" + "|".join(WEEKDAYS) + r")"

DATE_PHRASE = re.compile(
    rf"\b(?:{MONTH}\s+\d{{1,2}}(?:,\s*\d{{4}})?|\d{{1,2}}\s+{MONTH}(?:\s+\d{{4}})?|{MONTH}\s+\d{{4}}|"
    rf"(?:in|since|until|by|of|from)\s+(?:early\s+|late\s+|mid-)?(?:{MONTH}\s+)?(?:19|20)\d{{2}}|{WEEKDAY}|"
    rf"\d{{4}}-\d{{2}}-\d{{2}}|(?:last|next|this)\s+(?:year|month|week)|(?:19|20)\d{{2}})\b"
)
YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def month_number(name: str) -> int | None:
    """1-12 for a month name or abbreviation (any case, trailing dot allowed)."""
    return MONTH_NUMBERS.get(name.lower().rstrip("."))


def month_range(year: int, month: int) -> tuple[str, str]:
    """First and last day of a month, ISO."""
    last = calendar.monthrange(year, month)[1]
    return date(year, month, 1).isoformat(), date(year, month, last).isoformat()


def iso_date(year: int | str, month: int | str, day: int | str) -> str | None:
    """An ISO date, or None when the parts name no real day."""
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except (TypeError, ValueError):
        return None


def date_parts(phrase: str) -> dict[str, int]:
    """Year, month and day named in a date phrase (any subset): 'May 15, 2012' -> all three."""
    parts: dict[str, int] = {}
    for word in re.findall(r"[A-Za-z]+\.?|\d+", phrase):
        if re.fullmatch(r"(?:19|20)\d\d", word):
            parts["year"] = int(word)
        elif word[0].isalpha() and (month := month_number(word)) is not None:
            parts["month"] = month
        elif word.isdigit() and 1 <= int(word) <= 31:
            parts["day"] = int(word)
    return parts


def partial_date_range(text: str) -> tuple[str, str] | None:
    """'2025' -> (2025-01-01, 2025-12-31); '2025-02' -> the month; '2025-02-03' -> that day; else None."""
    m = re.fullmatch(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*", text)
    if not m:
        return None
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    if month is None:
        return f"{year:04d}-01-01", f"{year:04d}-12-31"
    if not 1 <= int(month) <= 12:
        return None
    if day is None:
        return month_range(year, int(month))
    iso = iso_date(year, month, day)
    return (iso, iso) if iso else None
