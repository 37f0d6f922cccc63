"""Ingest: Newsdesk's build throughput next to the embedder's raw throughput on the same texts.

Two views of the model's share, because this machine is shared and noisy:

- In-build (the headline): the embedder is wrapped in ``ModelTimer``, which
  adds up the seconds spent inside ``embed_passages`` during the build. The
  pipeline's overhead is ``build seconds / model seconds - 1``; both come from
  the same run, so a change in load shifts both alike.
- Direct: ``embed_passages`` called on its own, in the build's batch size, on a
  stride sample of the very chunk texts the build embeds (half right before
  the build, half right after). It checks that the in-build model rate is the
  model's real rate.

Imports (chromadb, llama-index) happen before the clock starts and are
reported apart as ``imports_s``: they are paid once per process, not per chunk.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from bench.child import load_average, peak_rss_mb


def dir_size_mb(path: Path) -> float:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return round(total / 1e6, 2)


def chunk_texts(corpus_dir: Path, settings) -> list[str]:
    """The chunk texts a build of ``corpus_dir`` embeds, in build order."""
    from index.chunk import chunk_article
    from index.clean import clean_article
    from index.load import load_corpus

    cfg = settings.index
    articles = load_corpus(corpus_dir, max_bytes=cfg.max_article_bytes).articles
    return [
        c.text
        for a in articles
        for c in chunk_article(a.doc_id, clean_article(a.text), cfg.chunk_tokens, cfg.chunk_overlap_sentences)
    ]


class ModelTimer:
    """An Embedder that forwards to another one and adds up the time spent in it."""

    def __init__(self, inner):
        self.inner = inner
        self.name, self.dim = inner.name, inner.dim
        self.similarity_floor = getattr(inner, "similarity_floor", 0.5)
        self.seconds = 0.0
        self.texts = 0

    def embed_passages(self, texts):
        started = time.perf_counter()
        try:
            return self.inner.embed_passages(texts)
        finally:
            self.seconds += time.perf_counter() - started
            self.texts += len(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


def warm_imports() -> float:
    """Import what a build imports lazily, so the build's clock measures work, not imports."""
    started = time.perf_counter()
    import chromadb  # noqa: F401
    import llama_index.core  # noqa: F401
    import llama_index.vector_stores.chroma  # noqa: F401
    from llama_index.core.schema import TextNode  # noqa: F401

    return time.perf_counter() - started


def _raw_rate(embedder, texts: list[str], batch: int) -> tuple[int, float]:
    from index.embedders import embed_in_batches

    if not texts:
        return 0, 0.0
    started = time.perf_counter()
    embed_in_batches(embedder, texts, batch)
    return len(texts), time.perf_counter() - started


def ingest_phase(
    corpus_dir: str,
    store_dir: str,
    embedder_spec: str,
    pool_vectors: str | None = None,
    raw_sample: int = 0,
    chroma_host: str | None = None,
    chroma_port: int = 8000,
    collection: str = "newsdesk",
) -> dict:
    """Build one index from scratch (in a child process) and measure it."""
    import index
    from bench.pooled import bench_embedder
    from newsdesk.settings import load_settings

    overrides = {"store_dir": store_dir, "corpus_dir": corpus_dir, "collection": collection}
    if chroma_host:
        overrides.update(chroma_host=chroma_host, chroma_port=chroma_port)
    settings = load_settings(index=overrides)
    if not chroma_host:
        shutil.rmtree(store_dir, ignore_errors=True)
    imports_s = warm_imports()
    started = time.perf_counter()
    model = bench_embedder(embedder_spec, pool_vectors, threads=settings.index.embed_threads)
    load_s = time.perf_counter() - started
    embedder = ModelTimer(model)
    batch = settings.index.embed_batch_size

    raw_n = raw_s = 0.0
    if raw_sample:
        texts = chunk_texts(Path(corpus_dir), settings)
        stride = max(1, len(texts) // raw_sample)
        sample = texts[::stride][:raw_sample]
        n, s = _raw_rate(model, sample[: len(sample) // 2], batch)
        raw_n, raw_s = raw_n + n, raw_s + s
    load_before = load_average()
    report = index.build(settings=settings, embedder=embedder)
    load_after = load_average()
    if not chroma_host:
        # Stop this process's Chroma system now, so the index is fully on disk before the next phase's
        # process opens it (otherwise that open can race the flush: "hnsw segment reader: Nothing found on disk").
        from index.chroma import forget_client

        forget_client(str(store_dir))
    if raw_sample:
        n, s = _raw_rate(model, sample[len(sample) // 2 :], batch)
        raw_n, raw_s = raw_n + n, raw_s + s

    pipeline_rate = report.chunks / report.seconds if report.seconds else 0.0
    raw_rate = raw_n / raw_s if raw_s else None
    model_rate = embedder.texts / embedder.seconds if embedder.seconds else None
    result = {
        "embedder": embedder.name,
        "articles": report.articles,
        "chunks": report.chunks,
        "embedded_chunks": report.embedded_chunks,
        "embedded_sentences": report.embedded_sentences,
        "phases_s": report.phases,
        "build_s": round(report.seconds, 3),
        "articles_per_s": round(report.articles / report.seconds, 2),
        "chunks_per_s": round(pipeline_rate, 2),
        "imports_s": round(imports_s, 3),
        "model_load_s": round(load_s, 3),
        "model_s_in_build": round(embedder.seconds, 3),
        "non_model_s_in_build": round(report.seconds - embedder.seconds, 3),
        "model_texts_per_s_in_build": round(model_rate, 2) if model_rate else None,
        "overhead_in_build": round(report.seconds / embedder.seconds - 1, 4) if embedder.seconds else None,
        "raw_sample_texts": int(raw_n),
        "raw_texts_per_s": round(raw_rate, 2) if raw_rate else None,
        "overhead_vs_raw": round(raw_rate / pipeline_rate - 1, 4) if raw_rate and pipeline_rate else None,
        "peak_rss_mb": peak_rss_mb(),
        "disk_mb": None if chroma_host else dir_size_mb(Path(store_dir)),
        "load_avg": [load_before, load_after],
    }
    for counter in ("sentences_looked_up", "sentences_embedded"):
        if hasattr(model, counter):
            result[counter] = getattr(model, counter)
    return result


def embedder_probe(embedder_spec: str, queries: list[str], passages: list[str], threads: int = 2) -> dict:
    """Query-embedding latency and passage throughput of one embedder under this process's environment.

    Run in children with different OpenMP settings (OMP_WAIT_POLICY) to show
    how the native engine behaves on cores shared with other work.
    """
    from bench.pooled import bench_embedder
    from bench.query import percentiles

    embedder = bench_embedder(embedder_spec, threads=threads)
    embedder.embed_query(queries[0])
    query_ms = []
    for q in queries:
        t = time.perf_counter()
        embedder.embed_query(q)
        query_ms.append((time.perf_counter() - t) * 1000)
    n, s = _raw_rate(embedder, passages, 16)
    return {
        "embedder": embedder.name,
        "threads": threads,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "query_ms": percentiles(query_ms),
        "passages_per_s": round(n / s, 2) if s else None,
        "load_avg": load_average(),
    }
