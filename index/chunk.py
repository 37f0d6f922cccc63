"""Sentence-aware chunking with exact offsets into the original text."""

from __future__ import annotations

import re

from index.clean import Cleaned
from index.records import Chunk
from index.sentences import split_sentences

_WORD = re.compile(r"\S+")


def _word_count(text: str) -> int:
    return len(_WORD.findall(text))


def _split_long(original: str, start: int, end: int, budget: int) -> list[tuple[int, int]]:
    """Cut a sentence longer than the budget at word boundaries."""
    words = list(_WORD.finditer(original, start, end))
    pieces = []
    for i in range(0, len(words), budget):
        group = words[i : i + budget]
        pieces.append((group[0].start(), group[-1].end()))
    return pieces


def chunk_article(doc_id: str, cleaned: Cleaned, budget: int = 120, overlap: int = 1) -> list[Chunk]:
    """Group sentences of each kept span into chunks of at most ``budget`` words.

    Chunks never cross a removed (boilerplate) region, so each chunk's text is
    exactly ``original[start:end]``. Neighbouring chunks share ``overlap``
    sentences so a fact split across a boundary is still found whole.
    """
    original = cleaned.original
    chunks: list[Chunk] = []
    for span in cleaned.kept:
        units: list[tuple[int, int]] = []
        for s, e in split_sentences(original[span.start : span.end], offset=span.start):
            if _word_count(original[s:e]) > budget:
                units.extend(_split_long(original, s, e, budget))
            else:
                units.append((s, e))
        i = 0
        while i < len(units):
            j, words = i, 0
            while j < len(units):
                n = _word_count(original[units[j][0] : units[j][1]])
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
