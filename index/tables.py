"""Newsdesk's own tables beside the store: what opening an index would otherwise rebuild, and the sentence vectors.

One folder per index generation, ``<store_dir>/tables/<collection>-g<N>/``:

- ``articles.json``: every article's id, text and metadata (content hash, story group, ...);
- ``chunk_*.npy``: every chunk as columns (article row, chunk index, start, end) and its unit
  vector (float32), rows ordered by (article id, chunk index) whatever order builds wrote them in;
- ``sentence_*.npy``: every sentence the reader sees (index/sentencespans.py) as (article row,
  start, end) in ORIGINAL offsets and the row of its vector (``sentence_row``); the vectors
  (``sentence_vectors``, from the index's own embedder, float16: half the disk, cosines within
  ~1e-3) are one row per distinct sentence text, since copies of a story and overlapping chunks
  repeat sentences (the 100k growth corpus: 420k spans, 181k distinct texts);
- ``bm25/``: the keyword index (index/keywords.py);
- ``manifest.json``, written last: generation, embedder, counts, the word rules' signature.

A folder is written under a temporary name and renamed, so a reader sees all of it or
none; arrays open memory-mapped, so opening reads pages only as queries touch them. A
build writes the next generation's folder from the last one (unchanged articles' rows are
copied, not read from Chroma or embedded again) plus what it embedded itself. An index
opened without a current folder reads Chroma instead and writes the folder for the next
opening.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.embedders.base import Embedder, embed_in_batches
from index.ids import chunk_id
from index.keywords import build_bm25, load_bm25, save_bm25, tokenizer_signature
from index.records import Chunk
from index.sentencespans import article_sentence_spans
from newsdesk.settings import Settings

log = logging.getLogger(__name__)

TABLES_DIR = "tables"
# 1: a sentence vector per span; 2: a vector per distinct sentence text (``sentence_row``)
FORMAT = 2
SENTENCE_DTYPE = np.float16
_COLUMNS = (
    "chunk_doc",
    "chunk_index",
    "chunk_start",
    "chunk_end",
    "sentence_doc",
    "sentence_start",
    "sentence_end",
    "sentence_row",
)


def tables_root(settings: Settings) -> Path:
    """Beside a local index; in server mode, in the local ``store_dir`` (the server holds Chroma only)."""
    return Path(settings.index.store_dir) / TABLES_DIR


def _folder_name(settings: Settings, generation: int) -> str:
    return f"{settings.index.collection}-g{generation}"


@dataclass
class IndexTables:
    """Every article, chunk and sentence of one generation of an index, as columns."""

    generation: int
    embedder: str
    dim: int
    doc_ids: list[str]
    texts: list[str]
    metadatas: list[dict]
    chunk_doc: np.ndarray  # int32 row into doc_ids
    chunk_index: np.ndarray  # int32
    chunk_start: np.ndarray  # int64 offsets into the article's ORIGINAL text
    chunk_end: np.ndarray
    chunk_vectors: np.ndarray  # (chunks, dim) float32, unit rows
    sentence_doc: np.ndarray
    sentence_start: np.ndarray
    sentence_end: np.ndarray
    sentence_row: np.ndarray  # int32: each sentence's row in sentence_vectors
    sentence_vectors: np.ndarray  # (distinct sentence texts, dim) float16
    bm25: object | None = None
    format: int = FORMAT
    folder: Path | None = None
    staging: Path | None = None  # a build's temporary folder already holding the columns
    notes: list[str] = field(default_factory=list)

    @property
    def doc_row(self) -> dict[str, int]:
        return {d: i for i, d in enumerate(self.doc_ids)}

    def chunk_ids(self) -> list[str]:
        hashes = [m.get("content_hash", "") for m in self.metadatas]
        return [chunk_id(self.doc_ids[d], hashes[d], int(i)) for d, i in zip(self.chunk_doc.tolist(), self.chunk_index)]

    def chunk_texts(self) -> Iterable[str]:
        for d, s, e in zip(self.chunk_doc.tolist(), self.chunk_start.tolist(), self.chunk_end.tolist()):
            yield self.texts[d][s:e]

    def rows_of(self, column: np.ndarray, doc_row: int) -> slice:
        """The rows of one article in a column sorted by article row."""
        return slice(int(np.searchsorted(column, doc_row, "left")), int(np.searchsorted(column, doc_row, "right")))


# -- reading -------------------------------------------------------------------------------------


def _read_folder(folder: Path, with_keywords: bool = True) -> IndexTables:
    """Tables of this format, or of format 1 (read as one vector per span: rows to carry into new tables)."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("format") not in (1, FORMAT):
        raise ValueError(f"format {manifest.get('format')}")
    articles = json.loads((folder / "articles.json").read_text(encoding="utf-8"))
    arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in _COLUMNS if name != "sentence_row"}
    if manifest["format"] == 1:
        arrays["sentence_row"] = np.arange(len(arrays["sentence_doc"]), dtype=np.int32)
    else:
        arrays["sentence_row"] = np.load(folder / "sentence_row.npy", mmap_mode="r")
    vectors = np.load(folder / "chunk_vectors.npy", mmap_mode="r")
    sentences = np.load(folder / "sentence_vectors.npy", mmap_mode="r")
    bm25 = None
    notes = []
    if with_keywords:
        if manifest.get("tokenizer") == tokenizer_signature():
            bm25 = load_bm25(folder / "bm25")
        else:
            notes.append("the word rules changed since the keyword index was saved")
    return IndexTables(
        generation=int(manifest["generation"]),
        embedder=manifest["embedder"],
        dim=int(manifest["dim"]),
        doc_ids=articles["doc_ids"],
        texts=articles["texts"],
        metadatas=articles["metadatas"],
        chunk_vectors=vectors,
        sentence_vectors=sentences,
        bm25=bm25,
        folder=folder,
        notes=notes,
        format=int(manifest["format"]),
        **arrays,
    )


