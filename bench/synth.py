"""A deterministic growth corpus: the real seed and RGB articles plus synthetic ones.

How it is made (the README's "synthetic corpus" paragraph says the same):

1. Real part: the five seed articles (copied, file names kept) and the 969 RGB
   en_fact snippets (``corpus.jsonl`` only, ids kept). These keep the seed and
   RGB suites answerable at every size, so retrieval quality can be measured
   as distractors pile up. Together they make ~1k chunks.
2. Sentence pool: every sentence of those texts (the product's own sentence
   splitter), de-duplicated, in first-seen order.
3. Synthetic articles ``synth-000000``...: 6-16 pool sentences drawn with
   ``random.Random(seed)``, in 2-3 paragraphs, with a title (its first words),
   a date (a fixed walk over 2019-2025) and one of eight made-up outlets.
   They are added until the estimated chunk count reaches the target.

The same (target, seed) always yields byte-identical files. RGB text is only
ever written under a temporary/work folder, never into the repository.
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED_DIR = ROOT / "data" / "corpus"
RGB_DIR = ROOT.parent / "shared" / "bench" / "rgb_en_fact"
OUTLETS = tuple(f"Synthetic Wire {c}" for c in "ABCDEFGH")
_FILE_ARTICLES = 5000  # articles per jsonl file: stays far below the loader's 20 MB file limit


@dataclass(frozen=True)
class CorpusInfo:
    path: Path
    articles: int
    real_articles: int
    synthetic_articles: int
    estimated_chunks: int
    target_chunks: int


def read_rgb(rgb_dir: Path = RGB_DIR) -> list[dict]:
    """The RGB snippets (fact corpus only, never the counterfactual one)."""
    with (rgb_dir / "corpus.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _article_sentences(text: str) -> list[str]:
    from index.clean import clean_article
    from index.sentences import split_sentences

    cleaned = clean_article(text)
    out = []
    for span in cleaned.kept:
        out.extend(
            cleaned.original[s:e] for s, e in split_sentences(cleaned.original[span.start : span.end], span.start)
        )
    return out


def sentence_pool(seed_dir: Path = SEED_DIR, rgb_dir: Path = RGB_DIR) -> list[str]:
    """Distinct real sentences of the seed articles and RGB snippets, in a fixed order."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(seed_dir.glob("*.txt"))]
    texts += [row["text"] for row in read_rgb(rgb_dir)]
    seen: dict[str, None] = {}
    for text in texts:
        for sentence in _article_sentences(text):
            sentence = " ".join(sentence.split())
            if len(sentence.split()) >= 4:  # fragments like "Feb 7, 2021 ..." carry no content
                seen.setdefault(sentence, None)
    return list(seen)


def synthetic_articles(count: int, pool: list[str], seed: int = 0, start: int = 0):
    """Yield ``count`` jsonl records made of pool sentences; deterministic in (seed, start)."""
    rng = random.Random(seed)
    day0 = date(2019, 1, 1)
    for i in range(start + count):
        n = rng.randint(6, 16)
        picks = [pool[rng.randrange(len(pool))] for _ in range(n)]
        cut1, cut2 = sorted(rng.sample(range(1, n), 2))
        paragraphs = [" ".join(picks[:cut1]), " ".join(picks[cut1:cut2]), " ".join(picks[cut2:])]
        if i < start:
            continue
        words = picks[0].split()
        yield {
            "id": f"synth-{i:06d}",
            "title": " ".join(words[:8]).rstrip(".,;:"),
            "date": (day0 + timedelta(days=(i * 37) % 2500)).isoformat(),
            "source": OUTLETS[i % len(OUTLETS)],
            "url": None,
            "text": "\n\n".join(p for p in paragraphs if p),
        }


def _count_chunks(records: list[dict], chunk_tokens: int, overlap: int) -> int:
    from index.chunk import chunk_article
    from index.clean import clean_article

    return sum(len(chunk_article(r["id"], clean_article(r["text"]), chunk_tokens, overlap)) for r in records)


