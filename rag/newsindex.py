"""An open index: store, embedder, articles, every chunk and sentence vector and the keyword index, opened once.

The chunk table, sentence vectors and keyword index are the tables the last build
saved beside the store (index/tables.py), memory-mapped. Read-only after opening,
so one instance serves many threads (the Streamlit app shares it between browser
sessions through ``st.cache_resource``). A build that changes the index bumps its
generation; ``is_stale()`` notices with one small read, and ``refreshed()`` gives
the index as it is now while this one keeps answering for whoever still holds it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence

import numpy as np

import index
from index.embedders import Embedder, make_embedder, resolve_embedder
from index.records import Article
from index.schema import article_from_record
from index.tables import IndexTables, assemble_tables, latest_tables, load_tables, write_tables
from newsdesk.errors import EmbedderMismatch, IndexMissing
from newsdesk.settings import Settings, load_settings
from newsdesk.text.words import content_words
from rag.chunktable import ChunkTable
from rag.querybatch import BatchedQueryEmbedder
from rag.retrieve import KeywordIndex
from rag.sentencevectors import SentenceVectors
from rag.stories import StoryMap

log = logging.getLogger(__name__)


def use_one_blas_thread() -> None:
    """numpy's BLAS on one thread in a process that answers questions (idempotent; affects the whole process).

    A question's products are matrix-vector products over memory-mapped rows, bound by memory, not
    arithmetic: a second thread buys nothing. OpenBLAS's threads wait by spinning, so with several
    questions at once on 2 shared cores they fought each other and every other process for the cores
    (10k chunks, 16 client threads, hybrid retrieval under load: 4.7 queries/s, p95 9.6 s with BLAS's
    2 threads; 452 queries/s, p95 102 ms with one; one client: p50 34 -> 5 ms).
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


class NewsIndex:
    def __init__(
        self, settings: Settings | None = None, *, embedder: Embedder | None = None, store=None, fresh: bool = False
    ):
        settings = settings or load_settings()
        use_one_blas_thread()
        self._requested_settings = settings
        self.store = store or index.open_store(settings, fresh=fresh)
        info = self.store.info
        # Read before anything else: a build finishing while we load makes us stale (one extra reopen), never
        # newer than what we say.
        current = self.store.current_generation()
        self.generation: int = current if current is not None else self.store.generation
        self.settings = resolve_embedder(settings, info.get("embedder"))
        wanted = embedder.name if embedder is not None else index.embedder_id(self.settings)
        self.store.check_embedder(wanted)
        self.store.check_schema()
        if info.get("state") != "complete" and not info.get("embedder"):
            raise IndexMissing(f"the index in {self.store.location} was never completed: run `python -m index build`")
        self.embedder = embedder or make_embedder(self.settings)
        self._queries = BatchedQueryEmbedder(self.embedder)
        self.store.check_embedder(self.embedder.name, self.embedder.dim)
        self.info = info
        tables = self._tables(info.get("embedder") or self.embedder.name)
        self.articles: dict[str, Article] = {
            d: article_from_record(d, text, meta)
            for d, text, meta in zip(tables.doc_ids, tables.texts, tables.metadatas)
        }
        self.chunks = ChunkTable(
            tables.chunk_ids(),
            [tables.doc_ids[d] for d in tables.chunk_doc.tolist()],
            tables.chunk_start,
            tables.chunk_end,
            tables.chunk_vectors,
            self.articles,
        )
        self.keyword_index = KeywordIndex(self.chunks, bm25=tables.bm25)
        self.stories = StoryMap(dict(zip(tables.doc_ids, tables.metadatas)))
        self._sentences = SentenceVectors(
            tables.doc_ids,
            tables.sentence_doc,
            tables.sentence_start,
            tables.sentence_end,
            tables.sentence_vectors,
            tables.sentence_row,
            self.articles,
            self.embedder,
        )

    def _tables(self, embedder_name: str) -> IndexTables:
        """The tables the last build wrote for this generation (memory-mapped: fast), else read from the store.

        Reading the store is what every opening did before builds saved tables: a notice says it
        happened, and the tables are written for the next opening when the index is complete and current.
        """
        tables = load_tables(self.settings, self.generation, embedder_name)
        if tables is not None:
            for note in tables.notes:
                log.warning("%s: rebuilding the keyword index of %s in memory", note, self.store.location)
            return tables
        log.warning(
            "the tables of the index in %s are missing or stale: reading it from the store "
            "(slower; they are saved for the next opening)",
            self.store.location,
        )
        tables = assemble_tables(
            self.store,
            self.settings,
            self.generation,
            embedder_name,
            previous=latest_tables(self.settings, embedder_name),
        )
        if self.info.get("state") == "complete" and self.store.current_generation() in (self.generation, None):
            try:
                write_tables(self.settings, tables)
            except OSError as exc:  # a read-only folder: open anyway, from memory
                log.warning("could not save the index's tables (%s)", exc)
        return tables

    def embed_query(self, text: str) -> np.ndarray:
        """The question's vector; questions asked at the same time share one model call (rag/querybatch.py)."""
        return self._queries.embed_query(text)

    def sentence_vectors(self, keys: Sequence[tuple[str, int, int]]) -> np.ndarray:
        """Unit vectors (len(keys), dim) of sentences keyed ``(doc_id, start, end)`` as rag/cite.py
        ``passage_sentences`` gives them (ORIGINAL offsets), from the index's own embedder.

        Sentences the build embedded are read from the tables; any other span of an article in the
        index is embedded now (and remembered); a key outside the index's articles gets a NaN row.
        """
        return self._sentences.lookup(keys)

    def is_stale(self) -> bool:
        """True when a build changed the index since this one opened (reads one small file or record).

        Unknown (a rebuild still writing, the server away) is not stale: keep answering from what is open.
        """
        current = self.store.current_generation()
        return current is not None and current != self.generation

    def refreshed(self) -> NewsIndex:
        """This index when it is current, else the index as it is now (the loaded embedder reused when it fits)."""
        if not self.is_stale():
            return self
        try:
            return NewsIndex(self._requested_settings, embedder=self.embedder, fresh=True)
        except EmbedderMismatch:  # rebuilt with another embedder
            return NewsIndex(self._requested_settings, fresh=True)

    def article(self, doc_id: str) -> Article | None:
        return self.articles.get(doc_id)

    @functools.cached_property
    def title_words(self) -> frozenset[str]:
        """Key words of the articles' headlines, which the chunks do not hold: a question may use the headline's
        word ("Tories") where the text says "the Conservative Party"."""
        return frozenset(w for a in self.articles.values() if a.title for w in content_words(a.title))

    def uses_word(self, word: str) -> bool:
        """Some article uses the word (stem), in its text or its headline."""
        return self.keyword_index.has_word(word) or word in self.title_words

    def sources(self) -> list[str]:
        return sorted({a.source for a in self.articles.values() if a.source})
