"""Newsdesk's answers: hybrid retrieval, a grounded offline answerer, checked generation.

Public surface: ``answer()``, ``answer_stream()``, ``open_index()``, the records.
"""

from __future__ import annotations

from rag.answer import StreamEvent, answer, answer_stream
from rag.question import clean_question
from rag.records import Answer, AnswerSentence, Citation, Conflict, Passage
from rag.retrieve import Filters


def open_index(settings=None, **kwargs):
    """Open the index once for many questions (loads the embedder and keyword index)."""
    from rag.newsindex import NewsIndex

    return NewsIndex(settings, **kwargs)


__all__ = [
    "Answer",
    "AnswerSentence",
    "Citation",
    "Conflict",
    "Filters",
    "Passage",
    "StreamEvent",
    "answer",
    "answer_stream",
    "clean_question",
    "open_index",
]
