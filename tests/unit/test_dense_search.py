"""Dense search from memory (exact) and through Chroma's HNSW, filters as row masks, shingle Jaccard."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from llama_index.core.schema import QueryBundle

from index.records import Article
from index.stories import jaccard_of_shingles, shingles
from rag.chunktable import ChunkTable, exact_top_rows
from rag.retrieve import DenseRetriever, Filters, hybrid_retrieve


@hsettings(max_examples=150, deadline=None)
@given(
    rows=st.integers(0, 40),
    dim=st.integers(1, 6),
    n=st.integers(0, 50),
    seed=st.integers(0, 10_000),
    masked=st.booleans(),
)
def test_exact_top_rows_is_the_sorted_best_of_the_allowed_rows(rows, dim, n, seed, masked):
    rng = np.random.default_rng(seed)
    vectors = rng.integers(-3, 4, size=(rows, dim)).astype(np.float32)  # small integers: ties happen
    query = rng.integers(-3, 4, size=dim).astype(np.float32)
    mask = rng.random(rows) < 0.5 if masked else None
    got = exact_top_rows(vectors, query, n, mask)
    allowed = [r for r in range(rows) if mask is None or mask[r]]
    expected = sorted(allowed, key=lambda r: (-float(vectors[r] @ query), r))[:n]
    assert [row for row, _ in got] == expected
    assert all(score == pytest.approx(float(vectors[row] @ query)) for row, score in got)


def _table(metas: list[dict], dim: int = 4) -> ChunkTable:
    """One article per chunk, dated and sourced as ``metas`` say (``date_int`` YYYYMMDD, ``source``)."""
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(len(metas), dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    iso = lambda d: f"{str(d)[:4]}-{str(d)[4:6]}-{str(d)[6:]}" if d else None  # noqa: E731
    articles = {
        f"a{i}": Article(f"a{i}", f"text {i}", "", date=iso(m.get("date_int")), source=m.get("source") or None)
        for i, m in enumerate(metas)
    }
    n = len(metas)
    starts, ends = np.zeros(n, dtype=np.int64), np.array([len(a.text) for a in articles.values()], dtype=np.int64)
    return ChunkTable([f"c{i}" for i in range(n)], list(articles), starts, ends, vectors, articles)


@hsettings(max_examples=100, deadline=None)
@given(
    days=st.lists(st.one_of(st.none(), st.integers(20200101, 20261231)), min_size=1, max_size=30),
    since=st.one_of(st.none(), st.integers(20200101, 20261231)),
    until=st.one_of(st.none(), st.integers(20200101, 20261231)),
    sources=st.lists(st.sampled_from(["DW", "Reuters", "AP"]), max_size=2, unique=True),
)
def test_filter_masks_keep_exactly_the_matching_rows(days, since, until, sources):
    outlets = ["DW", "Reuters", "AP", ""]
    metas = [{"date_int": d, "source": outlets[i % 4]} if d else {"source": outlets[i % 4]} for i, d in enumerate(days)]
    iso = lambda d: f"{str(d)[:4]}-{str(d)[4:6]}-{str(d)[6:]}" if d else None  # noqa: E731
    filters = Filters(since=iso(since), until=iso(until), sources=tuple(sources))
    mask = filters.mask(_table(metas))
    if not filters:
        assert mask is None
        return

    def keeps(meta: dict) -> bool:
        day = meta.get("date_int")
        if (since or until) and not day:
            return False
        return (
            (not since or day >= since) and (not until or day <= until) and (not sources or meta["source"] in sources)
        )

    assert mask.tolist() == [keeps(m) for m in metas]


def test_table_similarities_skip_unknown_ids():
    table = _table([{} for _ in range(3)])
    sims = table.similarities(table.vectors[1], ["c1", "nope", "c2"])
    assert set(sims) == {"c1", "c2"} and sims["c1"] == pytest.approx(1.0)


def test_exact_and_hnsw_dense_search_agree_on_the_seed_index(fake_seed_index):
    news = fake_seed_index
    vector = news.embedder.embed_query("Putin state visit to China")
    table, collection = news.chunks, news.store.chunks
    exact = DenseRetriever(table, collection, 10, exact_max_chunks=10_000)
    hnsw = DenseRetriever(table, collection, 10, exact_max_chunks=0)
    assert exact.exact and not hnsw.exact
    got_exact, got_hnsw = exact.top_rows(vector), hnsw.top_rows(vector)
    assert [r for r, _ in got_exact] == [r for r, _ in got_hnsw]  # 54 chunks: HNSW is exact here
    assert [s for _, s in got_exact] == pytest.approx([s for _, s in got_hnsw], abs=1e-4)
    nodes = exact.retrieve(QueryBundle(query_str="Putin", embedding=vector.tolist()))
    assert [n.node.node_id for n in nodes] == [table.ids[r] for r, _ in got_exact]
    assert nodes[0].node.get_content() == table.texts[got_exact[0][0]]


def test_both_dense_paths_honour_filters(fake_seed_index):
    news = fake_seed_index
    vector = news.embedder.embed_query("talks in Beijing")
    filters = Filters(since="2025-01-01")
    for limit in (10_000, 0):
        rows = DenseRetriever(news.chunks, news.store.chunks, 50, filters, exact_max_chunks=limit).top_rows(vector)
        assert rows and all(news.chunks.date_ints[r] >= 20250101 for r, _ in rows)


def test_hybrid_retrieval_runs_on_either_dense_path(fake_seed_index):
    news = fake_seed_index
    results = []
    for limit in (10_000, 0):
        settings = news.settings.model_copy(
            update={"retrieval": news.settings.retrieval.model_copy(update={"exact_search_max_chunks": limit})}
        )
        results.append(hybrid_retrieve("How long was Putin's visit?", news_index=news, settings=settings))
    assert [p.chunk_id for p in results[0].passages] == [p.chunk_id for p in results[1].passages]
    assert all(p.dense_score is not None for p in results[0].passages)


@hsettings(max_examples=100, deadline=None)
@given(
    a=st.lists(st.sampled_from("alpha beta gamma delta eps zeta eta theta".split()), max_size=30),
    b=st.lists(st.sampled_from("alpha beta gamma delta eps zeta eta theta".split()), max_size=30),
)
def test_hashed_shingle_jaccard_equals_the_set_definition(a, b):
    from newsdesk.text.words import content_words

    def grams(text):
        words = content_words(text)
        return {tuple(words[i : i + 3]) for i in range(max(0, len(words) - 2))}

    ta, tb = " ".join(a), " ".join(b)
    sa, sb = grams(ta), grams(tb)
    expected = len(sa & sb) / len(sa | sb) if sa and sb else 0.0
    assert jaccard_of_shingles(shingles(ta), shingles(tb)) == pytest.approx(expected)


def test_a_preferred_period_ranks_its_articles_first_without_shutting_out_the_rest(fake_seed_index):
    news = fake_seed_index
    question = "How long was Putin's state visit to China?"
    plain = hybrid_retrieve(question, news_index=news, settings=news.settings).passages
    window = Filters(since="2024-05-01", until="2024-05-31")
    filtered = hybrid_retrieve(question, news_index=news, settings=news.settings, filters=window).passages
    preferred = hybrid_retrieve(question, news_index=news, settings=news.settings, prefer=window).passages
    inside = {p.chunk_id for p in filtered}
    assert inside and all(p.date and p.date.startswith("2024-05") for p in filtered)
    assert any(p.date != "2024-05-16" for p in plain)  # the question alone also finds other years' reports
    ranks = [i for i, p in enumerate(preferred) if p.chunk_id in inside]
    assert ranks and ranks[0] == 0  # the period's articles come first
    assert any(p.chunk_id not in inside for p in preferred)  # and the others still compete
    narrowed = hybrid_retrieve(
        question, news_index=news, settings=news.settings, filters=Filters(sources=("no such outlet",)), prefer=window
    ).passages
    assert narrowed == []  # the caller's own filters still bind both searches
