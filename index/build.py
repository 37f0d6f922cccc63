"""Build or update the index: load, clean, chunk, embed, store — incrementally."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import numpy as np

from index.chunk import chunk_article
from index.clean import CLEANER_VERSION
from index.embedders import (
    Embedder,
    embed_in_batches,
    embedder_id,
    make_embedder,
    resolve_embedder,
    similarity_floor_for,
)
from index.folder import check_can_set_aside, read_generation_file, set_aside
from index.ids import article_hash
from index.load import LoadResult, load_corpus
from index.lock import build_lock
from index.records import Article, BuildReport
from index.sentencespans import article_sentence_spans
from index.store import ChromaStore
from index.stories import group_stories, inputs_from_tables
from index.tables import (
    SENTENCE_DTYPE,
    ArticleRows,
    Spill,
    assemble_tables,
    embed_distinct,
    latest_tables,
    load_tables,
    prune_tables,
    remove_leftovers,
    write_tables,
)
from newsdesk.errors import StoreError
from newsdesk.settings import Settings, load_settings

log = logging.getLogger(__name__)

# Called with (done, total) texts (chunks and sentences) as embedding progresses.
ProgressCallback = Callable[[int, int], None]


def pipeline_signature(settings: Settings) -> str:
    cfg = settings.index
    return f"clean{CLEANER_VERSION}/words{cfg.chunk_tokens}/overlap{cfg.chunk_overlap_sentences}"


def _settings_for(corpus_dir, store_dir, settings: Settings | None) -> Settings:
    settings = settings or load_settings()
    overrides = {}
    if corpus_dir is not None:
        overrides["corpus_dir"] = Path(corpus_dir)
    if store_dir is not None:
        overrides["store_dir"] = Path(store_dir)
    return settings.with_overrides(index=overrides) if overrides else settings


def build(
    corpus_dir: str | Path | None = None,
    store_dir: str | Path | None = None,
    settings: Settings | None = None,
    *,
    embedder: Embedder | None = None,
    rebuild: bool = False,
    progress: ProgressCallback | None = None,
) -> BuildReport:
    """Bring the index in line with the corpus, embedding only what changed."""
    settings = _settings_for(corpus_dir, store_dir, settings)
    cfg = settings.index
    started = time.perf_counter()
    loaded = load_corpus(cfg.corpus_dir, max_bytes=cfg.max_article_bytes)
    lap = _Laps(started)
    report = BuildReport(warnings=list(loaded.warnings))
    if rebuild and not cfg.chroma_host:
        check_can_set_aside(Path(cfg.store_dir))  # before the lock creates anything in it
    with build_lock(settings):  # first: a rebuild must not move an index another build is writing
        store, settings, previous_generation = _open_for_build(settings, rebuild, report)
        remove_leftovers(settings)  # a killed build's half-written tables
        settings = resolve_embedder(settings, store.info.get("embedder"))
        name = embedder.name if embedder is not None else embedder_id(settings)
        report.embedder = name
        store.check_embedder(name, embedder.dim if embedder is not None else None)
        pipeline = pipeline_signature(settings)
        records = store.article_records()
        current = {a.doc_id: a for a in loaded.articles}
        hashes = {a.doc_id: article_hash(a, pipeline) for a in loaded.articles}
        interrupted = store.info.get("state") == "building"
        store.set_info(state="building", embedder=name)

        removed = [doc_id for doc_id in records if doc_id not in current]
        if interrupted:  # a killed build may have left chunks with no article record
            removed += sorted(store.chunk_doc_ids() - set(records) - set(current))
        for doc_id in removed:
            store.delete_article(doc_id)
        report.removed_articles = len(removed)

        todo = [
            a
            for a in loaded.articles
            if records.get(a.doc_id) is None or records[a.doc_id].content_hash != hashes[a.doc_id]
        ]
        report.unchanged_articles = len(loaded.articles) - len(todo)
        lap("load")  # the corpus, the store's records, removals
        fresh: dict[str, ArticleRows] = {}
        spill: Spill | None = None
        try:
            if todo:
                embedder = embedder or make_embedder(settings)
                store.check_embedder(embedder.name, embedder.dim)
                report.embedder = embedder.name
                # Chunks to delete before writing: a changed article's old ones; after a killed build, any.
                replacing = None if interrupted else set(records)
                fresh, spill = _embed_and_write(
                    store, todo, loaded, hashes, settings, embedder, report, progress, replacing
                )
                lap("embed_and_write")
            regroup = bool(todo or removed or not store.info.get("stories"))
            changed = rebuild or interrupted or regroup
            report.generation = previous_generation + 1 if changed else previous_generation
            tables = None
            saved = None if changed else load_tables(settings, report.generation, report.embedder)
            if saved is None or saved.bm25 is None:  # changed, missing, or saved under other word rules
                # The next generation's tables from the last ones and what was just embedded; sentences
                # of articles no table holds are embedded now (the model is loaded only if that happens).
                tables = assemble_tables(
                    store,
                    settings,
                    report.generation,
                    report.embedder,
                    fresh=fresh,
                    previous=latest_tables(settings, report.embedder),
                    embedder=embedder or cast(Embedder, _LazyEmbedder(settings)),
                    stage=True,
                )
                lap("tables_assemble")
            if regroup:
                inputs = inputs_from_tables(tables) if tables is not None else None
                full = rebuild or interrupted or not store.info.get("stories")  # else the recorded groups hold
                groups = group_stories(
                    store,
                    similarity_floor_for(report.embedder),
                    inputs,
                    changed=None if full else {a.doc_id for a in todo},
                    removed=set(removed),
                )
                if tables is not None:
                    tables.metadatas = [
                        {**meta, "story": groups[d]["story"], "also_in": ";".join(groups[d]["also_in"])}
                        for d, meta in zip(tables.doc_ids, tables.metadatas)
                    ]
                report.story_groups = len({g["story"] for g in groups.values()})
                lap("stories")
            else:
                report.story_groups = int(store.info.get("stories", 0))
            report.articles = len(loaded.articles)
            report.chunks = store.count_chunks()
            store.set_info(
                state="complete",
                embedder=report.embedder,
                dim=embedder.dim if embedder is not None else None,
                pipeline=pipeline,
                last_build=now_iso(),
                articles=report.articles,
                chunks=report.chunks,
                stories=report.story_groups,
            )
            if tables is not None:
                try:
                    write_tables(settings, tables, replace=saved is not None)
                except OSError as exc:  # the index itself is complete: say so, and let opening read the store
                    report.warnings.append(
                        f"could not save the index's tables ({exc.strerror or exc}): opening reads the store instead "
                        f"(slower) until a build saves them"
                    )
            if changed:
                # Open indexes poll the generation (NewsIndex.is_stale) and reopen when it moves: after the tables.
                store.set_generation(report.generation)
            prune_tables(settings, keep=report.generation)
            lap("tables_write")
        finally:
            if spill is not None:
                spill.remove()  # the vectors it kept are in the tables now, or the build failed
    report.seconds = time.perf_counter() - started
    report.phases = lap.seconds
    return report


class _Laps:
    """Seconds per build phase (what is not named is counted in the next named lap)."""

    def __init__(self, started: float):
        self._last = started
        self.seconds: dict[str, float] = {}

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = round(self.seconds.get(name, 0.0) + now - self._last, 3)
        self._last = now


class _LazyEmbedder:
    """The index's embedder, loaded only if something is left to embed."""

    def __init__(self, settings: Settings):
        self._settings = settings
        self._model: Embedder | None = None
        self.name = embedder_id(settings)

    @property
    def similarity_floor(self) -> float:
        return self._loaded().similarity_floor

    def _loaded(self) -> Embedder:
        if self._model is None:
            self._model = make_embedder(self._settings)
        return self._model

    @property
    def dim(self) -> int:
        return self._loaded().dim

    def embed_passages(self, texts):
        return self._loaded().embed_passages(texts)

    def embed_query(self, text: str):
        return self._loaded().embed_query(text)


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _open_for_build(settings: Settings, rebuild: bool, report: BuildReport) -> tuple[ChromaStore, Settings, int]:
    """The store to write, under the build lock, with the generation before this build.

    ``rebuild``, or an index an earlier Newsdesk wrote (schema below SCHEMA_VERSION): the old
    index is set aside (local) or dropped (server) first, and its generation carried on.
    """
    cfg = settings.index
    local = not cfg.chroma_host
    previous = (read_generation_file(Path(cfg.store_dir)) or 0) if local else 0
    if not rebuild:
        store = ChromaStore(settings, create=True)
        if not store.schema_outdated:
            return store, settings, max(previous, store.generation)
        report.warnings.append("the index was built by an earlier version of Newsdesk: building it again")
        settings = resolve_embedder(settings, store.info.get("embedder"))  # with the model it was built with
        previous = max(previous, store.generation)
        if local:
            check_can_set_aside(Path(cfg.store_dir))
    if local:
        moved = set_aside(Path(cfg.store_dir))
        if moved:
            report.warnings.append(f"previous index moved to {moved}")
        return ChromaStore(settings, create=True), settings, previous
    store = ChromaStore(settings, create=True)
    previous = max(previous, store.generation)
    _drop_collections(store, settings)
    return ChromaStore(settings, create=True), settings, previous


