"""Time words in a question ("today", "this week", "since Monday", "in May 2024", "the latest") as date scopes.

Relative words are measured from ``as_of``, the moment of asking (today, unless a caller pins it so an
old question or eval suite reads the same on any day). Weeks start on Monday; a window measured from
``as_of`` never reaches past it, because articles dated later did not exist yet when the question was asked.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from newsdesk.text.dates import FULL_MONTH_NUMBERS, MONTH_NUMBERS
from newsdesk.text.numbers import NUMBER_WORD_VALUES

_MONTHS = MONTH_NUMBERS
_FULL_MONTHS = FULL_MONTH_NUMBERS
_WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
# A month word that names something else: "May Day", "April's interview".
_NOT_A_NAME = r"(?!['’]s\b)(?!\s+Day\b)"
_MONTH = r"(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?" + _NOT_A_NAME
_FULL_MONTH = r"(" + "|".join(sorted(_FULL_MONTHS, key=len, reverse=True)) + r")\b" + _NOT_A_NAME
_WEEKDAY = r"(" + "|".join(_WEEKDAYS) + r")\b"
_NUMBER_WORDS = {w: v for w, v in NUMBER_WORD_VALUES.items() if 1 <= v <= 12 and w != "dozen"} | {"a": 1, "an": 1}
_COUNT = r"(\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_PART_OF = r"(?:(?:early|mid|late)[- ]?)?"

_RECENT = re.compile(r"\b(most recent|latest|newest|last time|recently|right now|now|currently)\b", re.I)


@dataclass(frozen=True)
class TimeScope:
    since: str | None = None  # ISO dates, inclusive
    until: str | None = None
    prefer_recent: bool = False
    phrase: str = ""  # the words that set it, for the notice
    # Recency words ("today", "this week", "since Monday") ask what was reported then: an article from
    # another day cannot answer them, so an empty window means "nothing then", not "search everything".
    # Named periods ("in March", "in 2023") may be recounted by later articles, so they fall back.
    only_in_window: bool = False


def _month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _months_back(day: date, months: int) -> tuple[int, int]:
    """(year, month) ``months`` calendar months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return index // 12, index % 12 + 1


def _latest_month(month: int, as_of: date) -> int:
    """The year of the latest ``month`` that has begun by ``as_of`` ("in March", "since March")."""
    return as_of.year if month <= as_of.month else as_of.year - 1


