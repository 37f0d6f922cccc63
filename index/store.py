"""The Chroma store: chunk vectors (through llama-index) and one record per article.

Two collections per index: ``<name>-chunks`` holds chunk vectors and their
metadata, written through llama-index's ``ChromaVectorStore``; ``<name>-articles``
holds each article's original text, metadata and content hash. An article
record is written only after all its chunks are, so it is the commit marker
that makes a killed build resumable.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index.records import Article, Chunk
from newsdesk.errors import EmbedderMismatch, IndexMissing, StoreError
from newsdesk.settings import Settings

SCHEMA_VERSION = 1
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


WRITE_BATCH = 4096  # rows per Chroma write: above its max batch size (5461 here) a write fails


def _chroma_settings():
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def describe_location(settings: Settings) -> str:
    cfg = settings.index
    if cfg.chroma_host:
        return f"Chroma server {cfg.chroma_host}:{cfg.chroma_port} (collection {cfg.collection})"
    return f"{cfg.store_dir}"


def open_client(settings: Settings, create: bool, fresh: bool = False):
    """A Chroma client for the configured place, or a StoreError saying what is wrong.

    ``fresh``: not the client this process cached for the folder, which may still read files a
    rebuild has since moved aside (the cached one keeps serving whoever holds it).
    """
    import chromadb

    cfg = settings.index
    if cfg.chroma_host:
        try:
            client = chromadb.HttpClient(host=cfg.chroma_host, port=cfg.chroma_port, settings=_chroma_settings())
            client.heartbeat()
            return client
        except Exception as exc:
            raise StoreError(
                f"cannot reach the Chroma server at {cfg.chroma_host}:{cfg.chroma_port} ({type(exc).__name__})"
            ) from None
    path = Path(cfg.store_dir)
    if not create and not (path / "chroma.sqlite3").exists():
        raise IndexMissing(f"no index at {path}: build it with `python -m index build`")
    if path.exists() and not path.is_dir():
        raise StoreError(f"index path {path} is a file, not a folder")
    if fresh:
        _forget_client(str(path), stop=False)
    try:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
    except Exception as exc:
        _forget_client(str(path))
        raise StoreError(
            f"the index at {path} is unreadable ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}); "
            f"rebuild it with `python -m index build --rebuild`"
        ) from None


def _forget_client(path: str, stop: bool = True) -> None:
    """Chroma caches one system per path, even a half-built one; drop it so a retry starts clean.

    ``stop=False`` leaves it running for whoever still holds it (an open index reading moved-aside files).
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    system = SharedSystemClient._identifier_to_system.pop(path, None)
    SharedSystemClient._identifier_to_refcount.pop(path, None)
    if system is not None and stop:
        try:
            system.stop()
        except Exception:  # it was broken already
            pass


# Chroma's on-disk cost of one chunk, measured: ~14 kB with 64-d vectors and ~600 bytes of text
# (SQLite rows, the write-ahead log, full-text index, HNSW). Estimate generously; compaction needs room too.
_BYTES_PER_CHUNK_BASE = 12_000
_BYTES_PER_VECTOR_FLOAT = 16
_NEARLY_FULL_MB = 16


def _free_mb(path: Path) -> float:
    try:
        return shutil.disk_usage(path).free / 1e6
    except OSError:
        return float("inf")


def _disk_full_error(path: Path, free_mb: float, more: str = "") -> StoreError:
    return StoreError(
        f"not enough free space for the index at {path} ({free_mb:.0f} MB free{more}): "
        f"free some space, then run `python -m index build` again (it resumes where it stopped)"
    )


def _lost_store(exc: BaseException) -> bool:
    """A transport failure (server gone, connection reset, timeout), not a bad request."""
    import httpx

    return isinstance(exc, httpx.TransportError | ConnectionError | TimeoutError)


class _GuardedCollection:
    """A Chroma collection whose calls turn a lost server into a StoreError.

    The wrapped collection keeps its id and client, so the same object answers
    again once the server is back: no restart of the app is needed.
    """

    def __init__(self, collection, location: str, local_dir: Path | None, reserve_mb: float):
        self._collection = collection
        self._location = location
        self._local_dir = local_dir
        self._reserve_mb = reserve_mb

    def __getattr__(self, name: str):
        attr = getattr(self._collection, name)
        if not callable(attr):
            return attr

        @functools.wraps(attr)
        def call(*args, **kwargs):
            try:
                return attr(*args, **kwargs)
            except Exception as exc:
                if _lost_store(exc):
                    raise StoreError(
                        f"lost the connection to the index at {self._location} ({type(exc).__name__}); "
                        f"try again when it is back"
                    ) from None
                if self._local_dir is not None and "chromadb" in type(exc).__module__:
                    free = _free_mb(self._local_dir)
                    # Chroma says "failed to apply logs", not "disk full"; a write can fail with a few MB left.
                    if free < max(_NEARLY_FULL_MB, self._reserve_mb):
                        raise _disk_full_error(self._local_dir, free) from None
                    first = (str(exc).splitlines() or [""])[0]
                    raise StoreError(
                        f"the index at {self._location} failed ({type(exc).__name__}: {first}); if this persists, "
                        f"rebuild it with `python -m index build --rebuild`"
                    ) from None
                raise

        return call


