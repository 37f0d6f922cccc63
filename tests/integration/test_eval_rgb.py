"""The RGB suite's format end to end, from a benchmark-shaped folder, with the fast MiniLM embedder.

A subset (the first 8 questions and their snippets) keeps it quick; the full run is
`python -m eval run --suite ../shared/bench/rgb_en_fact/suite.jsonl --corpus ../shared/bench/rgb_en_fact ...`.
"""

from __future__ import annotations

import json

import pytest

from eval import load_report
from eval.__main__ import main
from tests.conftest import RGB_DIR

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not (RGB_DIR / "suite.jsonl").exists(), reason="RGB bench absent")]


def test_rgb_subset_runs_from_a_benchmark_folder(tmp_path, capsys):
    questions = [json.loads(line) for line in (RGB_DIR / "suite.jsonl").read_text().splitlines()[:8]]
    wanted = {int(q["id"].removeprefix("rgb_q")) for q in questions}
    snippets = [
        line
        for line in (RGB_DIR / "corpus.jsonl").read_text().splitlines()
        if wanted & set(json.loads(line).get("rgb_qids", []))
    ]
    bench = tmp_path / "rgb_subset"
    bench.mkdir()
    (bench / "suite.jsonl").write_text("\n".join(json.dumps(q) for q in questions) + "\n")
    (bench / "corpus.jsonl").write_text("\n".join(snippets) + "\n")
    (bench / "README.md").write_text("# not an article: the runner must not index this\n")
    config = tmp_path / "minilm.json"
    config.write_text(json.dumps({"index": {"embedder": "minilm-onnx"}}))
    code = main(
        [
            "run",
            "--suite",
            str(bench / "suite.jsonl"),
            "--corpus",
            str(bench),
            "--store",
            str(tmp_path / "store"),
            "--config",
            str(config),
            "--out",
            str(tmp_path / "run"),
            "--quiet",
        ]
    )
    assert code == 0, capsys.readouterr().err
    report = load_report(tmp_path / "run")
    assert report["n_cases"] == 8 and report["n_errors"] == 0
    assert report["index"]["articles"] == len(snippets)  # the README and the suite were not indexed
    assert report["metrics"]["retrieval.hit@5"] >= 0.75  # the gold snippets are easy to find
    assert report["metrics"]["answer.accuracy"] is not None
    assert set(report["by_type"]) == {"factoid"}