def real_chunks(seed_dir: Path = SEED_DIR, rgb_dir: Path = RGB_DIR, chunk_tokens: int = 90, overlap: int = 1) -> int:
    seed = [{"id": p.stem, "text": p.read_text(encoding="utf-8")} for p in sorted(seed_dir.glob("*.txt"))]
    return _count_chunks(seed, chunk_tokens, overlap) + _count_chunks(read_rgb(rgb_dir), chunk_tokens, overlap)


def chunks_per_synthetic_article(
    pool: list[str], seed: int = 0, sample: int = 300, chunk_tokens: int = 90, overlap: int = 1
) -> float:
    """Mean chunks per synthetic article, measured on the first ``sample`` of them (exact for those)."""
    records = list(synthetic_articles(sample, pool, seed))
    return _count_chunks(records, chunk_tokens, overlap) / sample


def make_corpus(
    target_chunks: int,
    out_dir: Path,
    *,
    include_rgb: bool = True,
    seed: int = 0,
    seed_dir: Path = SEED_DIR,
    rgb_dir: Path = RGB_DIR,
    chunk_tokens: int = 90,
    overlap: int = 1,
) -> CorpusInfo:
    """Write a corpus folder of about ``target_chunks`` chunks (never fewer than the real part)."""
    out_dir = Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    for path in sorted(seed_dir.glob("*.txt")):
        shutil.copyfile(path, out_dir / path.name)
    real_articles = len(list(seed_dir.glob("*.txt")))
    seed_only = [{"id": p.stem, "text": p.read_text(encoding="utf-8")} for p in sorted(seed_dir.glob("*.txt"))]
    have = _count_chunks(seed_only, chunk_tokens, overlap)
    if include_rgb:
        rgb = read_rgb(rgb_dir)
        keep = ("id", "title", "date", "source", "text")
        with (out_dir / "rgb_corpus.jsonl").open("w", encoding="utf-8") as fh:
            for row in rgb:
                fh.write(json.dumps({k: row.get(k) for k in keep}, ensure_ascii=False) + "\n")
        real_articles += len(rgb)
        have += _count_chunks(rgb, chunk_tokens, overlap)
    synthetic = 0
    if target_chunks > have:
        pool = sentence_pool(seed_dir, rgb_dir)
        per_article = chunks_per_synthetic_article(pool, seed, chunk_tokens=chunk_tokens, overlap=overlap)
        synthetic = max(1, round((target_chunks - have) / per_article))
        handle, written = None, 0
        for record in synthetic_articles(synthetic, pool, seed):
            if written % _FILE_ARTICLES == 0:
                if handle:
                    handle.close()
                handle = (out_dir / f"synth_{written // _FILE_ARTICLES:03d}.jsonl").open("w", encoding="utf-8")
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
        if handle:
            handle.close()
        have += round(synthetic * per_article)
    return CorpusInfo(out_dir, real_articles + synthetic, real_articles, synthetic, have, target_chunks)


def seed_corpus(out_dir: Path, seed_dir: Path = SEED_DIR) -> CorpusInfo:
    """Just the five seed articles."""
    info = make_corpus(0, out_dir, include_rgb=False, seed_dir=seed_dir)
    return info


def rgb_corpus_folder(out_dir: Path, rgb_dir: Path = RGB_DIR) -> Path:
    """A folder holding only a copy of RGB's corpus.jsonl (not the counterfactual file, not the suite);
    a copy, since the loader does not follow links out of a corpus folder."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    copy, source = out_dir / "corpus.jsonl", rgb_dir / "corpus.jsonl"
    if copy.is_symlink() or not copy.exists() or copy.stat().st_size != source.stat().st_size:
        copy.unlink(missing_ok=True)
        shutil.copyfile(source, copy)
    return out_dir
