"""The sentences of an article that the reader sees, as spans of the ORIGINAL text: the keys of sentence vectors."""

from __future__ import annotations

from collections.abc import Iterable

from index.records import Chunk
from index.sentences import split_sentences


def chunk_sentence_spans(chunk: Chunk) -> list[tuple[int, int]]:
    """(start, end) of each sentence of one chunk, split exactly as rag/cite.py ``passage_sentences`` splits it."""
    return split_sentences(chunk.text, offset=chunk.start)


def article_sentence_spans(chunks: Iterable[Chunk]) -> list[tuple[int, int]]:
    """Every sentence span of an article's chunks, each once, in text order.

    Each chunk is split on its own, as the reader splits each passage, so a sentence at a
    chunk's edge that splits differently inside its neighbour is kept in both forms.
    """
    return sorted({span for chunk in chunks for span in chunk_sentence_spans(chunk)})
