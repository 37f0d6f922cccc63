"""The growth plot: how each cost grows with the number of chunks (bench/results/growth.png)."""

from __future__ import annotations

from pathlib import Path


def growth_plot(growth: dict, out: Path) -> Path | None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = [r for r in growth.get("runs", []) if r.get("query")]
    if len(runs) < 2:
        return None
    n = [r["query"]["chunks"] for r in runs]
    nan = float("nan")
    q = [r["query"] for r in runs]
    fig, axes = plt.subplots(2, 2, figsize=(11, 8))

    ax = axes[0][0]
    for stage, style in (("embed_query", "o--"), ("dense", "o-"), ("keyword", "s-"), ("fusion", "^-")):
        ax.plot(n, [x["stages_ms"][stage]["p50"] for x in q], style, label=stage)
    ax.plot(n, [x["retrieval_excl_embed_ms"]["p50"] for x in q], "k-", lw=2, label="retrieval excl. embedding")
    ax.plot(n, [x["brute_force"]["exact_ms"]["p50"] for x in q], "k:", label="numpy brute force (exact)")
    ax.plot(n, [x["brute_force"].get("hnsw_ms", {}).get("p50") or nan for x in q], "c:", label="Chroma HNSW alone")
    ax.plot(n, [x["answer_ms"]["p50"] for x in q], "r-", label="offline answer, end to end")
    ax.axhline(50, color="grey", lw=0.8, ls="--")
    ax.set(xscale="log", yscale="log", xlabel="chunks", ylabel="ms per query (p50)", title="Query latency")
    ax.legend(fontsize=7)

    ax = axes[0][1]
    ax.plot(n, [r["ingest"]["build_s"] for r in runs], "o-", label="build, total s")
    ax.plot(n, [r["ingest"].get("non_model_s_in_build") or nan for r in runs], "s--", label="build minus embedder, s")
    ax.plot(n, [x["open_s"] for x in q], "^-", label="open index (BM25 build), s")
    ax.set(xscale="log", yscale="log", xlabel="chunks", ylabel="seconds", title="Ingest and open")
    ax.legend(fontsize=7)

    ax = axes[1][0]
    ax.plot(n, [r["ingest"]["peak_rss_mb"] for r in runs], "o-", label="peak RSS, ingest")
    ax.plot(n, [x["peak_rss_mb"] for x in q], "s-", label="peak RSS, queries")
    ax.plot(n, [r["ingest"]["disk_mb"] for r in runs], "^--", label="index on disk")
    ax.axhline(2000, color="grey", lw=0.8, ls="--")
    ax.set(xscale="log", yscale="log", xlabel="chunks", ylabel="MB", title="Memory and disk")
    ax.legend(fontsize=7)

    ax = axes[1][1]
    for suite, style in (("seed", "o-"), ("rgb", "s-")):
        pts = [
            (c, x["quality"][suite]["hit_at_5"])
            for c, x in zip(n, q)
            if x["quality"].get(suite, {}).get("hit_at_5") is not None
        ]
        if pts:
            ax.plot(*zip(*pts), style, label=f"hit@5, {suite} suite")
    ax.plot(n, [x["brute_force"]["recall_at_20"] for x in q], "k:", label="dense stage recall@20 vs exact")
    ax.plot(n, [x["brute_force"].get("hnsw_recall_at_20") or nan for x in q], "c:", label="HNSW alone recall@20")
    ax.set(xscale="log", ylim=(0, 1.05), xlabel="chunks", ylabel="fraction", title="Quality as distractors grow")
    ax.legend(fontsize=7)

    fig.suptitle("Newsdesk growth (precomputed MiniLM sentence-mean vectors; 2 shared cores)", fontsize=10)
    fig.tight_layout()
    path = Path(out) / "growth.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
