"""Typed records that leave the index package."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    """One article as loaded: its original text and what we know about it."""

    doc_id: str
    text: str  # the ORIGINAL text; every offset points into it
    path: str
    title: str | None = None
    date: str | None = None  # ISO yyyy-mm-dd
    source: str | None = None  # outlet
    url: str | None = None
    byline: str | None = None


@dataclass(frozen=True)
class Chunk:
    """A passage of an article: ``article.text[start:end] == text``."""

    doc_id: str
    index: int
    start: int
    end: int
    text: str


@dataclass
class BuildReport:
    """What one build did, for the closing line and for tests."""

    articles: int = 0
    chunks: int = 0
    embedded_articles: int = 0
    embedded_chunks: int = 0
    embedded_sentences: int = 0  # distinct sentence texts the model embedded (a whole-chunk sentence takes its vector)
    removed_articles: int = 0
    unchanged_articles: int = 0
    seconds: float = 0.0
    embedder: str = ""
    story_groups: int = 0  # distinct stories after grouping copies
    generation: int = 0  # the index's generation after this build (bumped when anything changed)
    warnings: list[str] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase (load, embed_and_write, ...)

    @property
    def chunks_per_second(self) -> float:
        return self.embedded_chunks / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        return (
            f"{self.articles} articles, {self.chunks} chunks "
            f"({self.embedded_articles} articles / {self.embedded_chunks} chunks / {self.embedded_sentences} sentences "
            f"embedded, "
            f"{self.unchanged_articles} unchanged, {self.removed_articles} removed; {self.story_groups} stories) "
            f"in {self.seconds:.1f} s, {self.chunks_per_second:.1f} chunks/s, embedder {self.embedder}"
        )
