"""Time words in a question ("in May 2024", "last September", "the most recent") as date scopes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from newsdesk.text.dates import MONTH_NUMBERS as _MONTHS
from newsdesk.text.dates import month_range as _month_range

_MONTH = r"(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_IN_MONTH_YEAR = re.compile(rf"\b(?:in|during|of)\s+{_MONTH}\s+((?:19|20)\d\d)\b", re.I)
_IN_YEAR = re.compile(r"\b(?:in|during)\s+((?:19|20)\d\d)\b(?!\s*[-–]\d)", re.I)
_LAST_MONTH = re.compile(rf"\blast\s+{_MONTH}\b", re.I)
_RELATIVE_YEAR = re.compile(r"\b(last|this)\s+year\b", re.I)
_RECENT = re.compile(r"\b(most recent|latest|newest|last time|recently)\b", re.I)


@dataclass(frozen=True)
class TimeScope:
    since: str | None = None  # ISO dates, inclusive
    until: str | None = None
    prefer_recent: bool = False
    phrase: str = ""  # the words that set it, for the notice


def time_scope(question: str, today: date) -> TimeScope:
    """The date range or ordering the question's time words ask for (relative words use ``today``)."""
    recent = bool(_RECENT.search(question))
    if m := _IN_MONTH_YEAR.search(question):
        since, until = _month_range(int(m.group(2)), _MONTHS[m.group(1).lower()])
        return TimeScope(since, until, recent, m.group(0))
    if m := _LAST_MONTH.search(question):
        month = _MONTHS[m.group(1).lower()]
        year = today.year if month < today.month else today.year - 1
        since, until = _month_range(year, month)
        return TimeScope(since, until, recent, m.group(0))
    if m := _IN_YEAR.search(question):
        year = int(m.group(1))
        return TimeScope(f"{year}-01-01", f"{year}-12-31", recent, m.group(0))
    if m := _RELATIVE_YEAR.search(question):
        year = today.year - (1 if m.group(1).lower() == "last" else 0)
        return TimeScope(f"{year}-01-01", f"{year}-12-31", recent, m.group(0))
    return TimeScope(prefer_recent=recent, phrase=_RECENT.search(question).group(0) if recent else "")
