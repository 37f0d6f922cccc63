"""A deterministic embedder for unit tests: hashed bag of words, no model."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from index.embedders.base import normalize_rows

_WORD = re.compile(r"\w+")


class FakeEmbedder:
    """Each word adds 1 to a hashed bucket; texts sharing words are close.

    Honest for tests: same type and shape as the real ones, deterministic,
    and similarity still means word overlap, so retrieval tests are meaningful.
    """

    name = "fake"
    similarity_floor = 0.0

    def __init__(self, dim: int = 64):
        self.dim = dim
        self.calls: list[int] = []  # batch sizes seen, for tests that count embedding work

    @classmethod
    def from_settings(cls, settings) -> FakeEmbedder:  # noqa: ARG003 (nothing to configure)
        return cls()

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for word in _WORD.findall(text.lower()):
            bucket = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "little") % self.dim
            vec[bucket] += 1.0
        if not vec.any():
            vec[0] = 1.0
        return vec

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(len(texts))
        return normalize_rows(np.stack([self._vector(t) for t in texts]))

    def embed_query(self, text: str) -> np.ndarray:
        return normalize_rows(self._vector(text)[None, :])[0]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return normalize_rows(np.stack([self._vector(t) for t in texts]))
