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


def format_sentence(text: str, numbers: tuple[int, ...]) -> str:
    """A sentence followed by its citation marks: 'Text. [1][2]'."""
    marks = "".join(f"[{n}]" for n in numbers)
    return f"{text} {marks}" if marks else text


def refusal_message(question: str) -> str:
    return (
        f"The articles don't say. Nothing in the corpus answers \u201c{question.strip()}\u201d; "
        "the closest passages are listed as related."
    )


@dataclass(frozen=True)
class Answer:
    """A composed, checked answer. Built once (rag/compose.py) and never edited after.

    ``text`` is derived from the shown sentences, so the text and the sentences cannot disagree.
    """

    question: str
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

    @property
    def shown_sentences(self) -> list[AnswerSentence]:
        """The checked, supported sentences: the only ones shown as the answer."""
        return [] if self.refused else [s for s in self.sentences if s.supported]

    @property
    def text(self) -> str:
        if self.refused:
            return refusal_message(self.question)
        return " ".join(format_sentence(s.text, s.citations) for s in self.shown_sentences)

    def citation(self, n: int) -> Citation | None:
        return next((c for c in self.citations if c.n == n), None)

    def to_dict(self) -> dict:
        return {**asdict(self), "text": self.text}
