"""Sentence spans over plain text: a pure, dependency-free splitter.

News text needs only a few rules: a newline always ends a sentence, and
``.``/``!``/``?`` (optionally followed by closing quotes or brackets) ends one
when the next word starts like a sentence and the word before is not a known
abbreviation or an initial. Spans exclude surrounding whitespace.

Splitting is linear in the length of the text whatever its shape (one pass of
one regex; every check per boundary looks at a bounded window), so a 5 MB line
of dots or of ``A.A.A.`` splits in about a second, not in hours.
"""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st jr sr gen col lt sgt capt gov sen rep rev fig no vs etc inc ltd co corp "
    "jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.u a.m p.m e.g i.e approx est dept".split()
)
# A boundary is a newline or a sentence end: terminal punctuation, optional closers, then whitespace
# (on the same line) and a sentence-like start, or a glued capital/quote. A sentence end may only start
# where a run of punctuation starts (the lookbehind) and the possessive quantifiers never re-scan a
# run: with plain ``+``, a line of n dots cost n^2 steps (20 kB of dots took 14 s).
_BOUNDARY = re.compile(r"\n|(?<![.!?])[.!?]++[\"'”’)\]]*+(?=[^\S\n]++[\"'“‘(\[]?[A-Z0-9]|[\"'“‘]?[A-Z])")
# Periods that end an abbreviation or an initial ("Mr.", "U.S.", "John F. Kennedy"): the run of letters
# and dots before the period is one letter or a known abbreviation. One regex pass finds every letter that
# starts such a run (the lookbehinds) and is followed by "." (an initial, maybe "x.y." dotted), or by a
# short word and "."; scanning back from each period instead made ``'A.' * 30000`` take minutes.
_LONGEST_WORD = max(len(a) for a in _ABBREVIATIONS if "." not in a)
assert all(len(a) == 3 and a[1] == "." for a in _ABBREVIATIONS if "." in a), "dotted abbreviations are x.y"
_ABBREVIATION_START = re.compile(
    r"[^\W\d_](?<![^\W\d_].)(?<!\..)(?=(\.(?:[^\W\d_]\.)?)|([^\W\d_]{1," + str(_LONGEST_WORD - 1) + r"})\.)"
)


def _abbreviation_periods(text: str) -> set[int]:
    """Offsets of the periods in ``text`` that end an abbreviation or an initial, not a sentence."""
    periods = set()
    for match in _ABBREVIATION_START.finditer(text):
        at = match.start()
        dotted, word = match.groups()
        if dotted:
            periods.add(at + 1)  # an initial
            if len(dotted) == 3 and text[at : at + 3].lower() in _ABBREVIATIONS:
                periods.add(at + 3)
        elif text[at : at + 1 + len(word)].lower() in _ABBREVIATIONS:
            periods.add(at + 1 + len(word))
    return periods


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Return ``(start, end)`` spans of the sentences in ``text``, shifted by ``offset``."""
    spans: list[tuple[int, int]] = []
    add = spans.append
    abbreviated = _abbreviation_periods(text)
    cursor = 0
    for boundary in _BOUNDARY.finditer(text):
        at, after = boundary.span()
        if at in abbreviated:
            continue
        end = at if text[at] == "\n" else after  # a newline belongs to no sentence
        if end == after and not text[cursor].isspace():  # ends on punctuation, starts on a word: no trimming
            add((cursor + offset, end + offset))
        else:
            piece = text[cursor:end]
            first, last = len(piece) - len(piece.lstrip()), len(piece.rstrip())
            if first < last:
                add((cursor + first + offset, cursor + last + offset))
        cursor = after
    piece = text[cursor:]
    first, last = len(piece) - len(piece.lstrip()), len(piece.rstrip())
    if first < last:
        add((cursor + first + offset, cursor + last + offset))
    return spans