def _week_of(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS[word.lower()]


def _ago(m: re.Match, as_of: date) -> tuple[date, date] | None:
    """ "3 days ago" is that day; "two weeks ago" the calendar week holding the day 14 days back;
    "a month ago" that calendar month; "two years ago" that calendar year."""
    n, unit = _count(m.group(1)), m.group(2).lower()
    if n == 0:
        return None
    if unit == "day":
        day = as_of - timedelta(days=n)
        return day, day
    if unit == "week":
        return _week_of(as_of - timedelta(days=7 * n))
    if unit == "month":
        return _month_range(*_months_back(as_of, n))
    return date(as_of.year - n, 1, 1), date(as_of.year - n, 12, 31)


def _past(m: re.Match, as_of: date) -> tuple[date, date] | None:
    """ "the past week", "the last 10 days", "the past month": a rolling window ending on ``as_of``."""
    n = _count(m.group(1)) if m.group(1) else 1
    unit = m.group(2).lower()
    if n == 0:
        return None
    if unit in ("day", "week"):
        return as_of - timedelta(days=n * (7 if unit == "week" else 1) - 1), as_of
    year, month = _months_back(as_of, n * (12 if unit == "year" else 1))
    same_day = date(year, month, min(as_of.day, calendar.monthrange(year, month)[1]))
    return same_day + timedelta(days=1), as_of


def _since_weekday(m: re.Match, as_of: date) -> tuple[date, date]:
    """ "since Monday": from the latest Monday on or before ``as_of`` (today, when it is Monday)."""
    back = (as_of.weekday() - _WEEKDAYS[m.group(1).lower()]) % 7
    return as_of - timedelta(days=back), as_of


def _since_month(m: re.Match, as_of: date) -> tuple[date, date]:
    month = _FULL_MONTHS[m.group(1).lower()]
    return date(_latest_month(month, as_of), month, 1), as_of


def _since_month_of_year(m: re.Match, as_of: date) -> tuple[date, date]:
    return date(int(m.group(2)), _MONTHS[m.group(1).lower()], 1), as_of


def _last_week(m: re.Match, as_of: date) -> tuple[date, date]:
    return _week_of(as_of - timedelta(days=7))


def _last_month(m: re.Match, as_of: date) -> tuple[date, date]:
    return _month_range(*_months_back(as_of, 1))


def _bare_month(m: re.Match, as_of: date) -> tuple[date, date]:
    """ "in May": the latest May that has begun by ``as_of`` (this year's from May 1 on, else last year's)."""
    month = _FULL_MONTHS[m.group(1).lower()]
    return _month_range(_latest_month(month, as_of), month)


def _last_named_month(m: re.Match, as_of: date) -> tuple[date, date]:
    """ "last September": the latest September before the current month."""
    month = _MONTHS[m.group(1).lower()]
    year = as_of.year if month < as_of.month else as_of.year - 1
    return _month_range(year, month)


def _month_of_year(m: re.Match, as_of: date) -> tuple[date, date]:
    return _month_range(int(m.group(2)), _MONTHS[m.group(1).lower()])


def _year(m: re.Match, as_of: date) -> tuple[date, date]:
    year = int(m.group(1))
    return date(year, 1, 1), date(year, 12, 31)


def _relative_year(m: re.Match, as_of: date) -> tuple[date, date]:
    year = as_of.year - (1 if m.group(1).lower() == "last" else 0)
    return date(year, 1, 1), date(year, 12, 31)


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern
    window: Callable[[re.Match, date], tuple[date, date] | None]
    only_in_window: bool  # a recency word (see TimeScope.only_in_window)
    from_as_of: bool  # measured from as_of, so it is cut at as_of


def _rule(pattern: str, window, *, recency: bool, from_as_of: bool = True) -> _Rule:
    return _Rule(re.compile(pattern, re.I), window, recency, from_as_of)


# First matching rule wins; more specific patterns come first ("in May 2024" before "in May").
_RULES = (
    _rule(
        rf"\b(?:in|during|of)\s+{_PART_OF}{_MONTH}\s+(?:of\s+)?((?:19|20)\d\d)\b",
        _month_of_year,
        recency=False,
        from_as_of=False,
    ),
    _rule(r"\b(?:in|during)\s+((?:19|20)\d\d)\b(?!\s*[-–]\d)", _year, recency=False, from_as_of=False),
    _rule(r"\b(today|tonight|this morning|this afternoon|this evening)\b", lambda m, d: (d, d), recency=True),
    _rule(r"\b(yesterday)\b", lambda m, d: (d - timedelta(days=1),) * 2, recency=True),
    _rule(rf"\b{_COUNT}\s+(day|week|month|year)s?\s+ago\b", _ago, recency=True),
    _rule(rf"\bthe\s+(?:past|last)\s+(?:{_COUNT}\s+)?(day|week|month|year)s?\b(?!\s+of\b)", _past, recency=True),
    _rule(r"\b(this)\s+(week)\b", lambda m, d: (_week_of(d)[0], d), recency=True),
    _rule(r"\b(last)\s+(week)\b(?!\s+of\b)", _last_week, recency=True),
    _rule(r"\b(this)\s+(month)\b", lambda m, d: (d.replace(day=1), d), recency=True),
    _rule(r"\b(last)\s+(month)\b(?!\s+of\b)", _last_month, recency=True),
    _rule(rf"\bsince\s+(?:last\s+)?{_WEEKDAY}", _since_weekday, recency=True),
    _rule(rf"\bsince\s+{_PART_OF}{_MONTH}\s+((?:19|20)\d\d)\b", _since_month_of_year, recency=True),
    _rule(rf"\bsince\s+{_PART_OF}{_FULL_MONTH}(?!\s*\d)", _since_month, recency=True),
    _rule(rf"\blast\s+{_MONTH}", _last_named_month, recency=False),
    _rule(rf"\b(?:in|during)\s+{_PART_OF}{_FULL_MONTH}(?!\s*\d)", _bare_month, recency=False),
    _rule(r"\b(last|this)\s+year\b(?!\s+of\b)", _relative_year, recency=False),
)
_NAME_WORDS = re.compile(r"(?-i:Today|Tonight|Yesterday|Week|Month|Year)\b")
# "found signs more than 20 years ago": a hedged distance tells when something happened, not which articles to read.
_VAGUE_BEFORE = re.compile(
    r"\b(?:more than|over|nearly|almost|about|around|roughly|some|less than|at least|up to|fewer than)\s*$", re.I
)


def _hedged_distance(question: str, m: re.Match) -> bool:
    """ "more than 20 years ago", "about three years ago": when something happened, not a window to read."""
    return m.group(0).lower().endswith("ago") and bool(_VAGUE_BEFORE.search(question[: m.start()]))


def _is_a_name(question: str, m: re.Match) -> bool:
    """A capitalised time word inside a name: "USA Today", "Russia Today", "the Week of Action"."""
    word = _NAME_WORDS.search(m.group(0))
    if not word:
        return False
    start, end = m.start() + word.start(), m.start() + word.end()
    before = question[:start].rstrip()
    at_sentence_start = not before or before[-1] in ".!?:\"“'‘("
    after_name = bool(re.search(r"(?-i:[A-Z][\w.&-]*)$", before)) and not at_sentence_start
    named_of = bool(re.match(r"\s+of\s+(?-i:[A-Z])", question[end:]))
    return after_name or named_of


def time_scope(question: str, today: date) -> TimeScope:
    """The date range or ordering the question's time words ask for, relative words measured from ``today``
    (the moment of asking)."""
    recent_match = _RECENT.search(question)
    recent = bool(recent_match)
    for rule in _RULES:
        for m in rule.pattern.finditer(question):
            if _is_a_name(question, m) or _hedged_distance(question, m):
                continue
            window = rule.window(m, today)
            if window is None:
                continue
            since, until = window
            if rule.from_as_of:
                until = min(until, today)
            if since > until:  # e.g. "this year" asked before the year began: not a window
                continue
            return TimeScope(since.isoformat(), until.isoformat(), recent, m.group(0).strip(), rule.only_in_window)
    return TimeScope(prefer_recent=recent, phrase=recent_match.group(0) if recent_match else "")
