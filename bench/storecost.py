"""What the store costs: build time outside the model, disk by part, and opening an index.

    python -m bench.storecost --sizes seed 10k [--label after-schema] [--out bench/results/storecost.jsonl]

Each size's corpus is the growth corpus (bench/synth.py) and is built from
scratch with the growth benchmark's precomputed MiniLM sentence vectors
(bench/pooled.py, ``--embedder pooled``), or with model-free vectors drawn
from each text's hash (``--embedder hashed``: the pipeline alone). Building
and opening each run in a fresh child process (bench/child.py): opening pays
what the app and every command line pay, and its resident memory is its own.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from bench import synth  # noqa: E402
from bench.child import load_average, peak_rss_mb, run_in_child  # noqa: E402
from bench.ingest import dir_size_mb, ingest_phase  # noqa: E402
from bench.rows import emit_row  # noqa: E402
from bench.run import SIZES, make_corpus  # noqa: E402


class HashedEmbedder:
    """Model-free vectors: a unit vector made from the bytes of the text's SHAKE-128 digest (~3 µs a text).

    For measuring the pipeline alone (Chroma, tables, stories) at sizes no real model reaches here;
    the same text always gets the same vector, so repeated sentences behave as with a model. (Until
    2026-12-02 a numpy generator seeded by the text's CRC drew each vector: ~40 µs a text, 10-20 s of
    a 100k build's "model" time.)
    """

    name = "bench/hashed-384"
    dim = 384
    similarity_floor = 0.0

    def embed_passages(self, texts):
        import hashlib

        import numpy as np

        raw = b"".join(hashlib.shake_128(t.encode("utf-8")).digest(2 * self.dim) for t in texts)
        rows = np.frombuffer(raw, dtype=np.int16).reshape(len(texts), self.dim).astype(np.float32)
        rows[:, 0] += 0.5  # never an all-zero row
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    def embed_query(self, text):
        return self.embed_passages([text])[0]


def _embedder(spec: str, pool_vectors: str | None):
    if spec == "hashed":
        return HashedEmbedder()
    from bench.pooled import bench_embedder

    return bench_embedder(spec, pool_vectors)


def build_phase(corpus_dir: str, store_dir: str, spec: str, pool_vectors: str | None) -> dict:
    """bench/ingest.py's ingest phase, or the same build with the model-free hashed vectors."""
    if spec != "hashed":
        return ingest_phase(corpus_dir, store_dir, spec, pool_vectors)
    import shutil

    import index
    from bench.ingest import ModelTimer, warm_imports
    from newsdesk.settings import load_settings

    shutil.rmtree(store_dir, ignore_errors=True)
    warm_imports()
    embedder = ModelTimer(HashedEmbedder())
    settings = load_settings(index={"store_dir": store_dir, "corpus_dir": corpus_dir})
    report = index.build(settings=settings, embedder=embedder)
    return {
        "chunks": report.chunks,
        "articles": report.articles,
        "build_s": round(report.seconds, 3),
        "non_model_s_in_build": round(report.seconds - embedder.seconds, 3),
        "phases_s": getattr(report, "phases", None),
        "peak_rss_mb": peak_rss_mb(),
        "load_avg": [load_average()],
    }


def disk_parts_mb(store: Path) -> dict:
    """The index folder by part: Chroma's SQLite file, its HNSW segment folders, and Newsdesk's own files."""
    parts: dict[str, float] = {}
    for entry in sorted(store.iterdir()) if store.exists() else []:
        if entry.name.startswith("chroma.sqlite3"):
            key = "chroma_sqlite"
        elif entry.is_dir() and len(entry.name) == 36 and entry.name.count("-") == 4:
            key = "chroma_hnsw"
        else:
            key = entry.name
        size = dir_size_mb(entry) if entry.is_dir() else round(entry.stat().st_size / 1e6, 2)
        parts[key] = round(parts.get(key, 0.0) + size, 2)
    return parts


def open_phase(store_dir: str, embedder_spec: str, pool_vectors: str | None) -> dict:
    """Open the index as the app does and report how long it took and the memory it holds when idle."""
    import rag
    from newsdesk.settings import load_settings

    settings = load_settings(index={"store_dir": store_dir})
    embedder = _embedder(embedder_spec, pool_vectors)
    rss_before = _rss_mb()
    started = time.perf_counter()
    news = rag.open_index(settings, embedder=embedder)
    open_s = time.perf_counter() - started
    return {
        "open_s": round(open_s, 3),
        "chunks": len(news.chunks),
        "rss_idle_mb": _rss_mb(),
        "rss_added_by_open_mb": round(_rss_mb() - rss_before, 1),
        "peak_rss_mb": peak_rss_mb(),
    }


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.storecost", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["seed", "10k"], choices=list(SIZES))
    parser.add_argument("--label", default="")
    parser.add_argument("--work", default="bench/work")
    parser.add_argument("--out", help="append one JSON line per size to this file")
    parser.add_argument("--opens", type=int, default=2, help="open the index this many times (best is kept)")
    parser.add_argument("--embedder", choices=["pooled", "hashed"], default="pooled")
    args = parser.parse_args(argv)
    work = Path(args.work)
    pool = synth.sentence_pool()
    from bench.pooled import build_pool_vectors

    pool_vectors = str(build_pool_vectors(pool, work / "pool"))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    for size in args.sizes:
        corpus, _ = make_corpus(size, work)
        store = work / "storecost" / size
        built = run_in_child(build_phase, str(corpus), str(store), args.embedder, pool_vectors)
        opens = [run_in_child(open_phase, str(store), args.embedder, pool_vectors) for _ in range(args.opens)]
        row = {
            "label": args.label,
            "embedder": args.embedder,
            "commit": commit,
            "size": size,
            "chunks": built["chunks"],
            "articles": built["articles"],
            "build_s": built["build_s"],
            "non_model_s_in_build": built["non_model_s_in_build"],
            "phases_s": built.get("phases_s"),
            "build_peak_rss_mb": built["peak_rss_mb"],
            "disk_mb": dir_size_mb(store),
            "disk_parts_mb": disk_parts_mb(store),
            "open_s": min(o["open_s"] for o in opens),
            "open_s_all": [o["open_s"] for o in opens],
            "rss_idle_mb": min(o["rss_idle_mb"] for o in opens),
            "load_avg": built["load_avg"],
        }
        emit_row(row, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
