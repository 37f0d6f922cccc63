"""The value rules the conflict finder stands on (newsdesk/text/values.py): dates placed on the calendar
against their article's date, names stated in a sentence, spellings of one name, title-case headlines."""

from __future__ import annotations

from datetime import date

import pytest

from newsdesk.text.values import (
    date_spans,
    fits_kind,
    headline_case,
    parse_day,
    same_value,
    spelling_variants,
    states_value,
    values_agree,
)


@pytest.mark.parametrize(
    "value, published, first, last",
    [
        ("May 2012", None, date(2012, 5, 1), date(2012, 5, 31)),
        ("2019", None, date(2019, 1, 1), date(2019, 12, 31)),
        ("September 3", "2025-09-03", date(2025, 9, 3), date(2025, 9, 3)),
        ("December 28", "2025-01-05", date(2024, 12, 28), date(2024, 12, 28)),  # last year's December
        ("this week", "2025-09-03", date(2025, 9, 1), date(2025, 9, 7)),
        ("last year", "2025-09-03", date(2024, 1, 1), date(2024, 12, 31)),
        ("next month", "2025-12-10", date(2026, 1, 1), date(2026, 1, 31)),
    ],
)
def test_date_spans(value, published, first, last):
    assert date_spans(value, published) == [(first, last)]


def test_a_weekday_is_the_one_before_or_after_the_article_date():
    assert date_spans("Tuesday", "2025-09-03") == [(date(2025, 9, 2),) * 2, (date(2025, 9, 9),) * 2]
    assert date_spans("Wednesday", "2025-09-03") == [(date(2025, 9, 3),) * 2]


@pytest.mark.parametrize("value", ["Tuesday", "this week", "September 3", "the day after"])
def test_a_date_that_needs_an_article_date_has_no_span_without_one(value):
    assert date_spans(value, None) is None


@pytest.mark.parametrize(
    "a, b, published, agree",
    [
        ("Tuesday", "September 2", ("2025-09-03", "2025-09-04"), True),
        ("Tuesday", "September 5", ("2025-09-03", "2025-09-04"), False),
        ("Tuesday", "Wednesday", ("2025-09-03", "2025-09-02"), False),
        ("Tuesday", "September 2", (None, None), True),  # cannot be placed: no disagreement shown
        ("this week", "Tuesday", (None, None), True),
        ("Tuesday", "Wednesday", (None, None), False),
        ("September 3", "May 2024", ("2025-09-03", None), False),
    ],
)
def test_dates_agree_when_they_can_fall_on_one_day(a, b, published, agree):
    assert values_agree(a, b, "date", published) is agree


@pytest.mark.parametrize(
    "a, b, same",
    [
        ("2019", "December 10", False),  # values_agree lets these pass; neither states the other
        ("May 2012", "May 15, 2012", True),
        ("Tuesday", "May 8, 2020", False),
    ],
)
def test_same_value_needs_positive_evidence(a, b, same):
    assert same_value(a, b, "date") is same


@pytest.mark.parametrize(
    "sentence, value, kind, stated",
    [
        ("Spain have beaten the Netherlands to win the final.", "Spain", "person", True),
        ("Director Christophe Gans returns to the franchise.", "Cristophe Gans", "person", True),
        ("Director Christophe Gans returns to the franchise.", "Cristophe Gans", None, False),
        ("The deal was worth roughly 15,000 dollars.", "15000", "number", True),
        ("The deal was worth 150,000 dollars.", "15000", "number", False),
    ],
)
def test_states_value(sentence, value, kind, stated):
    assert states_value(sentence, value, kind) is stated


@pytest.mark.parametrize(
    "value, kind, fits",
    [
        ("Thursday", "person", False),
        ("December", "place", False),
        ("Joe Burrow", "person", True),
        ("2019", "date", True),
    ],
)
def test_a_date_is_no_name(value, kind, fits):
    assert fits_kind(value, kind) is fits


@pytest.mark.parametrize(
    "a, b, variants",
    [
        ("Choe Son Hui", "Choe his Hu", True),
        ("Egan Bernal", "Tadej Pogacar", False),
        ("Bryan Singer", "Brian Singer", True),
    ],
)
def test_spelling_variants(a, b, variants):
    assert spelling_variants(a, b) is variants


@pytest.mark.parametrize(
    "sentence, headline",
    [
        ("Vanguard's New CEO Says Advisors' Jobs Are in Jeopardy.", True),
        ("New Silent Hill Movie With Returning Director Christophe Gans On The Way", True),
        ("Several top officials traveled with Kim, including North Korean Foreign Minister Choe Son Hui.", False),
        ("Among the prominent attendees were Iranian President Masoud Pezeshkian and Belarusian President "
         "Alexander Lukashenko, both seen as close allies of Russia.", False),
    ],
)  # fmt: skip
def test_headline_case(sentence, headline):
    assert headline_case(sentence) is headline


@pytest.mark.parametrize("published", ["2025-09", "03/09/2025", ""])
def test_an_article_date_that_is_not_a_full_iso_date_places_nothing(published):
    assert parse_day(published) is None
    assert date_spans("Tuesday", published) is None
    assert date_spans("May 2012", published) == [(date(2012, 5, 1), date(2012, 5, 31))]


@pytest.mark.parametrize(
    "a, b, kind, agree",
    [
        ("Liu Yifei", "Yifei Liu", "person", True),  # family name first or last
        ("Kim Jong Un", "Jong Un Kim", "person", True),
        ("Liu Yifei", "Yifei Wang", "person", False),
        ("Liu Yifei", "Yifei Liu", "place", False),  # only names of people are written either way round
    ],
)
def test_a_name_written_family_name_first_or_last_agrees(a, b, kind, agree):
    assert values_agree(a, b, kind) is agree
