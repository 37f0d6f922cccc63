"""Generated answers (two cases) and the LLM support judge, against a real OpenAI-compatible server on loopback
(llama-cpp-python serving SmolLM2-135M; skipped when .venv-llm is absent)."""

from __future__ import annotations

import json

import pytest

import eval
from tests.conftest import ROOT, make_settings
from tests.integration.servers import llama_cpp_server

pytestmark = pytest.mark.slow


def test_llm_answers_and_llm_judge_are_reported_honestly(tmp_path):
    seed = ROOT / "eval" / "suites" / "seed.jsonl"
    suite = tmp_path / "three.jsonl"
    rows = [json.loads(line) for line in seed.read_text().splitlines()]
    suite.write_text("\n".join(json.dumps(r) for r in rows if r["id"] in ("seed-006", "seed-074")))
    with llama_cpp_server(tmp_path) as url:
        settings = make_settings(
            tmp_path,
            embedder="minilm-onnx",
            answer={
                "backend": "openai",
                "openai_base_url": url,
                "openai_model": "smollm2",
                "max_tokens": 80,
                "timeout_s": 240,
                "max_total_wait_s": 400,
            },
            retrieval={"top_k": 3},
        )
        report = eval.run(suite, settings, judge="llm", out=tmp_path / "run")
    assert report.n_cases == 2 and report.judge.startswith("llm:smollm2")
    assert report.settings["answer"]["backend"] == "openai"
    for row in report.rows:
        # each case is scored or an error with its message; a tiny model may fail to say yes/no
        assert row["status"] == "ok" or row["error"], row
        if row["status"] == "ok":
            assert row["backend"] in ("offline", "openai:smollm2") or row["backend"].startswith("openai")
    assert report.n_scored + report.n_errors == 2
    assert sum(report.backends.values()) == report.n_scored  # fallbacks to offline are counted, not hidden
    assert (tmp_path / "run" / "report.json").exists()
