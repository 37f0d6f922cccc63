"""What keeps many questions at once fast: one BLAS thread per answering process, memoised word matching."""

from __future__ import annotations

from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from threadpoolctl import threadpool_info, threadpool_limits

from newsdesk.text.overlap import has_word, weighted_coverage, word_set
from newsdesk.text.words import content_words, same_word
from rag.newsindex import NewsIndex


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
        assert has_word(word_set(text), word) == (word in found or any(same_word(word, w) for w in found))
    weights = tuple(float(i + 1) for i in range(len(terms)))
    stems = tuple((content_words(t) or [t])[0] for t in terms)
    expected = sum(w for t, w in zip(stems, weights) if t in found or any(same_word(t, x) for x in found))
    assert abs(weighted_coverage(stems, weights, text) - expected / sum(weights)) < 1e-12