def load_tables(settings: Settings, generation: int, embedder: str) -> IndexTables | None:
    """This generation's tables, memory-mapped; None when they are missing, unreadable, of an earlier
    format (rebuilt from them: see latest_tables) or another model's."""
    folder = tables_root(settings) / _folder_name(settings, generation)
    if not (folder / "manifest.json").exists():
        return None
    try:
        tables = _read_folder(folder)
    except Exception as exc:  # a damaged folder is rebuilt, never trusted
        log.debug("tables at %s unreadable: %s", folder, exc)
        return None
    if tables.embedder != embedder or tables.generation != generation or tables.format != FORMAT:
        return None
    return tables


def latest_tables(settings: Settings, embedder: str) -> IndexTables | None:
    """The newest readable tables of this collection and model, of any generation or format: rows to carry forward."""
    root = tables_root(settings)
    prefix = f"{settings.index.collection}-g"
    found = []
    for entry in root.iterdir() if root.is_dir() else []:
        if entry.name.startswith(prefix) and entry.name[len(prefix) :].isdigit():
            found.append((int(entry.name[len(prefix) :]), entry))
    for _, folder in sorted(found, reverse=True):
        try:
            tables = _read_folder(folder, with_keywords=False)
        except Exception:
            continue
        if tables.embedder == embedder:
            return tables
    return None


# -- writing -------------------------------------------------------------------------------------


def _save(folder: Path, name: str, array: np.ndarray) -> None:
    np.save(folder / f"{name}.npy", np.ascontiguousarray(array))


