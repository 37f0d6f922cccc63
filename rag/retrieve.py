"""Hybrid retrieval: dense (exact, or Chroma's HNSW) + keyword (BM25), fused by weighted RRF.

``DenseRetriever`` and ``KeywordRetriever`` are the two stages as llama-index
retrievers, for composing with the rest of llama-index (fusion retrievers,
query engines). ``hybrid_retrieve``, the hot path, calls the same row-level
searches directly: llama-index's per-call instrumentation and node objects
cost ~2 ms a query, more than both searches on a small index (bench/). The
fusion, diversity and filter rules are plain functions, tested on their own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle

from index.keywords import DocumentFrequencies, build_bm25
from newsdesk.text.words import content_words
from rag.chunktable import ChunkTable, exact_top_rows
from rag.records import Passage


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to a date range (ISO, inclusive), some outlets, and/or some articles."""

    since: str | None = None
    until: str | None = None
    sources: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()  # "ask about this article"

    def __bool__(self) -> bool:
        return bool(self.since or self.until or self.sources or self.doc_ids)

    def mask(self, table: ChunkTable) -> np.ndarray | None:
        """Which rows of the table pass, or None when nothing is filtered."""
        if not self:
            return None
        keep = np.ones(len(table), dtype=bool)
        if self.since or self.until:
            keep &= table.date_ints > 0
        if self.since:
            keep &= table.date_ints >= _day(self.since)
        if self.until:
            keep &= table.date_ints <= _day(self.until)
        if self.sources:
            keep &= np.isin(table.sources, list(self.sources))
        if self.doc_ids:
            keep &= np.isin(np.asarray(table.doc_ids, dtype=object), list(self.doc_ids))
        return keep

    def to_chroma_where(self) -> dict | None:
        parts: list[dict] = []
        if self.since:
            parts.append({"date_int": {"$gte": _day(self.since)}})
        if self.until:
            parts.append({"date_int": {"$lte": _day(self.until)}})
        if self.sources:
            parts.append({"source": {"$in": list(self.sources)}})
        if self.doc_ids:
            parts.append({"doc_id": {"$in": list(self.doc_ids)}})
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else {"$and": parts}


def _day(iso: str) -> int:
    return int(iso.replace("-", "")[:8])


def dense_top_rows(
    table: ChunkTable,
    collection,
    vector: np.ndarray,
    n: int,
    filters: Filters | None = None,
    exact_max_chunks: int = 50_000,
) -> list[tuple[int, float]]:
    """The n chunks (table rows) most similar to a unit query vector, with their cosine.

    Exact (one matrix-vector product over the in-memory vectors) up to
    ``exact_max_chunks``; above that, Chroma's HNSW index, asked for ids and
    distances only. Exact costs ~0.08 ms per 1k chunks on 2 cores, HNSW a flat
    ~4 ms (bench/results): they cross near 50k chunks.
    """
    filters = filters or Filters()
    if len(table) <= exact_max_chunks:
        return exact_top_rows(table.vectors, vector, n, filters.mask(table))
    got = collection.query(
        query_embeddings=[np.asarray(vector, dtype=np.float32).tolist()],
        n_results=n,
        where=filters.to_chroma_where(),
        include=["distances"],
    )
    rows = []
    for chunk_id, distance in zip(got["ids"][0], got["distances"][0]):
        row = table.row_of.get(chunk_id)
        if row is not None:  # written after this index was opened: not in the snapshot
            rows.append((row, 1.0 - float(distance)))  # cosine space: distance = 1 - cos
    return rows


class DenseRetriever(BaseRetriever):
    """``dense_top_rows`` as a llama-index retriever; the query vector comes in the QueryBundle."""

    def __init__(
        self, table: ChunkTable, collection, top_n: int, filters: Filters | None = None, exact_max_chunks: int = 50_000
    ):
        super().__init__()
        self._table, self._collection, self._top_n = table, collection, top_n
        self._filters, self._exact_max_chunks = filters, exact_max_chunks
        self.exact = len(table) <= exact_max_chunks

    def top_rows(self, vector: np.ndarray) -> list[tuple[int, float]]:
        return dense_top_rows(self._table, self._collection, vector, self._top_n, self._filters, self._exact_max_chunks)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        if query_bundle.embedding is None:
            raise ValueError("DenseRetriever needs the query vector in the QueryBundle")
        vector = np.asarray(query_bundle.embedding, dtype=np.float32)
        return [NodeWithScore(node=self._table.node(row), score=score) for row, score in self.top_rows(vector)]


