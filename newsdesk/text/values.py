"""Answer values: normalise them, and decide whether two sources give the same one."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from difflib import SequenceMatcher

from newsdesk.text.dates import DATE_PHRASE, WEEKDAYS, date_parts, month_number
from newsdesk.text.names import capital_of_each_other
from newsdesk.text.numbers import TENS_WORDS, UNIT_WORDS
from newsdesk.text.words import STOPWORDS

_HEDGE = re.compile(
    r"^(?:roughly|about|around|nearly|almost|over|more than|some|at least|up to|approximately|in|on|the)\s+", re.I
)
_SMALL_NUMBERS = {w: str(v) for w, v in (UNIT_WORDS | TENS_WORDS).items() if 1 <= v} | {"a": "1", "an": "1"}
_WEEKDAY_NUMBERS = {d.lower(): i for i, d in enumerate(WEEKDAYS)}
_RELATIVE = re.compile(r"\b(last|next|this)\s+(year|month|week)\b", re.I)

SPELLING_RATIO = 0.6  # letters two spellings of one name share, at least
NAME_RATIO = 0.85  # letters a name shares with a slightly misspelt form of it ('Cristophe' ~ 'Christophe')
DateSpan = tuple[date, date]  # first and last day a date value can mean


def normalize_value(value: str) -> str:
    """'roughly 15,000' ~ '15000'; 'four-day' ~ '4 day'; 'in Tampa, Florida' ~ 'tampa florida'."""
    text = value.lower().strip()
    while _HEDGE.match(text):
        text = _HEDGE.sub("", text, count=1)
    text = text.replace(",", "").replace("-", " ")
    parts = [_SMALL_NUMBERS.get(w, w) for w in re.findall(r"[a-z0-9.]+", text)]
    parts = [w[:-1] if w.endswith("s") and len(w) > 3 else w for w in parts]
    return " ".join(parts)


def fits_kind(value: str, kind: str | None) -> bool:
    """Is ``value`` a value of the asked kind at all? A day, a month or a function word read as a person or
    place ("Thursday", "December", "It" opening a sentence) is a misread span, not a side of a disagreement."""
    text = value.strip()
    if kind in ("person", "place"):
        return not (DATE_PHRASE.fullmatch(text) or month_number(text) is not None or text.lower() in STOPWORDS)
    return bool(text)


HEADLINE_SHARE = 0.8  # of a sentence's words past the first, capitalised: written in title case


def headline_case(sentence: str) -> bool:
    """Is the sentence written in title case ("Vanguard's New CEO Says Advisors' Jobs Are in Jeopardy")?
    There a capitalised run is no sign of a name."""
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", sentence)[1:] if w.lower() not in STOPWORDS]
    return len(words) >= 4 and sum(w[0].isupper() for w in words) >= HEADLINE_SHARE * len(words)


def states_value(sentence: str, value: str, kind: str | None = None) -> bool:
    """Does the sentence state ``value`` word for word (after normalising both)? A name also when spelled
    a little differently ("Cristophe Gans" in a sentence naming "Christophe Gans")."""
    wanted = normalize_value(value)
    if not wanted:
        return False
    said = normalize_value(sentence)
    if f" {wanted} " in f" {said} ":
        return True
    if kind not in ("person", "place"):
        return False
    words, n = said.split(), len(wanted.split())
    return any(
        SequenceMatcher(None, " ".join(words[i : i + n]), wanted).ratio() >= NAME_RATIO for i in range(len(words))
    )


def parse_day(published: str | None) -> date | None:
    """An article's ISO date as a date; None when it is missing or not a full ISO date."""
    try:
        return date.fromisoformat(published) if published else None
    except ValueError:
        return None


