"""The Chroma store: chunk vectors and one record per article, in Newsdesk's own schema (index/schema.py).

Two collections per index: ``<name>-chunks`` holds chunk vectors and the few
fields read from them; ``<name>-articles`` holds each article's original text,
metadata and content hash. An article record is written only after all its
chunks are, so it is the commit marker that makes a killed build resumable.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.chroma import describe_location, open_client
from index.diskspace import check_room_for
from index.folder import read_generation_file, write_generation_file
from index.guarded import GuardedCollection
from index.ids import chunk_id, doc_id_of_chunk
from index.records import Article, Chunk
from index.schema import (
    CHUNK_DOC_ID,
    SCHEMA_VERSION,
    article_from_record,
    article_metadata,
    chunk_metadata,
    split_article_record,
)
from newsdesk.errors import EmbedderMismatch, IndexMissing, StoreError
from newsdesk.settings import Settings


@dataclass(frozen=True)
class ChunkRows:
    """Every chunk of an index as columns: its id, article, span of the article's text, and unit vector."""

    ids: list[str]
    doc_ids: list[str]
    starts: np.ndarray
    ends: np.ndarray
    vectors: np.ndarray


@dataclass(frozen=True)
class ArticleRecord:
    doc_id: str
    content_hash: str
    n_chunks: int
    metadata: dict


# Nothing asks Chroma for an article's nearest neighbours (story grouping finds them exactly in process,
# index/stories.py), yet Chroma indexes every vector it holds: the articles' graph is made as cheap as it allows.
# At ~100k chunks their 41k records took 53 s to write with the default graph (M 16, ef_construction 100).
ARTICLE_VECTOR_INDEX = {"max_neighbors": 2, "ef_construction": 2}