class KeywordIndex:
    """BM25 (bm25s) over every chunk of the table, in the table's row order.

    ``bm25``: the model a build saved beside the store (index/keywords.py), memory-mapped;
    without one it is built here over the table's texts, as it was before builds saved it.
    """

    def __init__(self, table: ChunkTable, bm25=None):
        self.table = table
        self._bm25 = bm25 if bm25 is not None else build_bm25(table.texts)
        self.doc_freq: Mapping[str, int] = DocumentFrequencies(self._bm25)
        self._lock = threading.Lock()

    def idf(self, word: str) -> float:
        """Rarity of a word across chunks; unseen words get the highest value."""
        n = len(self.table)
        return float(np.log(1.0 + (n + 1) / (1 + self.doc_freq.get(word, 0))))

    def has_word(self, word: str) -> bool:
        return word in self.doc_freq

    def search(self, query: str, top_n: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        terms = content_words(query)
        if not terms or not len(self.table):
            return []
        keep = filters.mask(self.table) if filters else None
        if keep is not None and not keep.any():
            return []
        k = min(top_n, len(self.table))
        with self._lock:
            docs, scores = self._bm25.retrieve(
                [terms],
                k=k,
                show_progress=False,
                n_threads=0,
                weight_mask=None if keep is None else keep.astype(np.float32),
            )
        return [(int(d), float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]


class KeywordRetriever(BaseRetriever):
    def __init__(self, keyword_index: KeywordIndex, top_n: int, filters: Filters | None = None):
        super().__init__()
        self._index, self._top_n, self._filters = keyword_index, top_n, filters

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [
            NodeWithScore(node=self._index.table.node(row), score=score)
            for row, score in self._index.search(query_bundle.query_str, self._top_n, self._filters)
        ]


def reciprocal_rank_fusion(rankings: list[list[Hashable]], weights: list[float], k: int = 60) -> dict:
    """Weighted RRF: score(d) = sum_i w_i / (k + rank_i(d)), ranks from 1."""
    fused: dict = {}
    for ranking, weight in zip(rankings, weights):
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


@lru_cache(maxsize=4096)
def _word_set(text: str) -> frozenset[str]:
    return frozenset(content_words(text))


def diversify(passages: Iterable[Passage], top_k: int, max_per_article: int, near_duplicate: float) -> list[Passage]:
    """Keep the best passages such that no article fills the context and near-copies collapse.

    Reads ``passages`` only as far as it needs to: a lazy iterable is never built past top_k kept.
    """
    chosen: list[Passage] = []
    chosen_words: list[frozenset[str]] = []
    per_article: dict[str, int] = {}
    for p in passages:
        if per_article.get(p.doc_id, 0) >= max_per_article:
            continue
        words = _word_set(p.text)
        if any(words and w and len(words & w) / len(words | w) >= near_duplicate for w in chosen_words):
            continue
        chosen.append(p)
        chosen_words.append(words)
        per_article[p.doc_id] = per_article.get(p.doc_id, 0) + 1
        if len(chosen) >= top_k:
            break
    return chosen


def _within(filters: Filters | None, prefer: Filters) -> Filters:
    """The caller's filters narrowed to the preferred dates."""
    base = filters or Filters()
    since = max(d for d in (base.since, prefer.since) if d) if (base.since or prefer.since) else None
    until = min(d for d in (base.until, prefer.until) if d) if (base.until or prefer.until) else None
    return Filters(since=since, until=until, sources=base.sources, doc_ids=base.doc_ids)


@dataclass
class RetrievalResult:
    passages: list[Passage]
    query_vector: np.ndarray | None
    timings_ms: dict[str, float]


def hybrid_retrieve(
    question: str,
    *,
    news_index,
    settings,
    filters: Filters | None = None,
    prefer: Filters | None = None,
) -> RetrievalResult:
    """Dense + keyword candidates, fused, diversified; timings per stage.

    ``prefer`` (a named period's dates, "in 2012") ranks what it admits higher without shutting the rest
    out: each retriever is asked twice, within it and without it, and the four lists are fused, so an
    article dated inside counts twice while a later article recounting the event, or an undated one, can
    still win on its words."""
    cfg = settings.retrieval
    table = news_index.chunks
    timings: dict[str, float] = {}
    dense_hits: list[tuple[int, float]] = []
    keyword_hits: list[tuple[int, float]] = []
    preferred_dense: list[tuple[int, float]] = []
    preferred_keyword: list[tuple[int, float]] = []
    preferred = _within(filters, prefer) if prefer else None
    vector = None
    if cfg.mode in ("hybrid", "dense"):
        t = time.perf_counter()
        embed_query = getattr(news_index, "embed_query", None) or news_index.embedder.embed_query
        vector = embed_query(question)
        timings["embed_query"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        dense_hits = dense_top_rows(
            table, news_index.store.chunks, vector, cfg.candidates, filters, cfg.exact_search_max_chunks
        )
        if preferred:
            preferred_dense = dense_top_rows(
                table, news_index.store.chunks, vector, cfg.candidates, preferred, cfg.exact_search_max_chunks
            )
        timings["dense"] = (time.perf_counter() - t) * 1000
    if cfg.mode in ("hybrid", "keyword"):
        t = time.perf_counter()
        keyword_hits = news_index.keyword_index.search(question, cfg.candidates, filters)
        if preferred:
            preferred_keyword = news_index.keyword_index.search(question, cfg.candidates, preferred)
        timings["keyword"] = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    dense_of = dict(preferred_dense) | dict(dense_hits)
    keyword_of = dict(preferred_keyword) | dict(keyword_hits)
    fused = reciprocal_rank_fusion(
        [[r for r, _ in hits] for hits in (dense_hits, keyword_hits, preferred_dense, preferred_keyword)],
        [cfg.dense_weight, cfg.keyword_weight] * 2,
        cfg.rrf_k,
    )
    order = sorted(fused, key=lambda row: (-fused[row], table.ids[row]))
    ranked = (table.passage(row, fused[row], dense_of.get(row), keyword_of.get(row)) for row in order)
    passages = diversify(ranked, cfg.top_k, cfg.max_chunks_per_article, cfg.near_duplicate_jaccard)
    timings["fusion"] = (time.perf_counter() - t) * 1000
    if vector is not None and any(p.dense_score is None for p in passages):
        sims = table.similarities(vector, [p.chunk_id for p in passages if p.dense_score is None])
        passages = [replace(p, dense_score=sims.get(p.chunk_id)) if p.dense_score is None else p for p in passages]
    return RetrievalResult(passages, vector, timings)
