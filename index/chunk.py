"""Sentence-aware chunking with exact offsets into the original text."""

from __future__ import annotations

import re

from index.clean import Cleaned, clean_article
from index.records import Chunk
from index.sentences import split_sentences

_WORD = re.compile(r"\S+")


def _word_count(text: str) -> int:
    return len(text.split())  # the same words as _WORD (both split on str.isspace), without match objects


def _split_long(original: str, start: int, end: int, budget: int) -> list[tuple[int, int, int]]:
    """Cut a sentence longer than the budget at word boundaries: (start, end, words) pieces."""
    pieces: list[tuple[int, int, int]] = []
    first: int | None = None
    last = start
    words = 0
    for word in _WORD.finditer(original, start, end):
        if first is None:
            first = word.start()
        last = word.end()
        words += 1
        if words == budget and first is not None:
            pieces.append((first, last, words))
            first, words = None, 0
    if first is not None:
        pieces.append((first, last, words))
    return pieces


def chunk_article(doc_id: str, cleaned: Cleaned, budget: int = 120, overlap: int = 1) -> list[Chunk]:
    """Group sentences of each kept span into chunks of at most ``budget`` words.

    Chunks never cross a removed (boilerplate) region, so each chunk's text is
    exactly ``original[start:end]``. Neighbouring chunks share ``overlap``
    sentences so a fact split across a boundary is still found whole.
    Linear in the text: each sentence's words are counted once.
    """
    original = cleaned.original
    chunks: list[Chunk] = []
    for span in cleaned.kept:
        units: list[tuple[int, int, int]] = []  # (start, end, words)
        for s, e in split_sentences(original[span.start : span.end], offset=span.start):
            n = _word_count(original[s:e])
            if n > budget:
                units.extend(_split_long(original, s, e, budget))
            else:
                units.append((s, e, n))
        i = 0
        while i < len(units):
            j, words = i, 0
            while j < len(units):
                n = units[j][2]
                if j > i and words + n > budget:
                    break
                words += n
                j += 1
            start, end = units[i][0], units[j - 1][1]
            chunks.append(Chunk(doc_id, len(chunks), start, end, original[start:end]))
            if j >= len(units):
                break
            i = max(i + 1, j - overlap)  # always advance
    return chunks


def chunk_spans(doc_id: str, original: str, budget: int, overlap: int) -> list[tuple[int, int]]:
    """The (start, end) of each chunk a build cuts from this article text: what chunk rows no longer store."""
    return [(c.start, c.end) for c in chunk_article(doc_id, clean_article(original), budget, overlap)]
