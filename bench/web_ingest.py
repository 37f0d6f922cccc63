"""Web ingest: pages per second through fetch + extraction + chunking, and the share of build time outside the model.

A local HTTP server (tests/web_site.py) serves a feed of real news pages (the 27 labelled
pages of tests/data/web, each served several times with one unique paragraph added, so no
two pages are identical). Measured, in one process, after the imports:

- fetch: every page through ``Fetcher.get`` (robots.txt, caps; ``web.delay_s`` = 0 here: the
  default 1 s pause per host would be the whole story against one host);
- extract: ``extract_html_bytes`` on the fetched bodies (decoding, trafilatura, headline rule);
- chunk: clean + sentence-aware chunking of the extracted texts, as a build does;
- add: ``python -m index add FEED --no-build`` end to end (feed, fetch, extract, save records);
- build, fake embedder: ``index.build`` of those articles with the hashing fake embedder
  (wrapped in bench.ingest.ModelTimer): everything a build does except a real model;
- build, MiniLM (``--embedder minilm-onnx``): the same build with the real model; the share of
  build time that is not the embedder is ``1 - model seconds / build seconds``.

    python -m bench.web_ingest [--copies 4] [--embedder minilm-onnx] [--out bench/results/web_ingest.json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _pages(copies: int) -> list[tuple[str, bytes]]:
    """(path, html) pairs: every labelled real page ``copies`` times, each copy with its own extra paragraph."""
    from tests.web_site import real_pages

    pages = []
    for copy in range(copies):
        for label in real_pages():
            stem = label["file"].removesuffix(".html.gz")
            extra = (
                f"<p>Editor's note {copy}: this copy of the report was served by the benchmark as page {stem}-{copy}, "
                f"so that its text differs from every other page the feed lists.</p>"
            ).encode()
            html = label["html"].replace(b"</article>", extra + b"</article>", 1)
            if html == label["html"]:
                html = label["html"].replace(b"</body>", extra + b"</body>", 1)
            pages.append((f"/news/{stem}-{copy}.html", html))
    return pages


def run(copies: int, embedder: str | None, work: Path) -> dict:
    import index
    from bench.ingest import ModelTimer, warm_imports
    from index.add import add_sources
    from index.chunk import chunk_article
    from index.clean import clean_article
    from index.embedders import make_embedder
    from index.web.extract import extract_html_bytes
    from index.web.fetch import Fetcher
    from newsdesk.settings import load_settings
    from tests.web_site import NewsSite

    imports_s = warm_imports()
    import trafilatura  # noqa: F401

    pages = _pages(copies)
    result: dict = {"pages": len(pages), "html_mb": round(sum(len(h) for _, h in pages) / 1e6, 1)}
    with NewsSite() as site:
        for path, html in pages:
            site.set(path, html)
        site.feed("/feed.xml", [{"title": p, "link": site.url(p)} for p, _ in pages])
        web = {"delay_s": 0.0, "allow_private_addresses": True}  # the site is on 127.0.0.1

        started = time.perf_counter()
        with Fetcher(load_settings(web=web).web) as fetcher:
            bodies = [(site.url(p), fetcher.get(site.url(p))) for p, _ in pages]
        fetch_s = time.perf_counter() - started

        started = time.perf_counter()
        extracted = [extract_html_bytes(resp.body, url, resp.charset) for url, resp in bodies]
        extract_s = time.perf_counter() - started

        cfg = load_settings().index
        started = time.perf_counter()
        chunks = sum(
            len(chunk_article(str(i), clean_article(page.text), cfg.chunk_tokens, cfg.chunk_overlap_sentences))
            for i, page in enumerate(extracted)
        )
        chunk_s = time.perf_counter() - started

        def settings_for(name: str, embedder_name: str):
            return load_settings(
                index={"corpus_dir": str(work / "corpus"), "store_dir": str(work / name), "embedder": embedder_name},
                web=web,
            )

        started = time.perf_counter()
        report = add_sources([site.url("/feed.xml")], settings_for("store-fake", "fake"), build=False)
        add_s = time.perf_counter() - started
        assert len(report.new) == len(pages) and not report.failed, report.summary()

    def timed_build(name: str, embedder_name: str) -> dict:
        settings = settings_for(name, embedder_name)
        model = ModelTimer(make_embedder(settings))
        started = time.perf_counter()
        built = index.build(settings=settings, embedder=model)
        seconds = time.perf_counter() - started
        return {
            "embedder": embedder_name,
            "articles": built.articles,
            "chunks": built.chunks,
            "build_s": round(seconds, 2),
            "model_s": round(model.seconds, 2),
            "not_model_share": round(1 - model.seconds / seconds, 3),
            "chunks_per_s": round(built.chunks / seconds, 1),
        }

    result.update(
        imports_s=round(imports_s, 2),
        chunks=chunks,
        fetch_s=round(fetch_s, 2),
        extract_s=round(extract_s, 2),
        chunk_s=round(chunk_s, 2),
        pages_per_s={
            "fetch": round(len(pages) / fetch_s, 1),
            "extract": round(len(pages) / extract_s, 1),
            "chunk": round(len(pages) / chunk_s, 1),
            "fetch+extract+chunk": round(len(pages) / (fetch_s + extract_s + chunk_s), 1),
            "add (feed, fetch, extract, save)": round(len(pages) / add_s, 1),
        },
        add_s=round(add_s, 2),
        builds=[timed_build("store-fake", "fake")],
    )
    if embedder:
        result["builds"].append(timed_build(f"store-{embedder}", embedder))
        real = result["builds"][-1]
        total = add_s + real["build_s"]
        result["add_then_build_not_model_share"] = round(1 - real["model_s"] / total, 3)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.web_ingest", description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=4, help="times each of the 27 real pages is served")
    parser.add_argument("--embedder", default="minilm-onnx", help="real embedder for the share (or 'none')")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "web_ingest.json"))
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    work = Path(tempfile.mkdtemp(prefix="newsdesk-web-bench-"))
    try:
        result = run(args.copies, None if args.embedder == "none" else args.embedder, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result["measured"] = time.strftime("%Y-%m-%d")
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
