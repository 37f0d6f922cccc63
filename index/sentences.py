"""Sentence spans over plain text: a pure, dependency-free splitter.

News text needs only a few rules: a newline always ends a sentence, and
``.``/``!``/``?`` (optionally followed by closing quotes or brackets) ends one
when the next word starts like a sentence and the word before is not a known
abbreviation or an initial. Spans exclude surrounding whitespace.
"""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st jr sr gen col lt sgt capt gov sen rep rev fig no vs etc inc ltd co corp "
    "jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.u a.m p.m e.g i.e approx est dept".split()
)
# Sentence end: terminal punctuation, optional closers, then whitespace or a glued capital/quote.
_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9]|[\"'“‘]?[A-Z])")
_LINE = re.compile(r"[^\n]+")


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the period at ``dot`` belongs to an abbreviation or an initial."""
    if text[dot] != ".":
        return False
    start = dot
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot].lower()
    if not word:
        return False
    if len(word) == 1 and word.isalpha():  # an initial: "John F. Kennedy"
        return True
    return word in _ABBREVIATIONS


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Return ``(start, end)`` spans of the sentences in ``text``, shifted by ``offset``."""
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        cursor = line.start()
        for match in _END.finditer(text, line.start(), line.end()):
            if _is_abbreviation(text, match.start()):
                continue
            span = _trimmed(text, cursor, match.end())
            if span:
                spans.append(span)
            cursor = match.end()
        span = _trimmed(text, cursor, line.end())
        if span:
            spans.append(span)
    return [(s + offset, e + offset) for s, e in spans]
