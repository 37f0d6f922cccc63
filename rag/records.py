"""Typed results of the answer pipeline."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk: ``article.text[start:end] == text``."""

    chunk_id: str
    doc_id: str
    start: int
    end: int
    text: str
    score: float  # fused score (higher is better)
    dense_score: float | None = None  # cosine similarity, when the dense retriever found it
    keyword_score: float | None = None
    title: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Citation:
    """One numbered source of an answer; ``original[start:end] == quote``."""

    n: int
    doc_id: str
    start: int
    end: int
    quote: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    passage_start: int | None = None  # the whole retrieved passage the quote sits in
    passage_end: int | None = None
    story: str | None = None  # story group id (copies of one story share it)
    also_in: tuple[str, ...] = ()  # doc ids of other copies of the same story


@dataclass(frozen=True)
class AnswerSentence:
    text: str
    citations: tuple[int, ...]  # citation numbers
    support: float  # 0..1, how well the cited passages support it
    supported: bool = True
    highlight: tuple[int, int] | None = None  # the short answer phrase inside ``text``
    corroboration: int = 0  # independent story groups whose passages support it
    reason: str | None = None  # why it is not shown as sourced, when it is not (generated answers)


@dataclass(frozen=True)
class Conflict:
    """Retrieved passages that disagree: each side's value and the citations stating it."""

    topic: str
    sides: tuple[tuple[str, tuple[int, ...]], ...]  # (value, citation numbers)
    kind: str = "value"  # value | event


@dataclass
class Answer:
    question: str
    text: str
    refused: bool
    sentences: list[AnswerSentence] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    related: list[Citation] = field(default_factory=list)
    trace: list[Passage] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    backend: str = "offline"
    short_answer: str | None = None
    standalone_question: str | None = None
    raw_answer: str | None = None  # the model's reply before checking (generation only)
    notice: str | None = None  # e.g. "LLM server unreachable: offline answer shown"
    conflicts: list[Conflict] = field(default_factory=list)

    def citation(self, n: int) -> Citation | None:
        return next((c for c in self.citations if c.n == n), None)

    def to_dict(self) -> dict:
        return asdict(self)
