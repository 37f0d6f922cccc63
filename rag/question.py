"""Stage one: the question as Newsdesk understands it (clean, standalone, time scope).

Everything later reads this record, so a follow-up's carried topic and a time
word's date range are decided once, here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from newsdesk.errors import QuestionError
from newsdesk.safetext import clean_question_text
from newsdesk.text.words import content_words
from rag.conversation import standalone_question
from rag.retrieve import Filters
from rag.timewords import time_scope

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


NOTHING_TO_LOOK_FOR = "the question names nothing to look for: ask about a person, place or event"


def clean_question(question: str, max_chars: int) -> str:
    """Strip control characters; refuse empty or over-long questions with a clear message."""
    if not isinstance(question, str):
        raise QuestionError("the question must be text")
    text = clean_question_text(question)  # controls, zero-width and bidi characters: an invisible question is empty
    if not text:
        raise QuestionError("the question is empty: type a question about the articles")
    if len(text) > max_chars:
        raise QuestionError(f"the question is {len(text):,} characters long; the limit is {max_chars:,}")
    return text


@dataclass(frozen=True)
class Question:
    """What was asked, and how it is read."""

    asked: str  # the cleaned question as typed
    standalone: str  # what is searched: the topic carried over when it leans on the conversation; recency words
    # that became the date range ("today", "two weeks ago") are left out: their dates are in ``filters``, and
    # no article says "two weeks ago" of the day it reports. Named periods ("in May 2024") stay: articles name them.
    filters: Filters | None  # the caller's filters, or the recency words' date range ("today", "this week")
    prefer_recent: bool = False  # "latest", "most recent": newer articles first
    notice: str | None = None  # e.g. a time word no article matches
    carried: str = ""  # words carried from earlier turns (offline follow-ups append them to the question)
    recounted_period: str = ""  # a named period no article is dated in ("in March"): evidence must name it
    # A named period ("in 2012", "in May 2024") some article is dated in: those articles are searched first,
    # the rest still compete (an event of 2012 is also recounted in 2023, or in an undated piece).
    preferred: Filters | None = None


def read_question(
    asked: str,
    history: list[dict] | None,
    filters: Filters | None,
    article_dates: list[str],
    today: date,
    standalone: str | None = None,
) -> Question:
    """Make the question standalone (unless a model already did: ``standalone``) and scope it in time.

    ``today`` is the moment of asking: relative time words are measured from it, and "the latest" means
    the newest articles that existed then.
    """
    condensed = standalone is not None
    standalone = standalone or standalone_question(asked, history)
    scope = time_scope(standalone, today)
    notice = None
    drop_phrase = False  # recency words became the date range: search without them
    recounted = ""
    preferred = None
    if not filters and scope.since and scope.until:
        since, until = scope.since, scope.until
        if any(since <= d <= until for d in article_dates if d):
            if scope.only_in_window:
                filters, drop_phrase = Filters(since=since, until=until), True
            else:
                preferred = Filters(since=since, until=until)
        elif scope.only_in_window:  # what was reported "today" cannot come from another day's article
            filters, drop_phrase = Filters(since=since, until=until), True
            notice = f"no article is dated {scope.phrase} ({_days(since, until)})"
        else:
            notice = f"no article is dated {scope.phrase.strip()!s}; searched all articles"
            recounted = scope.phrase.strip()
    elif not filters and scope.prefer_recent and any(d > today.isoformat() for d in article_dates if d):
        # Asked in the past (a pinned ``today``): articles dated later did not exist yet.
        filters = Filters(until=today.isoformat())
    own = asked
    if drop_phrase and condensed:
        carried = standalone[len(asked) :] if standalone.startswith(asked) else ""
        standalone = without_time_phrase(standalone, scope.phrase)
    else:
        if drop_phrase:  # carry the conversation over to the question without its time words
            own = without_time_phrase(asked, scope.phrase)
            standalone = standalone_question(own, history)
        carried = standalone[len(own) :] if standalone.startswith(own) else ""
    if not content_words(asked) and not content_words(standalone):  # "?", "the", "what is it?" with nothing before
        notice = NOTHING_TO_LOOK_FOR
    return Question(asked, standalone, filters, scope.prefer_recent, notice, carried, recounted, preferred)


def without_time_phrase(question: str, phrase: str) -> str:
    """The question without the time phrase (with its preposition and possessive: "at today's parade" ->
    "at parade"), or the question unchanged when nothing else would be left."""
    pattern = rf"(?:\b(?:in|during|from|over|on|for|of)\s+)?{re.escape(phrase)}(?:['’]s\b)?"
    rest = re.sub(pattern, " ", question, count=1, flags=re.I)
    rest = re.sub(r"\s+([?.!,;:])", r"\1", " ".join(rest.split())).strip(" ,")
    rest = re.sub(r"^[,;:]\s*", "", rest)
    return rest if any(c.isalnum() for c in rest) else question


def _days(since: str, until: str) -> str:
    return since if since == until else f"{since} to {until}"