class ChromaStore:
    """Reads and writes one Newsdesk index in Chroma."""

    WRITE_PAGE = 4096  # rows per Chroma write or query: above its max batch size (5461 here) a call fails

    def __init__(self, settings: Settings, create: bool = False, fresh: bool = False):
        self.settings = settings
        self.location = describe_location(settings)
        self.client = open_client(settings, create, fresh)
        name = settings.index.collection
        try:
            if create:
                # An existing collection keeps the configuration it was created with (Chroma ignores this one).
                self.articles = self.client.get_or_create_collection(
                    f"{name}-articles", configuration={"hnsw": ARTICLE_VECTOR_INDEX}
                )
                self.chunks = self.client.get_or_create_collection(f"{name}-chunks", metadata={"hnsw:space": "cosine"})
            else:
                self.articles = self.client.get_collection(f"{name}-articles")
                self.chunks = self.client.get_collection(f"{name}-chunks")
            local = None if settings.index.chroma_host else Path(settings.index.store_dir)
            self.articles = GuardedCollection(self.articles, self.location, local, settings.index.min_free_mb)
            self.chunks = GuardedCollection(self.chunks, self.location, local, settings.index.min_free_mb)
        except StoreError:
            raise
        except Exception as exc:
            if not create and ("does not exist" in str(exc) or "NotFound" in type(exc).__name__):
                raise IndexMissing(f"no index in {self.location}: build it with `python -m index build`") from None
            raise StoreError(
                f"the index in {self.location} is unreadable ({type(exc).__name__}); "
                f"rebuild it with `python -m index build --rebuild`"
            ) from None

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

    @property
    def schema_outdated(self) -> bool:
        """Built by an earlier Newsdesk, whose chunk rows this one does not read."""
        return int(self.info.get("schema") or SCHEMA_VERSION) < SCHEMA_VERSION

    def check_schema(self) -> None:
        if self.schema_outdated:
            raise StoreError(
                f"the index in {self.location} was built by an earlier version of Newsdesk: "
                f"update it with `python -m index build`"
            )

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
            if len(got["ids"]) < self._PAGE:  # the last page (a filter may stop long before the total)
                break
        return out

    def article_records(self) -> dict[str, ArticleRecord]:
        got = self.get_all(self.articles, ["metadatas"])
        out = {}
        for doc_id, packed in zip(got["ids"], got["metadatas"]):
            _, meta = split_article_record(packed)  # the hash is what is compared
            out[doc_id] = ArticleRecord(doc_id, meta.get("content_hash", ""), int(meta.get("n_chunks", 0)), meta)
        return out

    def all_articles(self) -> list[Article]:
        ids, texts, metadatas = self.article_rows()
        return sorted((article_from_record(*row) for row in zip(ids, texts, metadatas)), key=lambda a: a.doc_id)

    def article_rows(self) -> tuple[list[str], list[str], list[dict]]:
        """(doc ids, texts, metadata) of every article record, in one paged read."""
        got = self.get_all(self.articles, ["metadatas"])
        parts = [split_article_record(m) for m in got["metadatas"]]
        return list(got["ids"]), [t for t, _ in parts], [m for _, m in parts]

    _IDS_PER_FILTER = 500  # doc ids per "$in" filter: SQLite bounds the variables of one statement

    def chunk_rows(self, doc_ids: list[str] | None = None, texts: dict[str, str] | None = None) -> ChunkRows:
        """The chunks of these articles (every chunk when None): id, article, span and vector, read paged.

        Spans come from the rows when they hold them (schema 3), else are cut again from the articles'
        ``texts`` (read from the store when not given) by the index's chunking rules.
        """
        if doc_ids is None:
            got = self.get_all(self.chunks, ["metadatas", "embeddings"])
        else:
            got = {"ids": [], "metadatas": [], "embeddings": []}
            for start in range(0, len(doc_ids), self._IDS_PER_FILTER):
                where = {CHUNK_DOC_ID: {"$in": doc_ids[start : start + self._IDS_PER_FILTER]}}
                part = self.get_all(self.chunks, ["metadatas", "embeddings"], where=where)
                for key in got:
                    got[key].extend(part[key])
        dim = int(self.info.get("dim") or 0)
        row_doc_ids = [m[CHUNK_DOC_ID] for m in got["metadatas"]]
        if all("start" in m for m in got["metadatas"]):
            starts = [m["start"] for m in got["metadatas"]]
            ends = [m["end"] for m in got["metadatas"]]
        else:
            if texts is None:
                ids, all_texts, _ = self.article_rows()
                texts = dict(zip(ids, all_texts))
            starts, ends = self._recut(got["ids"], row_doc_ids, got["metadatas"], texts)
        return ChunkRows(
            ids=got["ids"],
            doc_ids=row_doc_ids,
            starts=np.array(starts, dtype=np.int64),
            ends=np.array(ends, dtype=np.int64),
            vectors=np.asarray(got["embeddings"], dtype=np.float32)
            if got["embeddings"]
            else np.zeros((0, dim), dtype=np.float32),
        )

    def _recut(self, ids: list[str], doc_ids: list[str], metadatas: list[dict], texts: dict[str, str]):
        """(starts, ends) of these chunk rows, cut again from their articles' texts (checked against the rows)."""
        from index.build import pipeline_signature  # build imports this module
        from index.chunk import chunk_spans

        cfg = self.settings.index
        if self.info.get("pipeline") not in (None, pipeline_signature(self.settings)):
            raise StoreError(
                f"the index in {self.location} was cut into chunks by other rules ({self.info.get('pipeline')}) "
                f"and its tables are missing: update it with `python -m index build`"
            )
        spans: dict[str, list[tuple[int, int]]] = {}
        starts, ends = [], []
        for cid, doc_id, meta in zip(ids, doc_ids, metadatas):
            if "start" in meta:
                starts.append(meta["start"])
                ends.append(meta["end"])
                continue
            if doc_id not in spans:
                spans[doc_id] = chunk_spans(
                    doc_id, texts.get(doc_id, ""), cfg.chunk_tokens, cfg.chunk_overlap_sentences
                )
            number = int(cid.rsplit("#", 1)[1])
            if number >= len(spans[doc_id]):
                raise StoreError(
                    f"the chunks of {doc_id!r} in {self.location} do not match its text: "
                    f"rebuild the index with `python -m index build --rebuild`"
                )
            starts.append(spans[doc_id][number][0])
            ends.append(spans[doc_id][number][1])
        return starts, ends

    def all_chunks(self) -> tuple[list[str], list[str], list[dict]]:
        """(ids, texts, metadatas) of every chunk; the text is its span of the article's text."""
        texts = {a.doc_id: a.text for a in self.all_articles()}
        rows = self.chunk_rows(texts=texts)
        spans = [(d, int(s), int(e)) for d, s, e in zip(rows.doc_ids, rows.starts, rows.ends)]
        metas = [{CHUNK_DOC_ID: d, "start": s, "end": e} for d, s, e in spans]
        return rows.ids, [texts.get(d, "")[s:e] for d, s, e in spans], metas

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
        """The articles that have chunks (from the chunk ids: no metadata read)."""
        return {doc_id_of_chunk(i) for i in self.get_all(self.chunks, [])["ids"]}

    def update_article_metadata(self, ids: list[str], metadatas: list[dict]) -> None:
        """Set these metadata fields on these article records (their text and vector stay)."""
        for start in range(0, len(ids), self.WRITE_PAGE):
            end = start + self.WRITE_PAGE
            self.articles.update(ids=ids[start:end], metadatas=metadatas[start:end])

    def count_chunks(self) -> int:
        return self.chunks.count()

    # -- writing --------------------------------------------------------------
    def delete_article(self, doc_id: str) -> None:
        """Chunks first, record last: a crash in between leaves a re-doable state."""
        self.chunks.delete(where={CHUNK_DOC_ID: doc_id})
        self.articles.delete(ids=[doc_id])

    def check_free_space(self, batch: list[tuple[Article, str, list[Chunk], np.ndarray]]) -> None:
        """Refuse a write that would leave less than min_free_mb on a local index's disk."""
        cfg = self.settings.index
        if not cfg.chroma_host:  # a server's disk is the server's
            check_room_for(Path(cfg.store_dir), batch, cfg.min_free_mb)

    def write_articles(
        self, batch: list[tuple[Article, str, list[Chunk], np.ndarray]], replacing: set[str] | None = None
    ) -> None:
        """Replace the chunks of each article, then write its record (the commit marker).

        ``replacing``: the articles of the batch that may have chunks already (None: any of them); the
        others' chunks are only added (a first build of 41k articles made ~100 deletes that found nothing).
        """
        self.check_free_space(batch)

        # The old version, or a killed build's partial one, goes first: one delete for the batch
        # (per-article deletes cost 28% of a 10k-article build, measured in bench/).
        old = [a.doc_id for a, _, _, _ in batch if replacing is None or a.doc_id in replacing]
        if old:
            self.chunks.delete(where={CHUNK_DOC_ID: {"$in": old}})
        ids: list[str] = []
        metadatas: list[dict] = []
        for article, content_hash, chunks, _ in batch:
            for chunk in chunks:
                ids.append(chunk_id(article.doc_id, content_hash, chunk.index))
                metadatas.append(chunk_metadata(article, chunk))
        vectors = np.concatenate([np.asarray(v, dtype=np.float32) for _, _, _, v in batch])  # (rows, dim) each
        for start in range(0, len(ids), self.WRITE_PAGE):  # one huge article can exceed Chroma's max batch
            end = start + self.WRITE_PAGE
            self.chunks.add(ids=ids[start:end], embeddings=vectors[start:end], metadatas=metadatas[start:end])
        self.articles.upsert(
            ids=[a.doc_id for a, _, _, _ in batch],
            metadatas=[article_metadata(a, h, len(c)) for a, h, c, _ in batch],
            embeddings=[_mean_vector(v) for _, _, _, v in batch],
        )


def _mean_vector(vectors: np.ndarray) -> list[float]:
    mean = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    norm = float(np.linalg.norm(mean)) or 1.0
    return [float(x) for x in mean / norm]
