"""Vectors of article sentences, for question-sentence similarity and the verifier.

The index stores one vector per sentence at build time when it can
(``NewsIndex.sentence_vectors``); any sentence it lacks is embedded here once
and cached for the life of the open index.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from index.embedders.base import normalize_rows

SentenceKey = tuple[str, int, int]  # (doc id, start, end) in the original article


class SentenceVectors:
    def __init__(self, news_index, cache_size: int = 50_000):
        self._index = news_index
        self._cache: OrderedDict[SentenceKey, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    @property
    def dim(self) -> int:
        return int(self._index.embedder.dim)

    def vectors(self, keys: Sequence[SentenceKey], texts: Sequence[str]) -> np.ndarray:
        """(len(keys), dim) L2-normalised vectors, in order."""
        out = np.full((len(keys), self.dim), np.nan, dtype=np.float32)
        stored = getattr(self._index, "sentence_vectors", None)
        if stored is not None and keys:
            found = np.asarray(stored(list(keys)), dtype=np.float32)
            if found.shape == out.shape:
                out[:] = found
        missing = [i for i in range(len(keys)) if np.isnan(out[i, 0])]
        todo = []
        with self._lock:
            for i in missing:
                cached = self._cache.get(keys[i])
                if cached is not None:
                    out[i] = cached
                    self._cache.move_to_end(keys[i])
                else:
                    todo.append(i)
        if todo:
            fresh = normalize_rows(self._index.embedder.embed_passages([texts[i] for i in todo]))
            with self._lock:
                for i, vector in zip(todo, fresh):
                    out[i] = vector
                    self._cache[keys[i]] = vector
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return out


def sentence_vectors_for(news_index) -> SentenceVectors:
    """The open index's sentence vectors (one cache per open index)."""
    existing = getattr(news_index, "_newsdesk_sentence_vectors", None)
    if existing is None:
        existing = SentenceVectors(news_index)
        try:
            news_index._newsdesk_sentence_vectors = existing
        except AttributeError:
            pass
    return existing
