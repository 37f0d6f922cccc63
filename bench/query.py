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
    return {
        "n": len(values),
        "p50": round(float(np.percentile(arr, 50)), 3),
        "p95": round(float(np.percentile(arr, 95)), 3),
        "mean": round(float(arr.mean()), 3),
    }


def query_phase(
    store_dir: str,
    embedder_spec: str,
    questions: list[Question],
    *,
    pool_vectors: str | None = None,
    answers: int = 0,
    brute_force: bool = True,
    warmup: int = 3,
    chroma_host: str | None = None,
    chroma_port: int = 8000,
    collection: str = "newsdesk",
) -> dict:
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
    news_index = rag.open_index(settings, embedder=embedder)
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
        out["brute_force"] = _brute_force(news_index, settings, questions, vectors)
    return out


def _brute_force(news_index, settings, questions: list[Question], vectors: list[np.ndarray], k: int = 20) -> dict:
    """Exact numpy top-k (latency floor, recall ceiling) vs Newsdesk's dense stage and Chroma's HNSW alone."""
    from bench.bruteforce import load_vectors, recall, timed_exact_top_k
    from rag.retrieve import DenseRetriever

    started = time.perf_counter()
    ids, matrix = load_vectors(news_index.store.chunks)  # its own copy, straight from Chroma
    load_s = time.perf_counter() - started
    table, collection = news_index.chunks, news_index.store.chunks
    dense = DenseRetriever(table, collection, k, exact_max_chunks=settings.retrieval.exact_search_max_chunks)
    hnsw = DenseRetriever(table, collection, k, exact_max_chunks=0)
    ms: dict[str, list[float]] = {"exact": [], "dense": [], "hnsw": []}
    recalls: dict[str, list[float]] = {"dense": [], "dense_5": [], "hnsw": [], "hnsw_5": []}
    for vector in vectors:
        vector = np.asarray(vector, dtype=np.float32)
        rows, exact_ms = timed_exact_top_k(matrix, vector, k)
        ms["exact"].append(exact_ms)
        exact = [ids[r] for r in rows]
        for name, retriever in (("dense", dense), ("hnsw", hnsw)):
            t = time.perf_counter()
            found = [table.ids[row] for row, _ in retriever.top_rows(vector)]
            ms[name].append((time.perf_counter() - t) * 1000)
            recalls[name].append(recall(found, exact))
            recalls[name + "_5"].append(recall(found[:5], exact[:5]))

    def mean(values: list[float]) -> float | None:
        return round(float(np.mean(values)), 4) if values else None

    def over_exact(name: str) -> float | None:
        return round(float(np.median(ms[name]) / max(np.median(ms["exact"]), 1e-6)), 2) if ms[name] else None

    return {
        "k": k,
        "vectors_load_s": round(load_s, 3),
        "dense_strategy": "exact" if dense.exact else "hnsw",
        "exact_search_max_chunks": settings.retrieval.exact_search_max_chunks,
        "exact_ms": percentiles(ms["exact"]),
        "dense_ms": percentiles(ms["dense"]),
        "hnsw_ms": percentiles(ms["hnsw"]),
        f"recall_at_{k}": mean(recalls["dense"]),
        "recall_at_5": mean(recalls["dense_5"]),
        f"hnsw_recall_at_{k}": mean(recalls["hnsw"]),
        "hnsw_recall_at_5": mean(recalls["hnsw_5"]),
        "dense_over_exact_p50": over_exact("dense"),
        "hnsw_over_exact_p50": over_exact("hnsw"),
    }
