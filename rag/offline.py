"""The offline answer: grounded selection of verbatim evidence sentences.

The small generators that ship inside packages invent facts and never cite or
refuse (measured on 11 seed questions: 6-7 of 9 short answers, no citation, no
refusal; the sentence picker: 7 of 9, 7 citations, 2 of 2 refusals), so offline we do not generate: we
pick the one to three scored sentences that best answer the question, quote
them verbatim, mark the short answer phrase, and refuse when even the best
sentence is weak evidence.
"""

from __future__ import annotations

from newsdesk.text.dates import date_parts
from newsdesk.text.overlap import jaccard
from rag.compose import Claim, Quote
from rag.evidence import RUNNER_UP, QuestionProfile, ScoredSentence
from rag.spans import best_span, find_short_answer, span_detail

STRONG_RUNNER_UP = 0.5  # a fuller date is put first from a runner-up with at least this share of the best's
FULLER_DATE_AMONG = 3  # ... among the best few sentences


def fuller_date_first(profile: QuestionProfile, ranked: list[ScoredSentence]) -> list[ScoredSentence]:
    """A "when" question whose best sentence dates it loosely ("released in 2020") while a strong runner-up
    gives the same date in full ("released in June 2020"): the fuller one answers first. News repeats a
    fact at different precisions; the reader wants the most precise one that agrees with the best."""
    if profile.wants != "date" or len(ranked) < 2:
        return ranked
    best = best_span(profile, ranked[0].text)
    if best is None or span_detail("date", best) >= 1.0:
        return ranked
    parts = date_parts(best.text).items()
    for i, s in enumerate(ranked[1:FULLER_DATE_AMONG], start=1):
        if s.score < STRONG_RUNNER_UP * ranked[0].score:
            break
        span = best_span(profile, s.text)
        if span and span_detail("date", span) > span_detail("date", best) and parts <= date_parts(span.text).items():
            return [s, *ranked[:i], *ranked[i + 1 :]]
    return ranked


def choose_sentences(ranked: list[ScoredSentence], max_sentences: int) -> list[ScoredSentence]:
    """The best sentence, plus close runners-up that are not near-copies of a chosen one (in score order)."""
    if not ranked:
        return []
    best = ranked[0].score
    chosen = [ranked[0]]
    for s in ranked[1:]:
        if len(chosen) >= max_sentences or s.score < RUNNER_UP * best:
            break
        if any(jaccard(s.text, c.text) >= 0.5 for c in chosen):
            continue
        chosen.append(s)
    return chosen


def quote_of(s: ScoredSentence) -> Quote:
    return Quote(s.passage, s.start, s.end, s.text)


def selected_claims(profile: QuestionProfile, chosen: list[ScoredSentence]) -> list[Claim]:
    """Each chosen sentence as a claim quoting itself, with its short answer marked."""
    return [
        Claim(
            text=s.text,
            quotes=(quote_of(s),),
            support=round(min(1.0, s.coverage), 3),
            highlight=find_short_answer(profile, s.text),
        )
        for s in chosen
    ]


def short_answer_of(claims: list[Claim]) -> str | None:
    """The first marked short answer phrase."""
    for c in claims:
        if c.highlight:
            return c.text[c.highlight[0] : c.highlight[1]]
    return None


def related_quotes(ranked: list[ScoredSentence], limit: int = 3) -> list[Quote]:
    """The closest sentences, one per article: offered beside a refusal."""
    out: list[Quote] = []
    seen_docs: set[str] = set()
    for s in ranked:
        if len(out) >= limit:
            break
        if s.passage.doc_id not in seen_docs:
            seen_docs.add(s.passage.doc_id)
            out.append(quote_of(s))
    return out
