"""Server mode: the query benchmark against a real Chroma server on loopback.

``chroma run`` (chromadb's Rust server, started by
``tests/integration/servers.chroma_server``) listens on 127.0.0.1 and a free
port, the growth corpus is built into it, and one shared ``NewsIndex`` (as the
Streamlit app shares one between sessions) is queried by 1, 4 and 16 client
threads at once. Each level asks the same fixed number of questions; we report
throughput, latency percentiles and every error (there must be none). The
server is stopped at the end, whatever happened.
"""

from __future__ import annotations

import threading
import time

from bench.child import load_average, peak_rss_mb
from bench.quality import Question
from bench.query import percentiles


def concurrency_phase(
    host: str,
    port: int,
    embedder_spec: str,
    questions: list[Question],
    *,
    pool_vectors: str | None = None,
    clients: tuple[int, ...] = (1, 4, 16),
    queries_per_level: int = 192,
    collection: str = "newsdesk",
    store_dir: str | None = None,
) -> dict:
    """Open one NewsIndex on the server and query it from N threads at once, for each N.

    Twice per N: with the default dense stage (exact search over the vectors
    held in memory since open, so below ``exact_search_max_chunks`` a query
    never reaches the server) and with the dense stage forced onto the
    server's HNSW index (``exact_search_max_chunks=0``: one HTTP query per
    question, as above 50k chunks). The second is the server under load.
    """
    import rag
    from bench.pooled import bench_embedder
    from newsdesk.settings import load_settings
    from rag.retrieve import hybrid_retrieve

    # store_dir: where the build left Newsdesk's tables (in server mode the only local files); without it the
    # index would be opened from the server alone, its tables assembled again (and saved into ./.newsdesk)
    index = {"chroma_host": host, "chroma_port": port, "collection": collection}
    settings = load_settings(index={**index, **({"store_dir": store_dir} if store_dir else {})})
    on_server = settings.with_overrides(retrieval={"exact_search_max_chunks": 0})
    embedder = bench_embedder(embedder_spec, pool_vectors, threads=settings.index.embed_threads)
    started = time.perf_counter()
    news_index = rag.open_index(settings, embedder=embedder)
    open_s = time.perf_counter() - started
    texts = [questions[i % len(questions)].question for i in range(queries_per_level)]
    modes = {}
    for mode, mode_settings in (("memory", settings), ("server", on_server)):
        for q in questions[:3]:
            hybrid_retrieve(q.question, news_index=news_index, settings=mode_settings)
        modes[mode] = {str(n): _one_level(n, texts, news_index, mode_settings) for n in clients}
    return {
        "embedder": embedder.name,
        "chunks": news_index.store.count_chunks(),
        "open_s": round(open_s, 3),
        "modes": modes,
        "peak_rss_mb": peak_rss_mb(),
    }


def _one_level(n: int, texts: list[str], news_index, settings) -> dict:
    """All ``texts`` asked by n client threads at once; throughput, latency and every error."""
    from rag.retrieve import hybrid_retrieve

    next_item = iter(range(len(texts)))
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []

    def client() -> None:
        while True:
            with lock:
                i = next(next_item, None)
            if i is None:
                return
            t = time.perf_counter()
            try:
                hybrid_retrieve(texts[i], news_index=news_index, settings=settings)
            except Exception as exc:  # counted and reported, never hidden
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])
                continue
            with lock:
                latencies.append((time.perf_counter() - t) * 1000)

    load_before = load_average()
    wall = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - wall
    return {
        "clients": n,
        "queries": len(texts),
        "ok": len(latencies),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "seconds": round(wall, 3),
        "throughput_qps": round(len(latencies) / wall, 2),
        "latency_ms": percentiles(latencies),
        "load_avg": [load_before, load_average()],
    }
