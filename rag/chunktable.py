"""Every chunk of an open index, in memory: ids, articles, spans and unit vectors.

Opening reads them once. After that a query never goes back to Chroma's SQLite
for a chunk's text, metadata or vector: fetching 20 documents with their
metadata costs 10-30 ms per query there, against microseconds from memory. A
chunk's text is its span of its article's text and its title, date, outlet and
url are the article's (index/schema.py), so neither is held twice. The vectors
take ``4 * dim`` bytes per chunk (150 MB at 100k chunks of 384 dimensions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

from index.records import Article
from index.schema import date_int
from rag.records import Passage


class _ChunkTexts(Sequence):
    """Each chunk's text, sliced from its article's text when asked for (not held twice)."""

    def __init__(self, table: ChunkTable):
        self._table = table

    def __len__(self) -> int:
        return len(self._table)

    def __getitem__(self, row):  # type: ignore[override]
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        return self._table.text(row)


@dataclass
class ChunkTable:
    ids: list[str]
    doc_ids: list[str]
    starts: np.ndarray  # offsets into the article's ORIGINAL text
    ends: np.ndarray
    vectors: np.ndarray  # (n, dim) float32, one unit row per chunk, in the order of ids
    articles: Mapping[str, Article]
    row_of: dict[str, int] = field(init=False, repr=False)
    date_ints: np.ndarray = field(init=False, repr=False)  # YYYYMMDD, 0 when undated
    sources: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not (len(self.ids) == len(self.doc_ids) == len(self.starts) == len(self.ends) == len(self.vectors)):
            raise ValueError("ids, doc_ids, starts, ends and vectors must have one entry per chunk")
        self.vectors = np.ascontiguousarray(self.vectors, dtype=np.float32).reshape(len(self.ids), -1)
        self.row_of = {chunk_id: row for row, chunk_id in enumerate(self.ids)}
        dated = {d: date_int(a.date) for d, a in self.articles.items()}
        outlet = {d: a.source or "" for d, a in self.articles.items()}
        self.date_ints = np.array([dated.get(d, 0) for d in self.doc_ids], dtype=np.int64)
        self.sources = np.array([outlet.get(d, "") for d in self.doc_ids], dtype=object)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def texts(self) -> Sequence[str]:
        return _ChunkTexts(self)

    def text(self, row: int) -> str:
        article = self.articles.get(self.doc_ids[row])
        return article.text[int(self.starts[row]) : int(self.ends[row])] if article else ""

    def metadata(self, row: int) -> dict:
        """The chunk's article, span and the article's metadata, as llama-index nodes carry it."""
        doc_id = self.doc_ids[row]
        meta = {"doc_id": doc_id, "start": int(self.starts[row]), "end": int(self.ends[row])}
        article = self.articles.get(doc_id)
        for key in ("title", "date", "source", "url"):
            value = getattr(article, key, None)
            if value:
                meta[key] = value
        if self.date_ints[row]:
            meta["date_int"] = int(self.date_ints[row])
        return meta

    def node(self, row: int) -> TextNode:
        """The chunk as a llama-index node."""
        node = TextNode(id_=self.ids[row], text=self.text(row), metadata=self.metadata(row))
        node.relationships = {NodeRelationship.SOURCE: RelatedNodeInfo(node_id=self.doc_ids[row])}
        return node

    def passage(self, row: int, score: float, dense: float | None = None, keyword: float | None = None) -> Passage:
        article = self.articles.get(self.doc_ids[row])
        return Passage(
            chunk_id=self.ids[row],
            doc_id=self.doc_ids[row],
            start=int(self.starts[row]),
            end=int(self.ends[row]),
            text=self.text(row),
            score=score,
            dense_score=dense,
            keyword_score=keyword,
            title=(article.title or None) if article else None,
            date=(article.date or None) if article else None,
            source=(article.source or None) if article else None,
            url=(article.url or None) if article else None,
        )

    def similarities(self, vector: np.ndarray, chunk_ids: list[str]) -> dict[str, float]:
        """Cosine similarity of a unit query vector to the given chunks (unknown ids are left out)."""
        rows = [(chunk_id, self.row_of[chunk_id]) for chunk_id in chunk_ids if chunk_id in self.row_of]
        if not rows:
            return {}
        scores = self.vectors[[row for _, row in rows]] @ np.asarray(vector, dtype=np.float32)
        return {chunk_id: float(s) for (chunk_id, _), s in zip(rows, scores)}


def exact_top_rows(
    vectors: np.ndarray, query: np.ndarray, n: int, mask: np.ndarray | None = None
) -> list[tuple[int, float]]:
    """The n rows with the highest dot product with ``query`` (ties by row), only rows where mask is true."""
    if n <= 0 or len(vectors) == 0:
        return []
    scores = vectors @ np.asarray(query, dtype=np.float32)
    if mask is not None:
        n = min(n, int(mask.sum()))
        if n == 0:
            return []
        scores = np.where(mask, scores, -np.inf)
    n = min(n, len(scores))
    if n < len(scores):  # every row tied with the n-th best stays a candidate: ties go to the lower row
        nth = scores[np.argpartition(-scores, n - 1)[n - 1]]
        top = np.flatnonzero(scores >= nth)
    else:
        top = np.arange(len(scores))
    top = top[np.lexsort((top, -scores[top]))][:n]
    return [(int(row), float(scores[row])) for row in top]