def _embed_and_write(
    store: ChromaStore,
    todo: list[Article],
    loaded: LoadResult,
    hashes: dict[str, str],
    settings: Settings,
    embedder: Embedder,
    report: BuildReport,
    progress: ProgressCallback | None,
    replacing: set[str] | None = None,
) -> tuple[dict[str, ArticleRows], Spill]:
    """Embed the articles' chunks and sentences, write the chunks to the store; return the rows for the tables
    (their vectors kept on disk by the returned spill, which the caller removes)."""
    cfg = settings.index
    planned = []
    for a in todo:
        chunks = chunk_article(a.doc_id, loaded.cleaned_text(a), cfg.chunk_tokens, cfg.chunk_overlap_sentences)
        planned.append((a, chunks, article_sentence_spans(chunks)))
    total = sum(len(chunks) + len(spans) for _, chunks, spans in planned)
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    spill = Spill(settings)
    try:
        return _embed_groups(planned, store, hashes, cfg, embedder, report, advance, spill, replacing), spill
    except BaseException:
        spill.remove()
        raise


def _embed_groups(
    planned, store: ChromaStore, hashes, cfg, embedder: Embedder, report, advance, spill: Spill, replacing=None
):
    """Embed several articles' chunks per call (small articles make tiny batches), and write
    up to index.write_batch_chunks (~1k) at once: Chroma's per-call cost is large. One group
    is written in a thread while the next one embeds, at most one write in flight, in corpus
    order: the model's own compute overlaps the write (onnxruntime releases the GIL), Python
    work does not (Chroma 1.5.9's add holds the GIL throughout: bench/README.md). At least ~8 groups, so that small
    builds overlap too and the last write, which nothing overlaps, stays short."""
    group_size = max(cfg.embed_batch_size, min(cfg.write_batch_chunks, sum(len(c) for _, c, _ in planned) // 8))
    group: list[tuple[Article, list, list]] = []
    pending = 0
    fresh: dict[str, ArticleRows] = {}
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="index-write") as writer:
        in_flight: Future | None = None
        for article, chunks, spans in planned + [(None, [], [])]:
            if article is not None:
                group.append((article, chunks, spans))
                pending += len(chunks)
            if group and (pending >= group_size or article is None):
                texts = [c.text for _, cs, _ in group for c in cs]
                vectors = embed_in_batches(embedder, texts, cfg.embed_batch_size, on_batch=advance)
                batch, offset = [], 0
                for art, cs, _ in group:
                    batch.append((art, hashes[art.doc_id], cs, vectors[offset : offset + len(cs)]))
                    offset += len(cs)
                if in_flight is not None:
                    in_flight.result()  # a failed write stops the build here, before anything later is written
                in_flight = writer.submit(store.write_articles, batch, replacing)
                rows = _with_sentences(batch, group, embedder, cfg.embed_batch_size, advance, report)
                fresh.update(spill.keep(rows))
                report.embedded_articles += len(group)
                report.embedded_chunks += len(texts)
                group, pending = [], 0
        if in_flight is not None:
            in_flight.result()
    return fresh


def _with_sentences(
    batch, group, embedder: Embedder, batch_size: int, advance, report: BuildReport
) -> dict[str, ArticleRows]:
    """The group's rows for the tables, with a vector for every sentence the reader will see.

    A sentence that is a whole chunk takes the chunk's vector; a sentence repeated in the
    group (copies of one story) is embedded once.
    """
    chunk_vector = {c.text: v for (_, _, cs, vs) in batch for c, v in zip(cs, vs)}
    texts = [art.text[s:e] for art, _, spans in group for s, e in spans]
    todo = [t for t in texts if t not in chunk_vector]
    embedded = embed_distinct(embedder, todo, batch_size, on_batch=advance)
    vector_of = dict(zip(todo, embedded))
    report.embedded_sentences += len(vector_of)
    advance(len(texts) - len(set(todo)))  # taken from a chunk or a repeat: done without the model
    out, at = {}, 0
    for (art, content_hash, cs, vs), (_, _, spans) in zip(batch, group):
        sentence_vectors = [chunk_vector.get(t, vector_of.get(t)) for t in texts[at : at + len(spans)]]
        at += len(spans)
        out[art.doc_id] = ArticleRows(
            content_hash,
            np.array([c.index for c in cs], dtype=np.int32),
            np.array([c.start for c in cs], dtype=np.int64),
            np.array([c.end for c in cs], dtype=np.int64),
            np.asarray(vs, dtype=np.float32),
            np.array([s for s, _ in spans], dtype=np.int64),
            np.array([e for _, e in spans], dtype=np.int64),
            np.asarray(sentence_vectors, dtype=SENTENCE_DTYPE).reshape(len(spans), embedder.dim),
        )
    return out


def _drop_collections(store: ChromaStore, settings: Settings) -> None:
    for suffix in ("articles", "chunks"):
        try:
            store.client.delete_collection(f"{settings.index.collection}-{suffix}")
        except Exception as exc:  # absent already
            log.debug("drop %s: %s", suffix, exc)


def status(settings: Settings | None = None, *, check_corpus: bool = True) -> dict:
    """Articles, chunks, embedder, last build, and whether the corpus changed since."""
    settings = settings or load_settings()
    store = ChromaStore(settings, create=False)
    info = store.info
    result = {
        "location": store.location,
        "articles": len(store.article_records()),
        "chunks": store.count_chunks(),
        "embedder": info.get("embedder"),
        "last_build": info.get("last_build"),
        "stories": info.get("stories"),
        "complete": info.get("state") == "complete",
        "generation": store.generation,
    }
    if check_corpus:
        try:
            loaded = load_corpus(settings.index.corpus_dir, settings.index.max_article_bytes)
            pipeline = pipeline_signature(settings)
            want = {a.doc_id: article_hash(a, pipeline) for a in loaded.articles}
            have = {d: r.content_hash for d, r in store.article_records().items()}
            result["stale"] = want != have or not result["complete"]
            result["changed"] = sorted(d for d in want if have.get(d) != want[d])
            result["removed"] = sorted(set(have) - set(want))
        except StoreError:
            raise
        except Exception as exc:  # corpus unreadable: report, don't fail status
            result["stale"] = None
            result["corpus_error"] = str(exc)
    return result
