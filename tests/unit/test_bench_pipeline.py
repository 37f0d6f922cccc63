"""Smoke test of the benchmark phases on the seed corpus with the fake embedder (in-process, seconds)."""

from __future__ import annotations

import json

from bench import synth
from bench.bruteforce import exact_top_k, recall
from bench.ingest import ingest_phase
from bench.quality import SEED_SUITE, hit_and_rr, load_suite, summarize
from bench.query import query_phase
from bench.recipe import compare_phase, paired_builds_phase
from bench.report import write_report


def test_exact_top_k_is_sorted_and_exact():
    import numpy as np

    matrix = np.eye(4, dtype=np.float32)
    query = np.array([0.1, 0.9, 0.5, 0.0], dtype=np.float32)
    assert exact_top_k(matrix, query, 3).tolist() == [1, 2, 0]
    assert recall(["a", "b"], ["b", "c"]) == 0.5


def test_hit_and_mrr_count_gold_articles_in_the_first_five_passages():
    assert hit_and_rr(["x", "y", "gold"], ("gold",)) == (1.0, 1 / 3)
    assert hit_and_rr(["x"] * 5 + ["gold"], ("gold",)) == (0.0, 0.0)
    assert summarize([(1.0, 1.0), (0.0, 0.0)]) == {"n": 2, "hit_at_5": 0.5, "mrr_at_5": 0.5}
    assert summarize([])["hit_at_5"] is None  # no question applies: None, never 0


def test_phases_run_end_to_end_on_the_seed_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    synth.seed_corpus(corpus)
    store = tmp_path / "store"
    questions = load_suite(SEED_SUITE, "seed")[:6]

    ingest = ingest_phase(str(corpus), str(store), "fake", raw_sample=20)
    assert ingest["articles"] == 5 and ingest["chunks"] == ingest["embedded_chunks"] > 0
    assert ingest["model_s_in_build"] > 0 and ingest["peak_rss_mb"] > 0 and ingest["disk_mb"] > 0

    query = query_phase(str(store), "fake", questions, answers=2)
    assert query["stages_ms"]["dense"]["n"] == len(questions)
    assert query["answer_ms"]["n"] == 2
    assert query["quality"]["seed"]["n"] > 0
    assert 0.0 <= query["brute_force"]["recall_at_20"] <= 1.0

    builds = paired_builds_phase(str(corpus), str(tmp_path / "recipe"), str(tmp_path / "pairs"), "fake", rounds=2)
    assert [row["first"] for row in builds["pairs"]] == ["recipe", "newsdesk"]  # alternating order
    assert all(
        row["recipe"]["build_s"] > 0
        and row["newsdesk"]["texts"] == ingest["embedded_chunks"] + ingest["embedded_sentences"]
        for row in builds["pairs"]
    )
    assert builds["ratio_min"] <= builds["ratio_median"] <= builds["ratio_max"]

    recipe = compare_phase(str(tmp_path / "recipe"), str(store), "fake", questions)
    assert recipe["recipe_chunks"] > 0 and recipe["query_ratio_p50"] > 0
    assert builds["recipe_texts_embedded"] == recipe["recipe_chunks"]  # the kept recipe index is the one queried
    assert recipe["quality"]["recipe"]["seed"]["n"] == recipe["quality"]["newsdesk"]["seed"]["n"]

    out = tmp_path / "results"
    out.mkdir()
    run = {
        "embedder": "fake",
        "size": "seed",
        "corpus": {},
        "ingest": ingest,
        "query": query,
        "recipe": recipe,
        "builds": builds,
    }
    (out / "models.json").write_text(json.dumps({"runs": [run], "environment": {"mode": "test"}}))
    summary = write_report(out).read_text()
    assert "| target | measured | met |" in summary and "| fake | seed |" in summary


def test_chunk_graph_recall_is_against_exact_search(tmp_path):
    """bench.chunk_graph's recall@10: near 1 for the default graph over 600 rows, lower for a graph too poor
    to find them (2 neighbours, ef_construction and ef_search 2)."""
    import numpy as np

    from bench.chunk_graph import write_and_ask

    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((600, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    np.save(tmp_path / "vectors.npy", vectors)
    np.save(tmp_path / "queries.npy", vectors[:40])
    rows = {"ids": [f"c{i}" for i in range(600)], "metadatas": [{"doc_id": f"d{i}"} for i in range(600)]}
    (tmp_path / "rows.json").write_text(json.dumps(rows), encoding="utf-8")
    small = write_and_ask(str(tmp_path), "small", {})
    poor = write_and_ask(str(tmp_path), "poor", {"max_neighbors": 2, "ef_construction": 2, "ef_search": 2})
    assert small["recall_at_10"] > 0.95
    assert poor["recall_at_10"] < small["recall_at_10"]
