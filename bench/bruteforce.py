"""Exact top-k with numpy over the index's own vectors: the latency floor and the recall ceiling.

The vectors are L2-normalised (every embedder promises it), so cosine
similarity is one matrix-vector product; ``argpartition`` then sorts only the
top k. This is what "no index at all" costs, and the exact answer an
approximate (HNSW) index is measured against.
"""

from __future__ import annotations

import time

import numpy as np


def load_vectors(collection, page: int = 5000) -> tuple[list[str], np.ndarray]:
    """All chunk ids and vectors of a Chroma collection, fetched a page at a time."""
    ids: list[str] = []
    parts: list[np.ndarray] = []
    total = collection.count()
    for offset in range(0, total, page):
        got = collection.get(include=["embeddings"], limit=page, offset=offset)
        ids.extend(got["ids"])
        parts.append(np.asarray(got["embeddings"], dtype=np.float32))
    matrix = np.vstack(parts) if parts else np.zeros((0, 0), dtype=np.float32)
    return ids, matrix


def exact_top_k(matrix: np.ndarray, query: np.ndarray, k: int) -> np.ndarray:
    """Row numbers of the k most similar vectors, best first."""
    scores = matrix @ query
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top], kind="stable")]


def timed_exact_top_k(matrix: np.ndarray, query: np.ndarray, k: int) -> tuple[np.ndarray, float]:
    started = time.perf_counter()
    rows = exact_top_k(matrix, query, k)
    return rows, (time.perf_counter() - started) * 1000


def recall(found: list[str], exact: list[str]) -> float:
    """Share of the exact top-k that the approximate search also returned."""
    if not exact:
        return 1.0
    return len(set(found) & set(exact)) / len(exact)