def write_tables(settings: Settings, tables: IndexTables, replace: bool = False) -> Path:
    """Write the tables whole under a temporary name, then rename: readers never see half a folder.

    ``replace``: this generation's folder exists but is stale (saved under other word rules).
    """
    root = tables_root(settings)
    root.mkdir(parents=True, exist_ok=True)
    final = root / _folder_name(settings, tables.generation)
    if (final / "manifest.json").exists() and not replace and _of_this_format(final):
        if tables.staging is not None:
            shutil.rmtree(tables.staging, ignore_errors=True)
        return final  # another process wrote this generation already
    tmp = tables.staging or staging_folder(settings, tables.generation)
    try:
        payload = {"doc_ids": tables.doc_ids, "texts": tables.texts, "metadatas": tables.metadatas}
        with open(tmp / "articles.json", "w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False)  # streamed: no second copy of every text as one string
        if tables.staging is None:
            for name in _COLUMNS:
                _save(tmp, name, getattr(tables, name))
            _save(tmp, "chunk_vectors", np.asarray(tables.chunk_vectors, dtype=np.float32))
            _save(tmp, "sentence_vectors", np.asarray(tables.sentence_vectors, dtype=SENTENCE_DTYPE))
        bm25 = tables.bm25 if tables.bm25 is not None else build_bm25(tables.chunk_texts())
        save_bm25(bm25, tmp / "bm25")
        manifest = {
            "format": FORMAT,
            "generation": tables.generation,
            "embedder": tables.embedder,
            "dim": tables.dim,
            "articles": len(tables.doc_ids),
            "chunks": len(tables.chunk_doc),
            "sentences": len(tables.sentence_doc),
            "sentence_texts": len(tables.sentence_vectors),
            "tokenizer": tokenizer_signature(),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        if final.exists() and (replace or not _of_this_format(final)):  # stale: an open index keeps its mapped files
            stale = root / f".{final.name}.{os.getpid()}.stale"
            os.rename(final, stale)
            shutil.rmtree(stale, ignore_errors=True)
        try:
            os.rename(tmp, final)
        except OSError:  # written meanwhile by another process
            if not (final / "manifest.json").exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def _of_this_format(folder: Path) -> bool:
    try:
        return json.loads((folder / "manifest.json").read_text(encoding="utf-8")).get("format") == FORMAT
    except (OSError, ValueError):
        return False


def staging_folder(settings: Settings, generation: int) -> Path:
    """An empty temporary folder for this process to write a generation's tables in."""
    root = tables_root(settings)
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".{_folder_name(settings, generation)}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    return tmp


def remove_leftovers(settings: Settings) -> None:
    """Temporary folders of processes that are gone (a killed build or opening); never another live one's."""
    root = tables_root(settings)
    for entry in root.iterdir() if root.is_dir() else []:
        parts = entry.name.split(".")
        if entry.name.startswith(".") and len(parts) >= 4 and parts[-1] in ("tmp", "stale") and parts[-2].isdigit():
            if not _alive(int(parts[-2])):
                shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def prune_tables(settings: Settings, keep: int) -> None:
    """Drop this collection's other generations (an index open on one keeps its mapped files until it closes)."""
    root = tables_root(settings)
    prefix = f"{settings.index.collection}-g"
    for entry in root.iterdir() if root.is_dir() else []:
        if entry.name.startswith(prefix) and entry.name != f"{prefix}{keep}":
            shutil.rmtree(entry, ignore_errors=True)


# -- assembling ----------------------------------------------------------------------------------


@dataclass
class ArticleRows:
    """One article's chunks and sentences, with their vectors (None: sentences not embedded)."""

    content_hash: str
    chunk_index: np.ndarray
    chunk_start: np.ndarray
    chunk_end: np.ndarray
    chunk_vectors: np.ndarray
    sentence_start: np.ndarray
    sentence_end: np.ndarray
    sentence_vectors: np.ndarray | RowsOf | None


class RowsOf:
    """Some rows of a (memory-mapped) matrix, read only when asked: an unchanged article's sentence vectors
    carried from the last tables, without gathering all of them into memory up front."""

    def __init__(self, matrix: np.ndarray, rows: np.ndarray):
        self.matrix, self.rows = matrix, np.asarray(rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        got = self.matrix[self.rows] if len(self.rows) else np.zeros((0, self.matrix.shape[1]), self.matrix.dtype)
        return got if dtype is None else got.astype(dtype)


class Spill:
    """Where a build keeps the vectors it embedded until the tables are assembled: on disk, not in memory.

    Each write group's chunk and sentence vectors go to two .npy files and come back memory-mapped
    (100k chunks: ~340 MB the build no longer holds). The folder is removed when the build ends.
    """

    def __init__(self, settings: Settings):
        root = tables_root(settings)
        root.mkdir(parents=True, exist_ok=True)
        self.folder = root / f".{settings.index.collection}-spill.{os.getpid()}.tmp"
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir()
        self._groups = 0

    def keep(self, rows: dict[str, ArticleRows]) -> dict[str, ArticleRows]:
        if not rows:
            return rows
        group, self._groups = self._groups, self._groups + 1
        mapped = {}
        for kind in ("chunk_vectors", "sentence_vectors"):
            parts = [np.asarray(getattr(r, kind)) for r in rows.values()]
            path = self.folder / f"{group}-{kind}.npy"
            np.save(path, np.concatenate(parts) if parts else np.zeros((0, 0)))
            mapped[kind] = np.load(path, mmap_mode="r")
        at = {"chunk_vectors": 0, "sentence_vectors": 0}
        out = {}
        for doc_id, r in rows.items():
            views = {}
            for kind in at:
                n = len(getattr(r, kind))
                views[kind] = mapped[kind][at[kind] : at[kind] + n]
                at[kind] += n
            out[doc_id] = ArticleRows(
                r.content_hash,
                r.chunk_index,
                r.chunk_start,
                r.chunk_end,
                views["chunk_vectors"],
                r.sentence_start,
                r.sentence_end,
                views["sentence_vectors"],
            )
        return out

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def sentence_rows_for(text: str, doc_id: str, starts, ends) -> list[tuple[int, int]]:
    """The sentence spans the reader sees in an article with these chunk spans."""
    chunks = [Chunk(doc_id, i, int(s), int(e), text[int(s) : int(e)]) for i, (s, e) in enumerate(zip(starts, ends))]
    return article_sentence_spans(chunks)


def assemble_tables(
    store,
    settings: Settings,
    generation: int,
    embedder_name: str,
    *,
    fresh: dict[str, ArticleRows] | None = None,
    previous: IndexTables | None = None,
    embedder: Embedder | None = None,
    stage: bool = False,
) -> IndexTables:
    """Every article, chunk and sentence of the index as it is in the store now.

    An article's rows come from ``fresh`` (what this build embedded), else from
    ``previous`` tables when its content hash is unchanged, else from Chroma. Sentences
    neither source has are embedded with ``embedder``, or left out without one (opening
    an index embeds those on demand). ``stage``: write the columns straight into a temporary
    folder (a build, which saves them next), rather than into memory.
    """
    fresh = fresh or {}
    ids, texts, metadatas = store.article_rows()
    order = sorted(range(len(ids)), key=lambda i: ids[i])
    doc_ids = [ids[i] for i in order]
    texts = [texts[i] for i in order]
    metadatas = [metadatas[i] for i in order]
    prev_row = previous.doc_row if previous is not None else {}

    def from_previous(doc_id: str, content_hash: str) -> ArticleRows | None:
        row = prev_row.get(doc_id)
        if row is None or previous is None or previous.metadatas[row].get("content_hash") != content_hash:
            return None
        c, s = previous.rows_of(previous.chunk_doc, row), previous.rows_of(previous.sentence_doc, row)
        return ArticleRows(
            content_hash,
            previous.chunk_index[c],
            previous.chunk_start[c],
            previous.chunk_end[c],
            previous.chunk_vectors[c],
            previous.sentence_start[s],
            previous.sentence_end[s],
            RowsOf(previous.sentence_vectors, previous.sentence_row[s]),
        )

    rows: dict[str, ArticleRows] = {}
    from_store: list[str] = []
    for doc_id, meta in zip(doc_ids, metadatas):
        content_hash = meta.get("content_hash", "")
        got = fresh.pop(doc_id, None)  # handed over: the caller's copy goes with the columns built from it
        if got is None or got.content_hash != content_hash:
            got = from_previous(doc_id, content_hash)
        if got is None:
            from_store.append(doc_id)
        else:
            rows[doc_id] = got
    dim = int(store.info.get("dim") or 0) or (embedder.dim if embedder is not None else 0)
    if from_store:
        rows.update(_rows_from_store(store, from_store, metadatas, doc_ids, dict(zip(doc_ids, texts)), dim))
    _fill_sentences(rows, doc_ids, texts, embedder, settings, dim)
    staging = staging_folder(settings, generation) if stage else None
    return _as_tables(generation, embedder_name, dim, doc_ids, texts, metadatas, rows, staging)


def _rows_from_store(
    store, doc_ids: list[str], metadatas: list[dict], all_ids: list[str], texts: dict[str, str], dim: int
) -> dict[str, ArticleRows]:
    """The chunk rows Chroma holds for these articles (sentences still to be found)."""
    hash_of = {d: m.get("content_hash", "") for d, m in zip(all_ids, metadatas)}
    read = store.chunk_rows(None if len(doc_ids) == len(all_ids) else doc_ids, texts)
    index_of = [int(cid.rsplit("#", 1)[1]) for cid in read.ids]
    by_doc: dict[str, list[int]] = {}
    for i, d in enumerate(read.doc_ids):
        by_doc.setdefault(d, []).append(i)
    vectors = np.asarray(read.vectors, dtype=np.float32).reshape(len(read.ids), dim)
    empty = np.zeros(0, dtype=np.int64)
    out = {}
    for doc_id in doc_ids:
        picked = sorted(by_doc.get(doc_id, []), key=index_of.__getitem__)
        out[doc_id] = ArticleRows(
            hash_of[doc_id],
            np.array([index_of[i] for i in picked], dtype=np.int32),
            read.starts[picked],
            read.ends[picked],
            vectors[picked],
            empty,
            empty,
            None,
        )
    return out


def _fill_sentences(
    rows: dict[str, ArticleRows],
    doc_ids: list[str],
    texts: list[str],
    embedder: Embedder | None,
    settings: Settings,
    dim: int,
) -> None:
    """Sentence spans for articles read from Chroma, and their vectors when an embedder is at hand."""
    wanted: list[tuple[str, int, int]] = []
    for doc_id, text in zip(doc_ids, texts):
        got = rows[doc_id]
        if got.sentence_vectors is not None:
            continue
        spans = sentence_rows_for(text, doc_id, got.chunk_start, got.chunk_end)
        got.sentence_start = np.array([s for s, _ in spans], dtype=np.int64)
        got.sentence_end = np.array([e for _, e in spans], dtype=np.int64)
        wanted.extend((doc_id, s, e) for s, e in spans)
    if not wanted:
        return
    text_of = dict(zip(doc_ids, texts))
    if embedder is None:
        for doc_id in {d for d, _, _ in wanted}:  # left out: embedded on demand when the index is open
            got = rows[doc_id]
            got.sentence_start = got.sentence_end = np.zeros(0, dtype=np.int64)
            got.sentence_vectors = np.zeros((0, dim), dtype=SENTENCE_DTYPE)
        return
    vectors = embed_distinct(embedder, [text_of[d][s:e] for d, s, e in wanted], settings.index.embed_batch_size)
    at = 0
    for doc_id in dict.fromkeys(d for d, _, _ in wanted):
        got = rows[doc_id]
        n = len(got.sentence_start)
        got.sentence_vectors = vectors[at : at + n].astype(SENTENCE_DTYPE)
        at += n


def embed_distinct(embedder: Embedder, texts: list[str], batch_size: int, on_batch=None) -> np.ndarray:
    """Vectors for ``texts``, each distinct text embedded once (copies of one story repeat sentences)."""
    distinct = list(dict.fromkeys(texts))
    vectors = embed_in_batches(embedder, distinct, batch_size, on_batch=on_batch)
    row = {t: i for i, t in enumerate(distinct)}
    return vectors[[row[t] for t in texts]] if texts else np.zeros((0, embedder.dim), dtype=np.float32)


def _distinct_sentences(
    doc_ids: list[str], texts: list[str], rows: dict[str, ArticleRows]
) -> tuple[np.ndarray, np.ndarray]:
    """For every sentence row in column order, the row of its text's vector (rows numbered in order of
    first appearance), and whether it is that first appearance (the one whose vector is written)."""
    row_of: dict[str, int] = {}
    rows_out: list[int] = []
    for doc_id, text in zip(doc_ids, texts):
        got = rows[doc_id]
        for s, e in zip(got.sentence_start.tolist(), got.sentence_end.tolist()):
            rows_out.append(row_of.setdefault(text[s:e], len(row_of)))
    sentence_row = np.asarray(rows_out, dtype=np.int32)
    first_seen = np.zeros(len(sentence_row), dtype=bool)
    if len(sentence_row):
        first_seen[np.unique(sentence_row, return_index=True)[1]] = True
    return sentence_row, first_seen


class _ColumnFile:
    """A .npy file written a block of rows at a time (header first, for the known shape): no column in memory."""

    def __init__(self, path: Path, dtype, shape: tuple[int, ...]):
        self.dtype = np.dtype(dtype)
        self._fh = open(path, "wb")
        header = {"descr": np.lib.format.dtype_to_descr(self.dtype), "fortran_order": False, "shape": shape}
        np.lib.format.write_array_header_1_0(self._fh, header)

    def write(self, block) -> None:
        self._fh.write(np.ascontiguousarray(block, dtype=self.dtype).tobytes())

    def close(self) -> None:
        self._fh.close()


class _ColumnArray:
    """The same, into an array in memory."""

    def __init__(self, dtype, shape: tuple[int, ...]):
        self.array = np.empty(shape, dtype=dtype)
        self._at = 0

    def write(self, block) -> None:
        self.array[self._at : self._at + len(block)] = block
        self._at += len(block)

    def close(self) -> None:
        pass


def _as_tables(
    generation: int,
    embedder_name: str,
    dim: int,
    doc_ids: list[str],
    texts: list[str],
    metadatas: list[dict],
    rows: dict[str, ArticleRows],
    staging: Path | None = None,
) -> IndexTables:
    """The columns, article by article; each article's rows are dropped as soon as they are copied.

    With ``staging`` (a build) the columns are written straight into that folder's .npy files and
    come back memory-mapped: at 100k chunks, holding the new rows and the columns both in memory
    took the build to 2.5 GB. Without it (opening an index that has no tables) they are arrays.
    """
    n_chunks = [len(rows[d].chunk_start) for d in doc_ids]
    n_sentences = [len(rows[d].sentence_start) for d in doc_ids]
    chunks, sentences = sum(n_chunks), sum(n_sentences)
    sentence_row, first_seen = _distinct_sentences(doc_ids, texts, rows)
    shapes = {
        "chunk_index": (np.int32, (chunks,)),
        "chunk_start": (np.int64, (chunks,)),
        "chunk_end": (np.int64, (chunks,)),
        "chunk_vectors": (np.float32, (chunks, dim)),
        "sentence_start": (np.int64, (sentences,)),
        "sentence_end": (np.int64, (sentences,)),
        "sentence_vectors": (SENTENCE_DTYPE, (int(first_seen.sum()), dim)),
    }
    article_rows = np.arange(len(doc_ids), dtype=np.int32)
    counts = {
        "chunk_doc": np.repeat(article_rows, n_chunks),
        "sentence_doc": np.repeat(article_rows, n_sentences),
        "sentence_row": sentence_row,
    }
    files: dict[str, _ColumnFile | _ColumnArray] = {
        name: _ColumnFile(staging / f"{name}.npy", dtype, shape) if staging is not None else _ColumnArray(dtype, shape)
        for name, (dtype, shape) in shapes.items()
    }
    at = 0
    for doc_id, nc, ns in zip(doc_ids, n_chunks, n_sentences):
        got = rows.pop(doc_id)
        files["chunk_index"].write(got.chunk_index)
        files["chunk_start"].write(got.chunk_start)
        files["chunk_end"].write(got.chunk_end)
        files["chunk_vectors"].write(np.asarray(got.chunk_vectors).reshape(nc, dim))
        files["sentence_start"].write(got.sentence_start)
        files["sentence_end"].write(got.sentence_end)
        new = first_seen[at : at + ns]
        at += ns
        if new.any():  # only the texts not seen in an earlier article or sentence
            files["sentence_vectors"].write(np.asarray(got.sentence_vectors).reshape(ns, dim)[new])
    for handle in files.values():
        handle.close()
    if staging is not None:
        for name, array in counts.items():
            _save(staging, name, array)
        columns = {name: np.load(staging / f"{name}.npy", mmap_mode="r") for name in [*shapes, *counts]}
    else:
        columns = {**{name: handle.array for name, handle in files.items()}, **counts}  # type: ignore[union-attr]
    return IndexTables(
        generation=generation,
        embedder=embedder_name,
        dim=dim,
        doc_ids=doc_ids,
        texts=texts,
        metadatas=metadatas,
        staging=staging,
        **columns,
    )
