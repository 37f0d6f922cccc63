"""An open index: store, embedder, every chunk (text and vector), keyword index and articles, loaded once and shared.

Read-only after opening, so one instance serves many threads (the Streamlit
app shares it between browser sessions through ``st.cache_resource``). A build
that changes the index bumps its generation; ``is_stale()`` notices with one
small read, and ``refreshed()`` gives the index as it is now while this one
keeps answering for whoever still holds it.
"""

from __future__ import annotations

import index
from index.embedders import Embedder, make_embedder, resolve_embedder
from index.records import Article
from newsdesk.errors import EmbedderMismatch, IndexMissing
from newsdesk.settings import Settings, load_settings
from rag.chunktable import ChunkTable
from rag.retrieve import KeywordIndex
from rag.stories import StoryMap


class NewsIndex:
    def __init__(
        self, settings: Settings | None = None, *, embedder: Embedder | None = None, store=None, fresh: bool = False
    ):
        settings = settings or load_settings()
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
        if info.get("state") != "complete" and not info.get("embedder"):
            raise IndexMissing(f"the index in {self.store.location} was never completed: run `python -m index build`")
        self.embedder = embedder or make_embedder(self.settings)
        self.store.check_embedder(self.embedder.name, self.embedder.dim)
        self.info = info
        self.chunks = ChunkTable(*self.store.all_chunks_with_vectors())
        self.keyword_index = KeywordIndex(self.chunks)
        self.articles: dict[str, Article] = {a.doc_id: a for a in self.store.all_articles()}
        self.stories = StoryMap({d: r.metadata for d, r in self.store.article_records().items()})

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

    def sources(self) -> list[str]:
        return sorted({a.source for a in self.articles.values() if a.source})
