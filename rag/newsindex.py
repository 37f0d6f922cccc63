"""An open index: store, embedder, every chunk (text and vector), keyword index and articles, loaded once and shared.

Read-only after opening, so one instance serves many threads (the Streamlit
app shares it between browser sessions through ``st.cache_resource``).
"""

from __future__ import annotations

import index
from index.build import resolve_embedder
from index.embedders import Embedder, make_embedder
from index.records import Article
from newsdesk.settings import Settings, load_settings
from rag.chunktable import ChunkTable
from rag.retrieve import KeywordIndex
from rag.stories import StoryMap


class NewsIndex:
    def __init__(self, settings: Settings | None = None, *, embedder: Embedder | None = None, store=None):
        settings = settings or load_settings()
        self.store = store or index.open_store(settings)
        info = self.store.info
        self.settings = resolve_embedder(settings, info.get("embedder"))
        wanted = embedder.name if embedder is not None else index.embedder_id(self.settings)
        self.store.check_embedder(wanted)
        if info.get("state") != "complete" and not info.get("embedder"):
            from newsdesk.errors import IndexMissing

            raise IndexMissing(f"the index in {self.store.location} was never completed: run `python -m index build`")
        self.embedder = embedder or make_embedder(self.settings)
        self.store.check_embedder(self.embedder.name, self.embedder.dim)
        self.info = info
        self.chunks = ChunkTable(*self.store.all_chunks_with_vectors())
        self.keyword_index = KeywordIndex(self.chunks)
        self.articles: dict[str, Article] = {a.doc_id: a for a in self.store.all_articles()}
        self.stories = StoryMap({d: r.metadata for d, r in self.store.article_records().items()})

    def article(self, doc_id: str) -> Article | None:
        return self.articles.get(doc_id)

    def sources(self) -> list[str]:
        return sorted({a.source for a in self.articles.values() if a.source})