def _week_of(day: date) -> DateSpan:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def date_spans(value: str, published: str | None = None) -> list[DateSpan] | None:
    """The days a date value can mean, read against its article's date (ISO) when it needs one:
    'May 2012' is that month; 'September 3' in an article of 2025-09-03 is that day; 'Tuesday' is the
    Tuesday before or after the article's date (news names weekdays for days within a week); 'this week'
    and 'last year' count from the article's date. None when it cannot be placed on the calendar."""
    day0 = parse_day(published)
    text = value.strip()
    weekday = _WEEKDAY_NUMBERS.get(text.lower())
    if weekday is not None:
        if day0 is None:
            return None
        before = day0 - timedelta(days=(day0.weekday() - weekday) % 7)
        after = day0 + timedelta(days=(weekday - day0.weekday()) % 7)
        return sorted({(before, before), (after, after)})
    if relative := _RELATIVE.fullmatch(text):
        if day0 is None:
            return None
        step = {"last": -1, "next": 1, "this": 0}[relative.group(1).lower()]
        unit = relative.group(2).lower()
        if unit == "week":
            return [_week_of(day0 + timedelta(days=7 * step))]
        if unit == "year":
            return [(date(day0.year + step, 1, 1), date(day0.year + step, 12, 31))]
        shifted_year, month_index = divmod(day0.year * 12 + day0.month - 1 + step, 12)
        first = date(shifted_year, month_index + 1, 1)
        return [(first, first.replace(day=calendar.monthrange(first.year, first.month)[1]))]
    parts = date_parts(text)
    year: int | None = parts.get("year")
    if year is None and day0 is not None and "month" in parts:
        # the year that puts the month nearest the article's date ("December 28" in January is last year's)
        year = min(
            (day0.year - 1, day0.year, day0.year + 1),
            key=lambda y: abs((y - day0.year) * 12 + parts["month"] - day0.month),
        )
    if year is None:
        return None
    if "month" not in parts:
        return [(date(year, 1, 1), date(year, 12, 31))]
    month = parts["month"]
    if "day" not in parts:
        return [(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))]
    try:
        return [(date(year, month, parts["day"]),) * 2]
    except ValueError:
        return None


def _overlap(a: list[DateSpan], b: list[DateSpan]) -> bool:
    return any(lo1 <= hi2 and lo2 <= hi1 for lo1, hi1 in a for lo2, hi2 in b)


def _dates_agree(a: str, b: str, published: tuple[str | None, str | None]) -> bool | None:
    """Whether two date values can mean the same day; None when that cannot be told this way."""
    spans_a, spans_b = date_spans(a, published[0]), date_spans(b, published[1])
    if spans_a and spans_b:
        return _overlap(spans_a, spans_b)
    wa, wb = a.strip().lower() in _WEEKDAY_NUMBERS, b.strip().lower() in _WEEKDAY_NUMBERS
    if wa and wb:
        return a.strip().lower() == b.strip().lower()
    if wa or wb or _RELATIVE.fullmatch(a.strip()) or _RELATIVE.fullmatch(b.strip()):
        return (
            True  # "Tuesday" or "this week" against a date, with no article date to place them: no disagreement shown
        )
    pa, pb = date_parts(a), date_parts(b)
    if pa and pb:
        return all(pa[k] == pb[k] for k in pa.keys() & pb.keys())
    return None


def same_value(
    a: str, b: str, kind: str | None = None, published: tuple[str | None, str | None] = (None, None)
) -> bool:
    """Positively the same value. Unlike ``values_agree``, two dates that cannot be compared ("Tuesday"
    against "May 8, 2020" with no article date, "2019" against "December 10") are not the same."""
    if kind != "date":
        return values_agree(a, b, kind)
    spans_a, spans_b = date_spans(a, published[0]), date_spans(b, published[1])
    if spans_a and spans_b:
        return _overlap(spans_a, spans_b)
    pa, pb = date_parts(a), date_parts(b)
    shared = pa.keys() & pb.keys()
    if shared:
        return all(pa[k] == pb[k] for k in shared)
    return normalize_value(a) == normalize_value(b) != ""


def spelling_variants(a: str, b: str) -> bool:
    """Two spellings of one name, as a translated copy of a story writes it: they share a word
    ("Choe Son Hui" / "Choe his Hu") or most of their letters."""
    na, nb = normalize_value(a), normalize_value(b)
    return bool(set(na.split()) & set(nb.split())) or SequenceMatcher(None, na, nb).ratio() >= SPELLING_RATIO


def values_agree(
    a: str, b: str, kind: str | None = None, published: tuple[str | None, str | None] = (None, None)
) -> bool:
    """Same value, or one a less precise form of the other ('May 2012' ~ 'May 15, 2012'). Dates are read
    against their articles' dates (``published``, ISO) when they need one ('Tuesday', 'this week')."""
    if kind == "date" and (agree := _dates_agree(a, b, published)) is not None:
        return agree
    na, nb = normalize_value(a), normalize_value(b)
    if na == nb or (len(na) > 2 and len(nb) > 2 and (na in nb or nb in na)):
        return True
    if kind == "place" and capital_of_each_other(na, nb):
        return True  # a capital is in its country ("Beijing" / "China")
    if kind == "person" and sorted(na.split()) == sorted(nb.split()):
        return True  # family name first or last ("Liu Yifei" / "Yifei Liu")
    return kind == "person" and SequenceMatcher(None, na, nb).ratio() >= NAME_RATIO
