"""An incremental build at scale: 10 articles added to an index of the growth corpus, built model-free.

    python -m bench.incremental --store bench/work/storecost/100k --corpus bench/work/corpora/100k [--add 10]

The corpus folder is mirrored by hard links (the loader does not follow symbolic links out of
a corpus folder) into ``<corpus>-plus<N>`` with one more
JSON Lines file holding N new articles (copies of the first synthetic ones under new ids, so
each joins its original's story group), and the index (built from ``--corpus`` by
``bench.storecost --embedder hashed``) is brought up to date with the same model-free
embedder. Prints the build report: seconds per phase, articles embedded, story groups.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def mirror_with_new_articles(corpus: Path, add: int) -> Path:
    target = corpus.parent / f"{corpus.name}-plus{add}"
    target.mkdir(exist_ok=True)
    for entry in corpus.iterdir():
        link = target / entry.name
        if not link.exists():
            os.link(entry, link)
    source = next(p for p in sorted(corpus.glob("*.jsonl")) if "synth" in p.name)
    rows = []
    with open(source, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            rows.append({**row, "id": f"{row['id']}-copy"})
            if len(rows) == add:
                break
    (target / "zz_added.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.incremental", description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--add", type=int, default=10)
    args = parser.parse_args(argv)
    import index
    from bench.child import load_average, peak_rss_mb
    from bench.ingest import ModelTimer, warm_imports
    from bench.storecost import HashedEmbedder
    from newsdesk.settings import load_settings

    corpus = mirror_with_new_articles(Path(args.corpus), args.add)
    warm_imports()
    settings = load_settings(index={"store_dir": args.store, "corpus_dir": str(corpus)})
    embedder = ModelTimer(HashedEmbedder())
    report = index.build(settings=settings, embedder=embedder)
    print(
        json.dumps(
            {
                "added": args.add,
                "articles": report.articles,
                "embedded_articles": report.embedded_articles,
                "build_s": round(report.seconds, 3),
                "model_s": round(embedder.seconds, 3),
                "phases_s": report.phases,
                "story_groups": report.story_groups,
                "peak_rss_mb": peak_rss_mb(),
                "load_avg": load_average(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
