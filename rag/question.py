"""Stage one: the question as Newsdesk understands it (clean, standalone, time scope).

Everything later reads this record, so a follow-up's carried topic and a time
word's date range are decided once, here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from newsdesk.errors import QuestionError
from rag.conversation import standalone_question
from rag.retrieve import Filters
from rag.timewords import time_scope

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_question(question: str, max_chars: int) -> str:
    """Strip control characters; refuse empty or over-long questions with a clear message."""
    if not isinstance(question, str):
        raise QuestionError("the question must be text")
    text = " ".join(_CONTROL.sub(" ", question).split())
    if not text:
        raise QuestionError("the question is empty: type a question about the articles")
    if len(text) > max_chars:
        raise QuestionError(f"the question is {len(text):,} characters long; the limit is {max_chars:,}")
    return text


@dataclass(frozen=True)
class Question:
    """What was asked, and how it is read."""

    asked: str  # the cleaned question as typed
    standalone: str  # with the conversation's topic carried over, when it leans on it
    filters: Filters | None  # the caller's filters, or the time words' date range
    prefer_recent: bool = False  # "latest", "most recent": newer articles first
    notice: str | None = None  # e.g. a time word no article matches

    @property
    def carried(self) -> str:
        """Words carried from earlier turns (offline follow-ups append them to the question)."""
        return self.standalone[len(self.asked) :] if self.standalone.startswith(self.asked) else ""


def read_question(
    asked: str,
    history: list[dict] | None,
    filters: Filters | None,
    article_dates: list[str],
    today: date,
    standalone: str | None = None,
) -> Question:
    """Make the question standalone (unless a model already did: ``standalone``) and scope it in time."""
    standalone = standalone or standalone_question(asked, history)
    scope = time_scope(standalone, today)
    notice = None
    if not filters and (scope.since or scope.until):
        if any(scope.since <= d <= scope.until for d in article_dates if d):
            filters = Filters(since=scope.since, until=scope.until)
        else:
            notice = f"no article is dated {scope.phrase.strip()!s}; searched all articles"
    return Question(asked, standalone, filters, scope.prefer_recent, notice)
