"""The offline answerer: grounded selection of verbatim evidence sentences.

The small generators that ship inside packages invent facts and never cite or
refuse (measured: ../DEPENDENCIES in the project notes), so offline we do not
generate: we pick the one to three retrieved sentences that best answer the
question, quote them verbatim with their citations, mark the short answer
phrase, and refuse when even the best sentence is weak evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

from newsdesk.terms import jaccard
from rag.cite import CitationBook, format_sentence, passage_sentences
from rag.evidence import QuestionProfile, coverage, evidence_score, find_short_answer
from rag.records import Answer, AnswerSentence, Citation, Passage


@dataclass(frozen=True)
class ScoredSentence:
    passage: Passage
    start: int
    end: int
    text: str
    score: float
    coverage: float


def score_sentences(profile: QuestionProfile, passages: list[Passage]) -> list[ScoredSentence]:
    """Every sentence of every passage with its evidence score, best first."""
    dense = [p.dense_score for p in passages if p.dense_score is not None]
    lo, hi = (min(dense), max(dense)) if dense else (0.0, 0.0)
    scored: dict[tuple[str, int, int], ScoredSentence] = {}
    for p in passages:
        rel = ((p.dense_score - lo) / (hi - lo)) if (p.dense_score is not None and hi > lo) else 0.5
        for start, end, text in passage_sentences(p):
            key = (p.doc_id, start, end)
            if key in scored:  # overlapping chunks repeat a sentence
                continue
            scored[key] = ScoredSentence(
                p, start, end, text, evidence_score(profile, text, rel), coverage(profile, text)
            )
    return sorted(scored.values(), key=lambda s: (-s.score, s.passage.doc_id, s.start))


def choose_sentences(ranked: list[ScoredSentence], max_sentences: int, threshold: float) -> list[ScoredSentence]:
    """The best sentence, plus close runners-up that are not near-copies of a chosen one."""
    if not ranked or ranked[0].score < threshold:
        return []
    best = ranked[0].score
    chosen = [ranked[0]]
    for s in ranked[1:]:
        if len(chosen) >= max_sentences or s.score < max(threshold, 0.85 * best):
            break
        if any(jaccard(s.text, c.text) >= 0.5 for c in chosen):
            continue
        chosen.append(s)
    return chosen


def related_passages(ranked: list[ScoredSentence], limit: int = 3) -> list[Citation]:
    book = CitationBook()
    seen_docs: set[str] = set()
    for s in ranked:
        if len(book.citations) >= limit:
            break
        if s.passage.doc_id in seen_docs:
            continue
        seen_docs.add(s.passage.doc_id)
        book.cite(s.passage, s.start, s.end, s.text)
    return book.citations


def refusal_text(question: str) -> str:
    return f"The articles don't say. Nothing in the corpus answers \u201c{question.strip()}\u201d; the closest passages are listed as related."


def answer_offline(
    question: str,
    profile: QuestionProfile,
    passages: list[Passage],
    *,
    max_sentences: int,
    threshold: float,
    ranked: list[ScoredSentence] | None = None,
) -> Answer:
    """Quote the best evidence sentences, or refuse; ``ranked`` may be given pre-scored."""
    ranked = ranked if ranked is not None else score_sentences(profile, passages)
    chosen = choose_sentences(ranked, max_sentences, threshold)
    if not chosen:
        return Answer(
            question=question,
            text=refusal_text(question),
            refused=True,
            related=related_passages(ranked),
            trace=passages,
            backend="offline",
        )
    # Keep article order within one article, best-first across articles.
    book = CitationBook()
    sentences: list[AnswerSentence] = []
    short = None
    for s in chosen:
        n = book.cite(s.passage, s.start, s.end, s.text)
        span = find_short_answer(profile, s.text)
        if span and short is None:
            short = s.text[span[0] : span[1]]
        sentences.append(
            AnswerSentence(
                text=s.text, citations=(n,), support=round(min(1.0, s.coverage), 3), supported=True, highlight=span
            )
        )
    text = " ".join(format_sentence(s.text, s.citations) for s in sentences)
    return Answer(
        question=question,
        text=text,
        refused=False,
        sentences=sentences,
        citations=book.citations,
        trace=passages,
        backend="offline",
        short_answer=short,
    )
