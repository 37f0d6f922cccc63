"""Vectors of the sentences the reader sees, looked up by ``(doc_id, start, end)`` in ORIGINAL article offsets.

The build embeds every sentence of every chunk with the index's own embedder
(index/tables.py), split exactly as rag/cite.py ``passage_sentences`` splits a
passage, so the keys a reader makes from retrieved passages are found. A key the
tables do not hold (an index opened from Chroma without its tables, or sentence
rules changed since the build) is embedded on demand and remembered; a key whose
article is not in the index, or whose span lies outside the article, gets a row
of NaN.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

import numpy as np

from index.embedders.base import Embedder
from index.records import Article

_REMEMBERED = 20_000  # sentences embedded on demand kept for the next question (7.5 MB at 384 dims)


class SentenceVectors:
    def __init__(
        self,
        doc_ids: Sequence[str],
        sentence_doc: np.ndarray,
        starts: np.ndarray,
        ends: np.ndarray,
        vectors: np.ndarray,
        rows: np.ndarray,
        articles: Mapping[str, Article],
        embedder: Embedder,
    ):
        self._doc_row = {d: i for i, d in enumerate(doc_ids)}
        # rows are sorted by (article row, start, end): one int64 key per (article row, start) searches them
        self._keys = (np.asarray(sentence_doc, dtype=np.int64) << 32) | np.asarray(starts, dtype=np.int64)
        self._ends = np.asarray(ends)
        self._vectors = vectors  # one row per distinct sentence text
        self._vector_row = rows  # each sentence's row in it
        self._articles = articles
        self._embedder = embedder
        self._on_demand: dict[tuple[str, int, int], np.ndarray] = {}
        self._lock = threading.Lock()
        self.embedded_on_demand = 0  # how many sentences the tables lacked (for tests and benchmarks)

    def __len__(self) -> int:
        return len(self._keys)

    def _row(self, doc_id: str, start: int, end: int) -> int | None:
        doc = self._doc_row.get(doc_id)
        if doc is None:
            return None
        key = (doc << 32) | start
        row = int(np.searchsorted(self._keys, key, "left"))
        while row < len(self._keys) and self._keys[row] == key:
            if self._ends[row] == end:
                return row
            row += 1
        return None

    def lookup(self, keys: Sequence[tuple[str, int, int]]) -> np.ndarray:
        """(len(keys), dim) float32 unit vectors; NaN rows for keys outside the index's articles."""
        dim = self._embedder.dim
        out = np.full((len(keys), dim), np.nan, dtype=np.float32)
        missing: dict[tuple[str, int, int], list[int]] = {}
        for i, (doc_id, start, end) in enumerate(keys):
            row = self._row(doc_id, int(start), int(end))
            if row is not None:
                out[i] = self._vectors[self._vector_row[row]]
                continue
            with self._lock:
                known = self._on_demand.get((doc_id, int(start), int(end)))
            if known is not None:
                out[i] = known
                continue
            article = self._articles.get(doc_id)
            if article is not None and 0 <= start < end <= len(article.text):
                missing.setdefault((doc_id, int(start), int(end)), []).append(i)
        if missing:
            spans = list(missing)
            vectors = self._embedder.embed_passages([self._articles[d].text[s:e] for d, s, e in spans])
            with self._lock:
                if len(self._on_demand) + len(spans) > _REMEMBERED:
                    self._on_demand.clear()
                for span, vector in zip(spans, vectors):
                    self._on_demand[span] = vector
                    out[missing[span]] = vector
                self.embedded_on_demand += len(spans)
        return out
