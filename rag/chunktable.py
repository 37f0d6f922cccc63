"""Every chunk of an open index, in memory: ids, texts, metadata and unit vectors.

Opening reads them once (BM25 needs the texts anyway). After that a query
never goes back to Chroma's SQLite for a chunk's text, metadata or vector:
fetching 20 documents with their metadata costs 10-30 ms per query there,
against microseconds from memory. The vectors take ``4 * dim`` bytes per
chunk (150 MB at 100k chunks of 384 dimensions).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

from rag.records import Passage


@dataclass
class ChunkTable:
    ids: list[str]
    texts: list[str]
    metadatas: list[dict]
    vectors: np.ndarray  # (n, dim) float32, one unit row per chunk, in the order of ids
    row_of: dict[str, int] = field(init=False, repr=False)
    date_ints: np.ndarray = field(init=False, repr=False)  # YYYYMMDD, 0 when undated
    sources: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not (len(self.ids) == len(self.texts) == len(self.metadatas) == len(self.vectors)):
            raise ValueError("ids, texts, metadatas and vectors must have one entry per chunk")
        self.vectors = np.ascontiguousarray(self.vectors, dtype=np.float32).reshape(len(self.ids), -1)
        self.row_of = {chunk_id: row for row, chunk_id in enumerate(self.ids)}
        self.date_ints = np.array([int(m.get("date_int") or 0) for m in self.metadatas], dtype=np.int64)
        self.sources = np.array([m.get("source") or "" for m in self.metadatas], dtype=object)

    def __len__(self) -> int:
        return len(self.ids)

    def node(self, row: int) -> TextNode:
        """The chunk as a llama-index node, as the vector store would have returned it."""
        meta = self.metadatas[row]
        node = TextNode(id_=self.ids[row], text=self.texts[row], metadata=meta)
        node.relationships = {NodeRelationship.SOURCE: RelatedNodeInfo(node_id=meta.get("document_id", ""))}
        return node

    def passage(self, row: int, score: float, dense: float | None = None, keyword: float | None = None) -> Passage:
        meta = self.metadatas[row]
        return Passage(
            chunk_id=self.ids[row],
            doc_id=meta.get("document_id", ""),
            start=int(meta["start"]),
            end=int(meta["end"]),
            text=self.texts[row],
            score=score,
            dense_score=dense,
            keyword_score=keyword,
            title=meta.get("title") or None,
            date=meta.get("date") or None,
            source=meta.get("source") or None,
            url=meta.get("url") or None,
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
