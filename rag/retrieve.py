"""Hybrid retrieval: dense (Chroma via llama-index) + keyword (BM25), fused by weighted RRF.

Both retrievers are llama-index ``BaseRetriever``s, so they compose with the
rest of llama-index; the fusion, diversity and filter rules are ours and are
plain functions, tested on their own.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeRelationship, NodeWithScore, QueryBundle, RelatedNodeInfo, TextNode
from llama_index.core.vector_stores.types import FilterCondition, FilterOperator, MetadataFilter, MetadataFilters
from pydantic import PrivateAttr

from index.embedders import Embedder
from rag.records import Passage
from newsdesk.terms import content_words


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to a date range (ISO, inclusive) and/or some outlets."""

    since: str | None = None
    until: str | None = None
    sources: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.since or self.until or self.sources)

    def accepts(self, meta: dict) -> bool:
        if self.since or self.until:
            day = meta.get("date_int")
            if not day:
                return False
            if self.since and day < _day(self.since):
                return False
            if self.until and day > _day(self.until):
                return False
        if self.sources and meta.get("source") not in self.sources:
            return False
        return True

    def to_llama(self) -> MetadataFilters | None:
        parts: list[MetadataFilter] = []
        if self.since:
            parts.append(MetadataFilter(key="date_int", value=_day(self.since), operator=FilterOperator.GTE))
        if self.until:
            parts.append(MetadataFilter(key="date_int", value=_day(self.until), operator=FilterOperator.LTE))
        if self.sources:
            parts.append(MetadataFilter(key="source", value=list(self.sources), operator=FilterOperator.IN))
        return MetadataFilters(filters=parts, condition=FilterCondition.AND) if parts else None


def _day(iso: str) -> int:
    return int(iso.replace("-", "")[:8])


