"""What Chroma's HNSW settings for the chunk collection cost to write and give back in recall.

    python -m bench.chunk_graph [--size 100k] [--configs '{}' '{"ef_construction": 50}'] [--out FILE]

Above 50k chunks dense search asks Chroma's HNSW index of the chunks (rag/retrieve.py
``dense_top_rows``), so a cheaper graph is a faster build and a different search. The chunk
vectors are those of the growth corpus (bench/synth.py) with the growth benchmark's
geometry: the mean of each chunk's sentences' precomputed MiniLM vectors (bench/pooled.py;
sentences outside the pool, such as titles, are left out instead of embedded). The queries
are the seed and RGB questions, embedded with MiniLM. Each configuration is written into a
fresh collection in a child process, as a build writes (1,024 rows a call, the chunk rows'
three keys), then asked for every question's 10 nearest chunks: recall@10 against exact
search over the same vectors. The default graph is written twice: Chroma inserts a batch
in parallel, so two writes of the same rows do not make the same graph.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from bench import synth  # noqa: E402
from bench.child import load_average, run_in_child  # noqa: E402
from bench.rows import emit_row  # noqa: E402
from bench.run import SIZES, make_corpus, questions_for  # noqa: E402

WRITE_ROWS = 1024  # index.write_batch_chunks' default


def chunk_vectors(corpus: Path, pool_vectors: Path, out: Path) -> int:
    """Every chunk's id, metadata and pooled vector, saved under ``out``; the number of chunks."""
    from bench.pooled import _key
    from index.chunk import chunk_article
    from index.ids import chunk_id
    from index.load import load_corpus
    from index.schema import chunk_metadata
    from index.sentences import split_sentences
    from newsdesk.settings import load_settings

    cfg = load_settings().index
    pool = np.load(pool_vectors)
    row_of = {_key(s): i for i, s in enumerate(json.loads(pool_vectors.with_suffix(".json").read_text("utf-8")))}
    loaded = load_corpus(corpus, max_bytes=cfg.max_article_bytes)
    ids, metadatas, rows = [], [], []
    for article in loaded.articles:
        for chunk in chunk_article(
            article.doc_id, loaded.cleaned_text(article), cfg.chunk_tokens, cfg.chunk_overlap_sentences
        ):
            hits = [row_of.get(_key(chunk.text[s:e])) for s, e in split_sentences(chunk.text)]
            vector = pool[[h for h in hits if h is not None]].sum(axis=0) if any(h is not None for h in hits) else None
            if vector is None:
                continue
            ids.append(chunk_id(article.doc_id, "bench", chunk.index))
            metadatas.append(chunk_metadata(article, chunk))
            rows.append(vector / np.linalg.norm(vector))
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "vectors.npy", np.asarray(rows, dtype=np.float32))
    (out / "rows.json").write_text(json.dumps({"ids": ids, "metadatas": metadatas}), encoding="utf-8")
    return len(ids)


def write_and_ask(work: str, name: str, config: dict, k: int = 10) -> dict:
    """Write every chunk row into a fresh collection with this HNSW configuration; time it; ask every query."""
    import shutil

    import chromadb
    from chromadb.config import Settings as ChromaSettings

    vectors = np.load(Path(work) / "vectors.npy")
    rows = json.loads((Path(work) / "rows.json").read_text(encoding="utf-8"))
    queries = np.load(Path(work) / "queries.npy")
    path = Path(work) / name
    shutil.rmtree(path, ignore_errors=True)
    client = chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))
    chunks = client.create_collection("bench-chunks", configuration={"hnsw": {"space": "cosine", **config}})
    wall, cpu = time.perf_counter(), time.process_time()
    for at in range(0, len(vectors), WRITE_ROWS):
        end = at + WRITE_ROWS
        chunks.add(ids=rows["ids"][at:end], embeddings=vectors[at:end], metadatas=rows["metadatas"][at:end])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    asked = time.perf_counter()
    got = chunks.query(query_embeddings=queries, n_results=k, include=[])["ids"]
    asked = time.perf_counter() - asked
    row_of = {cid: i for i, cid in enumerate(rows["ids"])}
    exact = np.argsort(-(queries @ vectors.T), axis=1, kind="stable")[:, :k]
    found = [len({row_of[c] for c in g} & set(e.tolist())) / k for g, e in zip(got, exact)]
    same_list = [[row_of[c] for c in g] == e.tolist() for g, e in zip(got, exact)]
    shutil.rmtree(path, ignore_errors=True)
    return {
        "write_s": round(wall, 2),
        "write_cpu_s": round(cpu, 2),
        f"recall_at_{k}": round(float(np.mean(found)), 4),
        "queries_with_all_10_found": int(sum(f == 1.0 for f in found)),
        "queries_with_the_exact_list": int(sum(same_list)),
        "query_ms": round(asked / len(queries) * 1000, 2),
        "load_avg": load_average(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.chunk_graph", description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100k", choices=[s for s in SIZES if s != "seed"])
    parser.add_argument("--work", default="bench/work")
    parser.add_argument("--configs", nargs="+", default=["{}", "{}", '{"ef_construction": 50}'])
    parser.add_argument("--out", help="append one JSON line per configuration to this file")
    args = parser.parse_args(argv)
    from bench.pooled import build_pool_vectors

    work = Path(args.work)
    pool_vectors = build_pool_vectors(synth.sentence_pool(), work / "pool")
    corpus, _ = make_corpus(args.size, work)
    out = work / "chunk_graph" / args.size
    count = run_in_child(chunk_vectors, corpus, pool_vectors, out)
    from index.embedders.minilm_onnx import MiniLMOnnxEmbedder

    questions = [q.question for q in questions_for(args.size, None)]
    np.save(out / "queries.npy", np.asarray(MiniLMOnnxEmbedder(threads=2).embed_queries(questions), dtype=np.float32))
    for i, spec in enumerate(args.configs):
        config = json.loads(spec)
        row = {"size": args.size, "chunks": count, "queries": len(questions), "hnsw": config}
        row.update(run_in_child(write_and_ask, str(out), f"run{i}", config))
        emit_row(row, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
