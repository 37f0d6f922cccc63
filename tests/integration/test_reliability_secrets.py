"""The API key is used, but never logged, shown, or written into the index or an eval report."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

import rag
from tests.conftest import ROOT, SEED_CORPUS, make_settings
from tests.integration.faulty_llm import faulty_llm

pytestmark = pytest.mark.slow
SECRET = "sk-test-SECRET-123"
TROOPS = "How many troops has North Korea sent to Russia?"


def _files_holding(root: Path, needle: bytes) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            try:
                if needle in path.read_bytes():
                    hits.append(str(path.relative_to(root)))
            except OSError:
                pass
    return hits


def test_the_key_never_reaches_logs_output_index_or_reports(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    with faulty_llm(["500"]) as llm:
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "OPENAI_"))}
        env = {
            **clean,
            "PYTHONPATH": str(ROOT),
            "OPENAI_BASE_URL": llm.url,
            "OPENAI_LOG": "debug",
            "NEWSDESK_INDEX__EMBEDDER": "fake",
            "NEWSDESK_ANSWER__MAX_RETRIES": "0",
        }
        # The key comes from .env for the CLI runs (the environment is covered in-process below).
        (work / ".env").write_text(f"OPENAI_API_KEY={SECRET}\n", encoding="utf-8")
        runs = {
            "build": ["index", "build", "--corpus", str(SEED_CORPUS), "--store", str(work / "store")],
            "ask": ["rag", "ask", TROOPS, "--store", str(work / "store"), "--backend", "openai", "--json"],
            "eval": [
                "eval",
                "run",
                "--suite",
                str(ROOT / "eval/suites/seed.jsonl"),
                "--split",
                "dev",
                "--corpus",
                str(SEED_CORPUS),
                "--store",
                str(work / "store"),
                "--out",
                str(work / "report"),
                "--config",
                "openai",
                "--quiet",
            ],
        }
        outputs = {}
        for name, args in runs.items():
            done = subprocess.run(
                [sys.executable, "-m", *args], cwd=work, env=env, capture_output=True, text=True, timeout=600
            )
            assert done.returncode == 0, f"{name}: {done.stderr[-2000:]}"
            outputs[name] = done.stdout + done.stderr
        used = [r["headers"].get("authorization") for r in llm.requests]
    assert used and all(h == f"Bearer {SECRET}" for h in used)  # the key was really in play
    assert "offline answer" in outputs["ask"]  # the fallback happened and was reported
    for name, text in outputs.items():
        assert SECRET not in text, f"the key is in the output of {name}"
    (work / ".env").unlink()
    assert _files_holding(work, SECRET.encode()) == []
    assert (work / "report").exists() and (work / "store" / "chroma.sqlite3").exists()


def test_the_key_is_not_in_logs_or_answers_in_process(tmp_path, monkeypatch, caplog, minilm_seed_index):
    with faulty_llm(["429", "500"]) as llm:
        monkeypatch.setenv("OPENAI_API_KEY", SECRET)
        monkeypatch.setenv("OPENAI_BASE_URL", llm.url)
        settings = make_settings(tmp_path, embedder="minilm-onnx", answer={"backend": "openai", "max_retries": 1})
        assert SECRET not in repr(settings) and SECRET not in settings.model_dump_json()
        with caplog.at_level(logging.DEBUG):
            answer = rag.answer(TROOPS, settings=settings, news_index=minilm_seed_index)
    assert llm.count == 2 and answer.backend == "offline"
    assert SECRET not in caplog.text
    assert SECRET not in repr(answer) and SECRET not in str(answer.to_dict())