@dataclass(frozen=True)
class ArticleRecord:
    doc_id: str
    content_hash: str
    n_chunks: int
    metadata: dict


def article_hash(article: Article, pipeline: str) -> str:
    """Changes whenever the text, the metadata or the chunking settings change."""
    payload = json.dumps(
        [article.text, article.title, article.date, article.source, article.url, article.byline, pipeline],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def chunk_id(doc_id: str, content_hash: str, index: int) -> str:
    return f"{doc_id}#{content_hash[:12]}#{index}"


def doc_id_of_chunk(chunk_id: str) -> str:
    return chunk_id.rsplit("#", 2)[0]  # a doc id may hold "#"; the hash and the index do not


def _chunk_metadata(article: Article, chunk: Chunk, content_hash: str) -> dict:
    meta = {"start": chunk.start, "end": chunk.end, "chunk_index": chunk.index, "content_hash": content_hash}
    for key in ("title", "date", "source", "url"):
        value = getattr(article, key)
        if value:
            meta[key] = value
    if article.date:
        meta["date_int"] = int(article.date.replace("-", ""))
    return meta


def _article_metadata(article: Article, content_hash: str, n_chunks: int) -> dict:
    meta = {"content_hash": content_hash, "n_chunks": n_chunks, "path": article.path}
    for key in ("title", "date", "source", "url", "byline"):
        value = getattr(article, key)
        if value:
            meta[key] = value
    return meta


class ChromaStore:
    """Reads and writes one Newsdesk index in Chroma."""

    def __init__(self, settings: Settings, create: bool = False, fresh: bool = False):
        self.settings = settings
        self.location = describe_location(settings)
        self.client = open_client(settings, create, fresh)
        name = settings.index.collection
        try:
            if create:
                self.articles = self.client.get_or_create_collection(f"{name}-articles")
                self.chunks = self.client.get_or_create_collection(f"{name}-chunks", metadata={"hnsw:space": "cosine"})
            else:
                self.articles = self.client.get_collection(f"{name}-articles")
                self.chunks = self.client.get_collection(f"{name}-chunks")
            local = None if settings.index.chroma_host else Path(settings.index.store_dir)
            self.articles = _GuardedCollection(self.articles, self.location, local, settings.index.min_free_mb)
            self.chunks = _GuardedCollection(self.chunks, self.location, local, settings.index.min_free_mb)
        except StoreError:
            raise
        except Exception as exc:
            if not create and ("does not exist" in str(exc) or "NotFound" in type(exc).__name__):
                raise IndexMissing(f"no index in {self.location}: build it with `python -m index build`") from None
            raise StoreError(
                f"the index in {self.location} is unreadable ({type(exc).__name__}); "
                f"rebuild it with `python -m index build --rebuild`"
            ) from None
        self._vector_store = None

    @property
    def vector_store(self):
        """llama-index's view of the chunk collection (imported lazily: it costs seconds)."""
        if self._vector_store is None:
            from llama_index.vector_stores.chroma import ChromaVectorStore

            self._vector_store = ChromaVectorStore(chroma_collection=self.chunks)
        return self._vector_store

    # -- build info -------------------------------------------------------
    @property
    def info(self) -> dict:
        return dict(self.articles.metadata or {})

    def set_info(self, **values) -> None:
        info = self.info
        info.update({k: v for k, v in values.items() if v is not None})
        info["schema"] = SCHEMA_VERSION
        self.articles.modify(metadata=info)

    @property
    def generation(self) -> int:
        """Bumped by every build that changes what the index holds, and by ``--rebuild``."""
        return int(self.info.get("generation") or 0)

    def set_generation(self, generation: int) -> None:
        """Record a new generation: in the store, then (local stores) in the small file open indexes poll."""
        self.set_info(generation=generation)
        if not self.settings.index.chroma_host:
            write_generation_file(Path(self.settings.index.store_dir), generation)

    def current_generation(self) -> int | None:
        """The generation as it is now, read again (not the one seen at open); None when unknown.

        Local stores read one small file by path, so a rebuild that moved the old files aside is seen;
        server stores read the articles collection's metadata (one request).
        """
        if not self.settings.index.chroma_host:
            return read_generation_file(Path(self.settings.index.store_dir))
        try:
            meta = self.client.get_collection(f"{self.settings.index.collection}-articles").metadata or {}
        except Exception:  # server away, collection dropped by a rebuild in progress: unknown
            return None
        return int(meta["generation"]) if "generation" in meta else None

    def check_embedder(self, embedder_name: str, dim: int | None = None) -> None:
        stored = self.info.get("embedder")
        if stored and stored != embedder_name:
            raise EmbedderMismatch(
                f"the index was built with embedder {stored!r}, not {embedder_name!r}: "
                f"use the same embedder, or rebuild with `python -m index build --rebuild --embedder ...`"
            )
        if dim is not None and self.info.get("dim") not in (None, dim):
            raise EmbedderMismatch(f"the index holds {self.info['dim']}-d vectors, the embedder makes {dim}-d ones")

    # -- reading ------------------------------------------------------------
    _PAGE = 5000  # one get() over ~32k+ rows fails in Chroma's SQLite: "too many SQL variables"

    def get_all(self, collection, include: list[str], where: dict | None = None) -> dict:
        """Every row of a collection, read a page at a time."""
        out: dict = {"ids": [], **{k: [] for k in include}}
        total = collection.count()
        for offset in range(0, max(total, 1), self._PAGE):
            got = collection.get(include=include, limit=self._PAGE, offset=offset, where=where)
            for key in out:
                out[key].extend(got[key] if got[key] is not None else [])
        return out

    def article_records(self) -> dict[str, ArticleRecord]:
        got = self.get_all(self.articles, ["metadatas"])
        return {
            doc_id: ArticleRecord(doc_id, meta.get("content_hash", ""), int(meta.get("n_chunks", 0)), meta)
            for doc_id, meta in zip(got["ids"], got["metadatas"])
        }

    def article(self, doc_id: str) -> Article | None:
        got = self.articles.get(ids=[doc_id], include=["metadatas", "documents"])
        if not got["ids"]:
            return None
        return _to_article(doc_id, got["documents"][0], got["metadatas"][0])

    def all_articles(self) -> list[Article]:
        got = self.get_all(self.articles, ["metadatas", "documents"])
        return sorted(
            (_to_article(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])),
            key=lambda a: a.doc_id,
        )

    def all_chunks(self) -> tuple[list[str], list[str], list[dict]]:
        """(ids, texts, metadatas) of every chunk, for keyword indexing."""
        got = self.get_all(self.chunks, ["documents", "metadatas"])
        return got["ids"], got["documents"], got["metadatas"]

    def all_chunks_with_vectors(self) -> tuple[list[str], list[str], list[dict], np.ndarray]:
        """(ids, texts, metadatas, vectors) of every chunk, in one pass, for an in-memory table."""
        got = self.get_all(self.chunks, ["documents", "metadatas", "embeddings"])
        dim = int(self.info.get("dim") or 0)
        vectors = (
            np.asarray(got["embeddings"], dtype=np.float32)
            if got["embeddings"]
            else np.zeros((0, dim), dtype=np.float32)
        )
        return got["ids"], got["documents"], got["metadatas"], vectors

    def chunk_vectors_by_doc(self) -> tuple[np.ndarray, dict[str, list[int]]]:
        """Every chunk vector in one matrix, and each article's rows in it.

        Reads vectors only, a page at a time (the article comes from the chunk id):
        with metadata, one read of 100k chunks peaked above 2 GB.
        """
        pages: list[np.ndarray] = []
        rows: dict[str, list[int]] = {}
        total, seen = self.chunks.count(), 0
        for offset in range(0, total, self._PAGE):
            got = self.chunks.get(include=["embeddings"], limit=self._PAGE, offset=offset)
            if not got["ids"]:
                break
            pages.append(np.asarray(got["embeddings"], dtype=np.float32))
            for i, cid in enumerate(got["ids"]):
                rows.setdefault(doc_id_of_chunk(cid), []).append(seen + i)
            seen += len(got["ids"])
        dim = int(self.info.get("dim") or 0)
        return (np.concatenate(pages) if pages else np.zeros((0, dim), dtype=np.float32)), rows

    def chunk_doc_ids(self) -> set[str]:
        got = self.get_all(self.chunks, ["metadatas"])
        return {m.get("document_id") for m in got["metadatas"]}

    def count_chunks(self) -> int:
        return self.chunks.count()

    # -- writing --------------------------------------------------------------
    def delete_article(self, doc_id: str) -> None:
        """Chunks first, record last: a crash in between leaves a re-doable state."""
        self.vector_store.delete(ref_doc_id=doc_id)
        self.articles.delete(ids=[doc_id])

    def check_free_space(self, batch: list[tuple[Article, str, list[Chunk], np.ndarray]]) -> None:
        """Refuse a write that would leave less than min_free_mb on the index's disk.

        A write that hits a full disk leaves Chroma unreadable until space is freed;
        stopping before it keeps the index (and everything committed so far) usable.
        """
        cfg = self.settings.index
        if cfg.chroma_host:
            return  # the server's disk, not ours
        chunks = [c for _, _, cs, _ in batch for c in cs]
        dim = int(np.asarray(batch[0][3]).shape[-1]) if batch and len(batch[0][3]) else 0
        need = sum(len(a.text.encode("utf-8")) for a, _, _, _ in batch) + sum(
            _BYTES_PER_CHUNK_BASE + len(c.text.encode("utf-8")) + _BYTES_PER_VECTOR_FLOAT * dim for c in chunks
        )
        free = _free_mb(Path(cfg.store_dir))
        if free - need / 1e6 < cfg.min_free_mb:
            raise _disk_full_error(
                Path(cfg.store_dir),
                free,
                f"; this batch needs ~{need / 1e6:.0f} MB and builds keep {cfg.min_free_mb} MB free",
            )

    def write_articles(self, batch: list[tuple[Article, str, list[Chunk], np.ndarray]]) -> None:
        """Replace the chunks of each article, then write its record (the commit marker)."""
        from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

        self.check_free_space(batch)

        # The old version, or a killed build's partial one, goes first: one delete for the batch
        # (per-article deletes cost 28% of a 10k-article build, measured in bench/).
        self.chunks.delete(where={"document_id": {"$in": [a.doc_id for a, _, _, _ in batch]}})
        nodes = []
        for article, content_hash, chunks, vectors in batch:
            for chunk, vector in zip(chunks, vectors):
                node = TextNode(
                    id_=chunk_id(article.doc_id, content_hash, chunk.index),
                    text=chunk.text,
                    metadata=_chunk_metadata(article, chunk, content_hash),
                    embedding=np.asarray(vector, dtype=np.float32).tolist(),
                    relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=article.doc_id)},
                )
                nodes.append(node)
        for start in range(0, len(nodes), WRITE_BATCH):  # one huge article can exceed Chroma's max batch
            self.vector_store.add(nodes[start : start + WRITE_BATCH])
        records = [(a, h, c, v) for a, h, c, v in batch]
        self.articles.upsert(
            ids=[a.doc_id for a, _, _, _ in records],
            documents=[a.text for a, _, _, _ in records],
            metadatas=[_article_metadata(a, h, len(c)) for a, h, c, _ in records],
            embeddings=[_mean_vector(v) for _, _, _, v in records],
        )


