"""What the store costs: build time outside the model, disk by part, and opening an index.

    python -m bench.storecost --sizes seed 10k [--label after-schema] [--out bench/results/storecost.jsonl]

Each size's corpus is the growth corpus (bench/synth.py) and is built from
scratch with the growth benchmark's precomputed MiniLM sentence vectors
(bench/pooled.py), so the figures are the pipeline without the model. Building
and opening each run in a fresh child process (bench/child.py): opening pays
what the app and every command line pay, and its resident memory is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from bench import synth  # noqa: E402
from bench.child import peak_rss_mb, run_in_child  # noqa: E402
from bench.ingest import dir_size_mb, ingest_phase  # noqa: E402
from bench.run import SIZES, make_corpus  # noqa: E402


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
    from bench.pooled import bench_embedder
    from newsdesk.settings import load_settings

    settings = load_settings(index={"store_dir": store_dir})
    embedder = bench_embedder(embedder_spec, pool_vectors)
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
    args = parser.parse_args(argv)
    work = Path(args.work)
    pool = synth.sentence_pool()
    from bench.pooled import build_pool_vectors

    pool_vectors = str(build_pool_vectors(pool, work / "pool"))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    for size in args.sizes:
        corpus, _ = make_corpus(size, work)
        store = work / "storecost" / size
        built = run_in_child(ingest_phase, str(corpus), str(store), "pooled", pool_vectors)
        opens = [run_in_child(open_phase, str(store), "pooled", pool_vectors) for _ in range(args.opens)]
        row = {
            "label": args.label,
            "commit": commit,
            "size": size,
            "chunks": built["chunks"],
            "articles": built["articles"],
            "build_s": built["build_s"],
            "non_model_s_in_build": built["non_model_s_in_build"],
            "build_peak_rss_mb": built["peak_rss_mb"],
            "disk_mb": dir_size_mb(store),
            "disk_parts_mb": disk_parts_mb(store),
            "open_s": min(o["open_s"] for o in opens),
            "open_s_all": [o["open_s"] for o in opens],
            "rss_idle_mb": min(o["rss_idle_mb"] for o in opens),
            "load_avg": built["load_avg"],
        }
        print(json.dumps(row), flush=True)
        if args.out:
            with open(args.out, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(row) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
