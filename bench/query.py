"""Queries on an open index: per-stage retrieval latency, end-to-end offline answers, quality, brute force.

Everything runs with the index already open (``rag.open_index``), as the UI
and the eval do; the time to open it (which builds the BM25 index over every
chunk) is reported on its own.
"""

from __future__ import annotations

import time

import numpy as np

from bench.child import load_average, peak_rss_mb
from bench.quality import Question, hit_and_rr, summarize

STAGES = ("embed_query", "dense", "keyword", "fusion")


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"n": 0, "p50": None, "p95": None, "mean": None}
    arr = np.asarray(values, dtype=np.float64)
    return {"n": len(values), "p50": round(float(np.percentile(arr, 50)), 3),
            "p95": round(float(np.percentile(arr, 95)), 3), "mean": round(float(arr.mean()), 3)}


def query_phase(store_dir: str, embedder_spec: str, questions: list[Question], *, pool_vectors: str | None = None,
                answers: int = 0, brute_force: bool = True, warmup: int = 3, chroma_host: str | None = None,
                chroma_port: int = 8000, collection: str = "newsdesk") -> dict:
    """Open the index (in a child process) and time every question through retrieval and answering."""
    import rag
    from bench.pooled import bench_embedder
    from newsdesk.settings import load_settings
    from rag.retrieve import hybrid_retrieve

    overrides = {"store_dir": store_dir, "collection": collection}
    if chroma_host:
        overrides.update(chroma_host=chroma_host, chroma_port=chroma_port)
    settings = load_settings(index=overrides)
    embedder = bench_embedder(embedder_spec, pool_vectors, threads=settings.index.embed_threads)
    started = time.perf_counter()
    open_error = None
    try:
        news_index = rag.open_index(settings, embedder=embedder)
    except Exception as exc:  # reported in the results, then measured again with the paging fix
        open_error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
        started = time.perf_counter()
        news_index = rag.open_index(settings, embedder=embedder, store=paged_store(settings))
    open_s = time.perf_counter() - started
    rss_open = peak_rss_mb()
    in_index = set(news_index.articles)

    first_query_retries = 0
    while True:  # seen once: a just-built index's HNSW segment not yet readable; counted, never hidden
        try:
            hybrid_retrieve(questions[0].question, news_index=news_index, settings=settings)
            break
        except Exception as exc:
            if first_query_retries >= 5 or "Nothing found on disk" not in str(exc):
                raise
            first_query_retries += 1
            time.sleep(2)
    for q in questions[1:warmup]:
        hybrid_retrieve(q.question, news_index=news_index, settings=settings)
    load_before = load_average()
    stages: dict[str, list[float]] = {s: [] for s in STAGES}
    retrieval_excl_embed, retrieval_wall = [], []
    quality: dict[str, list[tuple[float, float]]] = {}
    vectors: list[np.ndarray] = []
    for q in questions:
        t = time.perf_counter()
        result = hybrid_retrieve(q.question, news_index=news_index, settings=settings)
        retrieval_wall.append((time.perf_counter() - t) * 1000)
        for stage in STAGES:
            stages[stage].append(result.timings_ms.get(stage, 0.0))
        retrieval_excl_embed.append(retrieval_wall[-1] - result.timings_ms.get("embed_query", 0.0))
        vectors.append(result.query_vector)
        if q.answerable and any(s in in_index for s in q.sources):
            quality.setdefault(q.suite, []).append(hit_and_rr([p.doc_id for p in result.passages], q.sources))

    answer_ms = []
    for q in questions[:answers]:
        t = time.perf_counter()
        rag.answer(q.question, news_index=news_index)
        answer_ms.append((time.perf_counter() - t) * 1000)
    load_after = load_average()
    out = {
        "embedder": embedder.name,
        "chunks": news_index.store.count_chunks(),
        "articles": len(in_index),
        "open_s": round(open_s, 3),
        "open_error": open_error,
        "opened_with_paging_fix": open_error is not None,
        "first_query_retries": first_query_retries,
        "questions": len(questions),
        "stages_ms": {s: percentiles(v) for s, v in stages.items()},
        "retrieval_excl_embed_ms": percentiles(retrieval_excl_embed),
        "retrieval_total_ms": percentiles(retrieval_wall),
        "answer_ms": percentiles(answer_ms),
        "quality": {suite: summarize(rows) for suite, rows in sorted(quality.items())},
        "peak_rss_open_mb": rss_open,
        "peak_rss_mb": peak_rss_mb(),  # before brute force loads a second copy of the vectors
        "load_avg": [load_before, load_after],
    }
    if brute_force:
        out["brute_force"] = _brute_force(news_index, questions, vectors)
    return out


