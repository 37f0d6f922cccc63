"""Story grouping: exact nearest articles, and builds that check again only what changed."""

from __future__ import annotations

import numpy as np
import pytest

import index
import index.store
import index.stories as stories
from index.chroma import open_client
from index.embedders.fake import FakeEmbedder
from index.store import ARTICLE_VECTOR_INDEX
from tests.conftest import make_settings

SEED_IDS = ["000_d5ae959b64b4b853", "002_102502518f9dd0d1", "003_9b0c19500f436efb", "004_54ac3c588acb31a6"]


def _edited(text: str, n: int) -> str:
    """A light edit of a story (its last paragraph dropped, a line added): a copy the grouping must find."""
    paragraphs = [p for p in text.split("\n") if p.strip()]
    return "\n".join(paragraphs[:-1] + [f"Reported by desk number {n}."])


def _corpus(seed_copy):
    """The seed articles, each with two edited copies: 5 + 8 articles, more than the candidates per article."""
    for doc_id in SEED_IDS:
        text = (seed_copy / f"{doc_id}.txt").read_text(encoding="utf-8")
        for n in (1, 2):
            (seed_copy / f"{doc_id}_copy{n}.txt").write_text(_edited(text, n), encoding="utf-8")
    return seed_copy


def _groups(settings) -> dict[str, tuple[str, str]]:
    return {
        d: (r.metadata.get("story"), r.metadata.get("also_in"))
        for d, r in index.open_store(settings).article_records().items()
    }


def test_exact_nearest_articles_break_ties_by_row_whatever_the_block():
    rng = np.random.default_rng(0)
    means = rng.standard_normal((50, 8)).astype(np.float32)
    means[10:20] = means[5]  # ties
    means /= np.linalg.norm(means, axis=1, keepdims=True)
    rows = np.arange(50)
    whole = stories.nearest_articles(means, rows, 9, block=64)
    assert np.array_equal(np.sort(whole, axis=1), np.sort(stories.nearest_articles(means, rows, 9, block=7), axis=1))
    scores = means @ means.T
    for row, got in zip(rows, whole):
        expected = np.lexsort((np.arange(50), -scores[row]))[:9]
        assert set(got.tolist()) == set(expected.tolist())


def test_an_incremental_build_checks_only_what_changed_and_groups_as_a_full_one(tmp_path, seed_copy, monkeypatch):
    corpus = _corpus(seed_copy)
    settings = make_settings(tmp_path, corpus=corpus)
    first = index.build(settings=settings, embedder=FakeEmbedder())
    assert first.story_groups <= 5  # each seed article with its copies (13 articles)
    checked: list[int] = []
    real = stories.nearest_articles
    monkeypatch.setattr(
        stories, "nearest_articles", lambda m, rows, k, **kw: checked.append(len(rows)) or real(m, rows, k, **kw)
    )

    # A third copy of 003, a copy of 004 removed, one of 000's copies rewritten as another story (its group splits).
    text_003 = (corpus / "003_9b0c19500f436efb.txt").read_text(encoding="utf-8")
    (corpus / "003_9b0c19500f436efb_copy3.txt").write_text(_edited(text_003, 3), encoding="utf-8")
    (corpus / "004_54ac3c588acb31a6_copy1.txt").unlink()
    text_002 = (corpus / "002_102502518f9dd0d1.txt").read_text(encoding="utf-8")
    (corpus / "000_d5ae959b64b4b853_copy2.txt").write_text(_edited(text_002, 4), encoding="utf-8")
    index.build(settings=settings, embedder=FakeEmbedder())
    incremental = _groups(settings)
    # Checked again: the changed articles and the members of the groups they, or the removed copy, were in;
    # not the articles of 002's story, which nothing touched.
    assert 0 < sum(checked) < len(incremental)
    assert incremental["000_d5ae959b64b4b853_copy2"][0] == incremental["002_102502518f9dd0d1"][0]

    checked.clear()
    fresh = make_settings(tmp_path, corpus=corpus, index={"store_dir": str(tmp_path / "fresh")})
    index.build(settings=fresh, embedder=FakeEmbedder())
    assert sum(checked) == len(incremental)  # a first build checks every article
    assert incremental == _groups(fresh)


@pytest.mark.parametrize("width", [4, 64])
def test_exact_nearest_articles_are_a_full_sorts_first_k_with_copies_across_column_groups(monkeypatch, width):
    """The k best of a row are looked for in its k best column groups: copies of one article in many groups
    (equal scores at the k-th place) must still give the k lowest rows among the ties, as a full sort does."""
    monkeypatch.setattr(stories, "GROUP_WIDTH", width)
    rng = np.random.default_rng(3)
    means = rng.standard_normal((301, 6)).astype(np.float32)
    means[rng.choice(301, 40, replace=False)] = means[7]  # 41 copies scattered over the groups
    means[50:70] = means[50]  # a run of copies inside one or two groups
    means /= np.linalg.norm(means, axis=1, keepdims=True)
    scores = means @ means.T
    rows = np.arange(301)
    for k in (1, 2, 9, 30):
        for block in (5, 256):
            got = stories.nearest_articles(means, rows, k, block=block)
            for row in rows:
                expected = np.lexsort((np.arange(301), -scores[row]))[:k]
                assert set(got[row].tolist()) == set(expected.tolist()), (k, block, row)


def test_a_new_index_gives_its_article_vectors_the_cheapest_graph_and_an_old_one_keeps_its_own(tmp_path, seed_copy):
    """Nothing queries the articles' vectors, so a new index builds them no real HNSW graph (53 s of a 100k
    build); an index created before keeps the default graph and is built on, grouped as a new one."""
    corpus = _corpus(seed_copy)
    old = make_settings(tmp_path, corpus=corpus, index={"store_dir": str(tmp_path / "old")})
    client = open_client(old, create=True)
    client.get_or_create_collection(f"{old.index.collection}-articles")  # as Newsdesk created it before
    client.get_or_create_collection(f"{old.index.collection}-chunks", metadata={"hnsw:space": "cosine"})
    index.build(settings=old, embedder=FakeEmbedder())
    new = make_settings(tmp_path, corpus=corpus, index={"store_dir": str(tmp_path / "new")})
    index.build(settings=new, embedder=FakeEmbedder())

    def graph(settings) -> dict:
        return index.open_store(settings).articles.configuration_json["hnsw"]

    assert graph(old)["max_neighbors"] == 16 and graph(old)["ef_construction"] == 100
    assert {k: graph(new)[k] for k in ARTICLE_VECTOR_INDEX} == ARTICLE_VECTOR_INDEX
    assert _groups(old) == _groups(new)
    assert len(set(g for g, _ in _groups(new).values())) <= 5
