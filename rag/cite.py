"""Build numbered citations from passages and sentence spans (pure)."""

from __future__ import annotations

from index.sentences import split_sentences
from rag.records import Citation, Passage, format_sentence

__all__ = ["CitationBook", "format_sentence", "passage_sentences"]


def passage_sentences(passage: Passage) -> list[tuple[int, int, str]]:
    """(start, end, text) of each sentence of a passage, offsets into the original article."""
    return [
        (s, e, passage.text[s - passage.start : e - passage.start])
        for s, e in split_sentences(passage.text, offset=passage.start)
    ]


class CitationBook:
    """Numbers quotes in order of first use; the same span always gets the same number."""

    def __init__(self) -> None:
        self.citations: list[Citation] = []
        self._by_span: dict[tuple[str, int, int], int] = {}

    def cite(self, passage: Passage, start: int, end: int, quote: str) -> int:
        key = (passage.doc_id, start, end)
        if key not in self._by_span:
            n = len(self.citations) + 1
            self._by_span[key] = n
            self.citations.append(
                Citation(
                    n=n, doc_id=passage.doc_id, start=start, end=end, quote=quote, title=passage.title,
                    date=passage.date, source=passage.source, url=passage.url,
                    passage_start=passage.start, passage_end=passage.end,
                )
            )  # fmt: skip
        return self._by_span[key]