def paged_store(settings, page: int = 5000):
    """A ChromaStore whose read-everything methods fetch a page at a time.

    Proposed fix for index/store.py: one ``collection.get()`` of every chunk
    fails near 100k chunks ("too many SQL variables" from Chroma's SQLite),
    so ``rag.open_index`` cannot open such an index. Applied here to one
    instance only, and only after the unpatched open has failed (reported as
    ``open_error``).
    """
    import index
    from index.store import ArticleRecord, _to_article

    store = index.open_store(settings)

    def get_all(collection, include):
        out = {"ids": [], "documents": [], "metadatas": []}
        for offset in range(0, collection.count(), page):
            got = collection.get(include=include, limit=page, offset=offset)
            for key in ("ids", *include):
                out[key].extend(got[key])
        return out

    def all_chunks():
        got = get_all(store.chunks, ["documents", "metadatas"])
        return got["ids"], got["documents"], got["metadatas"]

    def all_articles():
        got = get_all(store.articles, ["metadatas", "documents"])
        return sorted((_to_article(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])),
                      key=lambda a: a.doc_id)

    def article_records():
        got = get_all(store.articles, ["metadatas"])
        return {d: ArticleRecord(d, m.get("content_hash", ""), int(m.get("n_chunks", 0)), m)
                for d, m in zip(got["ids"], got["metadatas"])}

    store.all_chunks, store.all_articles, store.article_records = all_chunks, all_articles, article_records
    return store


def _brute_force(news_index, questions: list[Question], vectors: list[np.ndarray], k: int = 20) -> dict:
    """Exact numpy top-k vs the dense (HNSW) stage, on the same query vectors."""
    from llama_index.core.schema import QueryBundle

    from bench.bruteforce import load_vectors, recall, timed_exact_top_k
    from rag.retrieve import DenseRetriever

    started = time.perf_counter()
    ids, matrix = load_vectors(news_index.store.chunks)
    load_s = time.perf_counter() - started
    exact_ms, dense_ms, recall_k, recall_5 = [], [], [], []
    for q, vector in zip(questions, vectors):
        vector = np.asarray(vector, dtype=np.float32)
        rows, ms = timed_exact_top_k(matrix, vector, k)
        exact = [ids[r] for r in rows]
        t = time.perf_counter()
        dense = DenseRetriever(news_index.vector_index, k).retrieve(QueryBundle(query_str=q.question,
                                                                                embedding=vector.tolist()))
        dense_ms.append((time.perf_counter() - t) * 1000)
        exact_ms.append(ms)
        found = [n.node.node_id for n in dense]
        recall_k.append(recall(found, exact))
        recall_5.append(recall(found[:5], exact[:5]))
    return {
        "k": k,
        "vectors_load_s": round(load_s, 3),
        "exact_ms": percentiles(exact_ms),
        "dense_ms": percentiles(dense_ms),
        f"recall_at_{k}": round(float(np.mean(recall_k)), 4) if recall_k else None,
        "recall_at_5": round(float(np.mean(recall_5)), 4) if recall_5 else None,
        "dense_over_exact_p50": round(float(np.median(dense_ms) / max(np.median(exact_ms), 1e-6)), 2)
        if dense_ms else None,
    }