def _mean_vector(vectors: np.ndarray) -> list[float]:
    mean = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    norm = float(np.linalg.norm(mean)) or 1.0
    return [float(x) for x in mean / norm]


def _to_article(doc_id: str, text: str, meta: dict) -> Article:
    return Article(
        doc_id=doc_id,
        text=text or "",
        path=meta.get("path", ""),
        title=meta.get("title") or None,
        date=meta.get("date") or None,
        source=meta.get("source") or None,
        url=meta.get("url") or None,
        byline=meta.get("byline") or None,
    )


GENERATION_FILE = "generation"


def read_generation_file(store_dir: Path) -> int | None:
    """The generation a local index folder records; None when the file is missing (mid-rebuild) or unreadable."""
    try:
        return int((Path(store_dir) / GENERATION_FILE).read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def write_generation_file(store_dir: Path, generation: int) -> None:
    """Written whole or not at all (rename), so a reader never sees half a number."""
    path = Path(store_dir) / GENERATION_FILE
    tmp = path.with_name(f".{GENERATION_FILE}.{os.getpid()}.tmp")
    tmp.write_text(f"{generation}\n", encoding="ascii")
    os.replace(tmp, path)


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@contextmanager
def build_lock(settings: Settings):
    """One writer per index: a second build refuses at once with a clear message."""
    cfg = settings.index
    if cfg.chroma_host:
        key = hashlib.sha1(f"{cfg.chroma_host}:{cfg.chroma_port}/{cfg.collection}".encode()).hexdigest()[:16]
        path = Path(tempfile.gettempdir()) / f"newsdesk-build-{key}.lock"
    else:
        Path(cfg.store_dir).mkdir(parents=True, exist_ok=True)
        path = Path(cfg.store_dir) / "build.lock"
    handle = open(path, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise StoreError(
                f"another build is writing this index ({holder}); try again when it has finished"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()