class EmbedderAdapter(BaseEmbedding):
    """Lets llama-index call one of our Embedders (never its OpenAI default)."""

    _embedder: Embedder = PrivateAttr()

    def __init__(self, embedder: Embedder, **kwargs):
        super().__init__(model_name=embedder.name, **kwargs)
        self._embedder = embedder

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embedder.embed_query(query).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embedder.embed_passages([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embedder.embed_passages(texts).tolist()  # one model call per batch


def _node_to_passage(node: TextNode, score: float, *, dense: float | None = None, keyword: float | None = None) -> Passage:
    meta = node.metadata
    return Passage(
        chunk_id=node.node_id, doc_id=node.ref_doc_id or meta.get("document_id", ""),
        start=int(meta["start"]), end=int(meta["end"]), text=node.get_content(), score=score,
        dense_score=dense, keyword_score=keyword, title=meta.get("title") or None, date=meta.get("date") or None,
        source=meta.get("source") or None, url=meta.get("url") or None,
    )


class DenseRetriever(BaseRetriever):
    """Top-n chunks by cosine similarity, from Chroma through llama-index's VectorStoreIndex."""

    def __init__(self, vector_index, top_n: int, filters: Filters | None = None):
        super().__init__()
        llama_filters = filters.to_llama() if filters else None
        self._inner = vector_index.as_retriever(similarity_top_k=top_n, filters=llama_filters)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        found = self._inner.retrieve(query_bundle)
        # ChromaVectorStore reports exp(-distance); with cosine space, cos = 1 - distance.
        return [NodeWithScore(node=n.node, score=1.0 + float(np.log(max(n.score or 1e-12, 1e-12)))) for n in found]


class KeywordIndex:
    """BM25 (bm25s) over every chunk of the index, built once when the index opens."""

    def __init__(self, ids: list[str], texts: list[str], metadatas: list[dict]):
        import bm25s

        self.ids, self.texts, self.metadatas = ids, texts, metadatas
        self._bm25 = bm25s.BM25()
        tokens = [content_words(t) or ["_empty_"] for t in texts]
        if texts:
            self._bm25.index(tokens, show_progress=False)
        self.doc_freq: dict[str, int] = {}
        for toks in tokens:
            for word in set(toks):
                self.doc_freq[word] = self.doc_freq.get(word, 0) + 1
        self._lock = threading.Lock()

    def idf(self, word: str) -> float:
        """Rarity of a word across chunks; unseen words get the highest value."""
        n = len(self.ids)
        return float(np.log(1.0 + (n + 1) / (1 + self.doc_freq.get(word, 0))))

    def has_word(self, word: str) -> bool:
        return word in self.doc_freq

    def search(self, query: str, top_n: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        terms = content_words(query)
        if not terms or not self.ids:
            return []
        mask = None
        if filters:
            mask = np.array([1.0 if filters.accepts(m) else 0.0 for m in self.metadatas], dtype=np.float32)
            if not mask.any():
                return []
        k = min(top_n, len(self.ids))
        with self._lock:
            docs, scores = self._bm25.retrieve([terms], k=k, show_progress=False, weight_mask=mask, n_threads=0)
        return [(int(d), float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]


class KeywordRetriever(BaseRetriever):
    def __init__(self, keyword_index: KeywordIndex, top_n: int, filters: Filters | None = None):
        super().__init__()
        self._index, self._top_n, self._filters = keyword_index, top_n, filters

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        out = []
        for i, score in self._index.search(query_bundle.query_str, self._top_n, self._filters):
            meta = self._index.metadatas[i]
            node = TextNode(id_=self._index.ids[i], text=self._index.texts[i], metadata=meta)
            node.relationships = {NodeRelationship.SOURCE: RelatedNodeInfo(node_id=meta.get("document_id", ""))}
            out.append(NodeWithScore(node=node, score=score))
        return out


def reciprocal_rank_fusion(rankings: list[list[str]], weights: list[float], k: int = 60) -> dict[str, float]:
    """Weighted RRF: score(d) = sum_i w_i / (k + rank_i(d)), ranks from 1."""
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


def diversify(passages: list[Passage], top_k: int, max_per_article: int, near_duplicate: float) -> list[Passage]:
    """Keep the best passages such that no article fills the context and near-copies collapse."""
    chosen: list[Passage] = []
    chosen_words: list[set[str]] = []  # computed once per passage, not once per pair
    per_article: dict[str, int] = {}
    for p in passages:
        if per_article.get(p.doc_id, 0) >= max_per_article:
            continue
        words = set(content_words(p.text))
        if any(words and w and len(words & w) / len(words | w) >= near_duplicate for w in chosen_words):
            continue
        chosen.append(p)
        chosen_words.append(words)
        per_article[p.doc_id] = per_article.get(p.doc_id, 0) + 1
        if len(chosen) >= top_k:
            break
    return chosen


@dataclass
class RetrievalResult:
    passages: list[Passage]
    query_vector: np.ndarray | None
    timings_ms: dict[str, float]


def make_vector_index(vector_store, embedder: Embedder):
    """llama-index's VectorStoreIndex over our Chroma collection, with our embedder."""
    from llama_index.core import VectorStoreIndex

    return VectorStoreIndex.from_vector_store(vector_store, embed_model=EmbedderAdapter(embedder))


def hybrid_retrieve(
    question: str, *, news_index, settings, filters: Filters | None = None,
) -> RetrievalResult:
    """Dense + keyword candidates, fused, diversified; timings per stage."""
    cfg = settings.retrieval
    embedder = news_index.embedder
    timings: dict[str, float] = {}
    dense_nodes: list[NodeWithScore] = []
    keyword_nodes: list[NodeWithScore] = []
    vector = None
    if cfg.mode in ("hybrid", "dense"):
        t = time.perf_counter()
        vector = embedder.embed_query(question)
        timings["embed_query"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        retriever = DenseRetriever(news_index.vector_index, cfg.candidates, filters)
        dense_nodes = retriever.retrieve(QueryBundle(query_str=question, embedding=vector.tolist()))
        timings["dense"] = (time.perf_counter() - t) * 1000
    if cfg.mode in ("hybrid", "keyword"):
        t = time.perf_counter()
        keyword_nodes = KeywordRetriever(news_index.keyword_index, cfg.candidates, filters).retrieve(question)
        timings["keyword"] = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    by_id: dict[str, Passage] = {}
    for n in dense_nodes:
        by_id[n.node.node_id] = _node_to_passage(n.node, 0.0, dense=n.score)
    for n in keyword_nodes:
        prior = by_id.get(n.node.node_id)
        by_id[n.node.node_id] = (replace(prior, keyword_score=n.score) if prior
                                 else _node_to_passage(n.node, 0.0, keyword=n.score))
    fused = reciprocal_rank_fusion(
        [[n.node.node_id for n in dense_nodes], [n.node.node_id for n in keyword_nodes]],
        [cfg.dense_weight, cfg.keyword_weight], cfg.rrf_k,
    )
    ranked = sorted((replace(by_id[i], score=s) for i, s in fused.items()), key=lambda p: (-p.score, p.chunk_id))
    passages = diversify(ranked, cfg.top_k, cfg.max_chunks_per_article, cfg.near_duplicate_jaccard)
    timings["fusion"] = (time.perf_counter() - t) * 1000
    if vector is not None and any(p.dense_score is None for p in passages):
        missing = [p.chunk_id for p in passages if p.dense_score is None]
        sims = news_index.similarities(vector, missing)
        passages = [replace(p, dense_score=sims.get(p.chunk_id)) if p.dense_score is None else p for p in passages]
    return RetrievalResult(passages, vector, timings)
