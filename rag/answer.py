"""``answer()`` and ``answer_stream()``: the public way to ask Newsdesk a question.

One pass, one way: question -> retrieve -> score evidence -> decide sources
(best copy, disagreements, corroboration) -> compose the Answer (offline
selection or checked generation) -> done. Each stage lives in its own module;
this file only runs them in order.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from newsdesk.errors import GeneratorUnavailable
from newsdesk.settings import Settings, load_settings
from newsdesk.text.dates import YEAR
from rag.compose import Claim, Quote, add_conflict_sides, compose_answer
from rag.conflicts import TOPICS, find_conflicts
from rag.conversation import needs_history
from rag.corroboration import corroboration
from rag.credits import credited_doc, is_credit_question, story_credits
from rag.evidence import Candidate, ScoredSentence, profile_question, score_evidence
from rag.focus import QuestionProfile
from rag.generate import condense_question, stream_reply
from rag.llms.base import Generator
from rag.newsindex import NewsIndex
from rag.offline import choose_sentences, fuller_date_first, related_quotes, selected_claims, short_answer_of
from rag.question import Question, clean_question, read_question
from rag.reader import default_reader_model
from rag.records import Answer, Passage
from rag.retrieve import Filters, RetrievalResult, hybrid_retrieve
from rag.stories import BestCopies, cite_best_copies
from rag.verify import sentence_similarity, verify_reply

__all__ = ["StreamEvent", "answer", "answer_stream", "clean_question"]


@dataclass(frozen=True)
class StreamEvent:
    """What ``answer_stream`` yields, in order:

    - "draft": a piece of the model's reply as it arrives, NOT yet checked (generation only);
    - "notice": one line about what happened (e.g. the server was down: offline answer shown);
    - "token": a piece of the checked answer's text, sentence by sentence;
    - "answer": the final, checked Answer (always last, exactly once).
    """

    kind: str
    text: str = ""
    answer: Answer | None = None


def make_generator(settings: Settings) -> Generator:
    from rag.llms.openai_compat import OpenAIGenerator

    return OpenAIGenerator(settings.answer)


def answer_stream(
    question: str,
    *,
    history: list[dict] | None = None,
    settings: Settings | None = None,
    news_index: NewsIndex | None = None,
    generator: Generator | None = None,
    filters: Filters | None = None,
    as_of: date | None = None,
) -> Iterator[StreamEvent]:
    """Yield drafts and notices as they happen, then the checked answer's text, then the Answer.

    ``as_of`` is the moment of asking that "today", "this week", "the latest" are measured from
    (default: the ``answer.as_of`` setting, else today)."""
    settings = settings or (news_index.settings if news_index else load_settings())
    cfg = settings.answer
    asked = clean_question(question, cfg.max_question_chars)
    started = time.perf_counter()
    news_index = news_index or NewsIndex(settings)
    notices: list[str] = []

    # 1-2. The question (standalone: a model condenses follow-ups when one is configured; scoped in time), retrieved.
    use_llm = generator is not None or cfg.backend == "openai"
    if use_llm and generator is None:
        try:
            generator = make_generator(settings)
        except GeneratorUnavailable as exc:
            notices.append(f"{exc}; showing the offline answer")
            use_llm = False
    condensed = None
    if use_llm and generator is not None and history and needs_history(asked):
        try:
            condensed = condense_question(generator, asked, history)
        except GeneratorUnavailable as exc:
            notices.append(f"{exc}; showing the offline answer")
            use_llm = False
    q, retrieved, profile = read_and_retrieve(
        asked,
        history=history,
        filters=filters,
        news_index=news_index,
        settings=settings,
        condensed=condensed,
        today=as_of or cfg.as_of or date.today(),
    )
    if q.notice:
        notices.append(q.notice)
    if profile.unknown_names and not profile.foreign:
        notices.append(f"the articles never mention {', '.join(profile.unknown_names)}")
    timings = {"retrieve": sum(retrieved.timings_ms.values())}
    timings.update({f"retrieve.{k}": v for k, v in retrieved.timings_ms.items()})
    passages = retrieved.passages

    # 3. Score the evidence: every sentence of every passage, ranked; is the question answered at all?
    t = time.perf_counter()
    stories = news_index.stories
    reader = default_reader_model().pair(profile.foreign)
    evidence = score_evidence(
        profile,
        passages,
        similarity_to(news_index, retrieved.query_vector),
        reader,
        story_of=stories.story,
        threshold=cfg.refusal_threshold,
        text_of=article_text(news_index),
    )
    scored = evidence.ranked

    # 4. Decide the sources: best copy of each story, disagreements.
    ranked = cite_best_copies(scored, BestCopies(stories, news_index.article))
    if q.prefer_recent:
        ranked = newest_first_among_best(ranked)
    if q.preferred is not None:
        ranked = in_period_first_among_best(ranked, q.preferred)
    if q.recounted_period:  # no article is dated then: only a sentence that names the period can answer
        ranked = [s for s in ranked if names_period(s.text, q.recounted_period)]
    # Disagreements are looked for before copies fold into their best copy: an edited copy may change the value.
    sides = find_conflicts(profile, scored, stories) if evidence.answered else []

    # 5. Compose: checked generation, or offline selection (also the fallback when generation fails).
    #    Who wrote or supplied a story is in its credit lines, outside the searched body: quote those.
    claims: list[Claim] | None = None
    if ranked and is_credit_question(profile.text):
        doc = credited_doc(profile.text, list(dict.fromkeys(s.passage.doc_id for s in ranked)), news_index.article)
        claims = (story_credits(doc, stories, news_index.article) if doc else []) or None
        if claims:
            use_llm, sides = False, []
    raw_reply: str | None = None
    model_refused = False
    if claims is None and use_llm and generator is not None and passages and profile.terms:
        parts: list[str] = []
        try:
            for piece in stream_reply(generator, q.standalone, passages, history):
                parts.append(piece)
                yield StreamEvent("draft", piece)
            raw_reply = "".join(parts)
            claims, model_refused = _checked_claims(raw_reply, passages, settings, news_index)
            if claims is None and not model_refused:
                notices.append(
                    "the model's answer could not be checked against the articles; showing the offline answer"
                )
        except GeneratorUnavailable as exc:
            notices.append(f"{exc}; showing the offline answer")
        if claims is None and not model_refused:
            yield StreamEvent("notice", notices[-1])
    generated = use_llm and generator is not None and (claims is not None or model_refused)
    backend = generator.name if generated and generator is not None else "offline"
    if claims is None and not model_refused:
        chosen = choose_sentences(fuller_date_first(profile, ranked), cfg.max_sentences) if evidence.answered else []
        claims = selected_claims(profile, chosen)
    claims = claims or []
    refused = not any(c.supported for c in claims)
    if not refused:
        claims = add_conflict_sides(claims, sides)
        claims = [
            replace(c, corroboration=corroboration(c.text, [x.passage.doc_id for x in c.quotes], scored, stories))
            if c.supported
            else c
            for c in claims
        ]
    timings["answer"] = (time.perf_counter() - t) * 1000
    timings["total"] = (time.perf_counter() - started) * 1000
    result = compose_answer(
        asked,
        claims,
        stories=stories,
        sides=sides if not refused else (),
        topic=TOPICS.get(profile.wants or "", "this"),
        related=related_quotes(ranked) if refused else (),
        refused=refused,
        short_answer=short_answer_of(claims) if backend == "offline" else None,
        trace=passages,
        backend=backend,
        timings_ms={k: round(v, 2) for k, v in timings.items()},
        standalone_question=q.standalone if q.standalone != asked else None,
        notice="; ".join(dict.fromkeys(notices)) or None,
        raw_answer=raw_reply,
    )
    for s in result.shown_sentences:
        yield StreamEvent("token", s.text + " ")
    yield StreamEvent("answer", answer=result)


def read_and_retrieve(
    asked: str,
    *,
    history: list[dict] | None,
    filters: Filters | None,
    news_index: NewsIndex,
    settings: Settings,
    condensed: str | None = None,
    today: date | None = None,
) -> tuple[Question, RetrievalResult, QuestionProfile]:
    """Stages 1-2 and the question's profile: what the reader (and its training) starts from.
    ``today`` is the moment relative time words are measured from (default: today)."""
    dates = [a.date for a in news_index.articles.values() if a.date]
    q = read_question(asked, history, filters, dates, today or date.today(), standalone=condensed)
    retrieved = hybrid_retrieve(
        q.standalone, news_index=news_index, settings=settings, filters=q.filters, prefer=q.preferred
    )
    keywords = news_index.keyword_index
    own = q.standalone[: len(q.standalone) - len(q.carried)].strip() if q.carried else q.standalone
    profile = profile_question(own, keywords.idf, news_index.uses_word, context=q.carried)
    return q, retrieved, profile


def article_text(news_index: NewsIndex) -> Callable[[str], str | None]:
    """doc id -> the article's text (None for an unknown id)."""

    def text_of(doc_id: str) -> str | None:
        article = news_index.article(doc_id)
        return article.text if article else None

    return text_of


def similarity_to(news_index: NewsIndex, query_vector) -> Callable[[list[Candidate]], np.ndarray]:
    """Rescaled cosines of the question to each candidate sentence (0 = as similar as unrelated texts)."""
    floor = getattr(news_index.embedder, "similarity_floor", 0.5)

    def similarities(candidates: list[Candidate]) -> np.ndarray:
        if query_vector is None or not candidates:
            return np.zeros(len(candidates))
        vectors = news_index.sentence_vectors([c.key for c in candidates])
        cosines = np.nan_to_num(vectors @ np.asarray(query_vector, dtype=np.float32), nan=floor)
        return np.clip((cosines - floor) / (1.0 - floor), 0.0, 1.0) if floor < 1.0 else np.zeros(len(candidates))

    return similarities


def names_period(sentence: str, phrase: str) -> bool:
    """Does the sentence name the period ("in March 2024" -> March and 2024), whatever the preposition?"""
    words = [w for w in re.findall(r"[A-Za-z]+|\d{4}", phrase) if w.lower() not in _PERIOD_GLUE]
    return bool(words) and all(re.search(rf"\b{re.escape(w)}\b", sentence, re.IGNORECASE) for w in words)


_PERIOD_GLUE = frozenset("in during of on since from the last this".split())


def newest_first_among_best(ranked: list[ScoredSentence], margin: float = 0.5) -> list[ScoredSentence]:
    """Among sentences close to the best (``margin`` of its probability), newer articles first; the rest
    keep their order."""
    if not ranked:
        return ranked
    top, rest = _close_to_best(ranked, margin)
    top.sort(key=lambda s: s.passage.date or "", reverse=True)
    return top + rest


def _close_to_best(ranked: list[ScoredSentence], margin: float) -> tuple[list[ScoredSentence], list[ScoredSentence]]:
    """The sentences within ``margin`` of the best one's probability, and the rest, each in their order."""
    cut = margin * ranked[0].score
    return [s for s in ranked if s.score >= cut], [s for s in ranked if s.score < cut]


def in_period_first_among_best(
    ranked: list[ScoredSentence], period: Filters, margin: float = 0.5
) -> list[ScoredSentence]:
    """A question that names a period some article is dated in ("in May 2024"): among sentences close to the
    best (``margin`` of its probability), those of articles dated in the period, or naming one of its years,
    come first and the others are set aside: a 2025 report's undated "four-day visit" does not tell of May
    2024, first or beside the one that does. Without such a sentence the order stays."""
    if not ranked or not (period.since and period.until):
        return ranked
    since, until = period.since, period.until
    years = {str(y) for y in range(int(since[:4]), int(until[:4]) + 1)}

    def fits(s: ScoredSentence) -> bool:
        dated = s.passage.date
        return bool(dated and since <= dated[:10] <= until) or bool(years & set(YEAR.findall(s.text)))

    top, rest = _close_to_best(ranked, margin)
    fitting = [s for s in top if fits(s)]
    if not fitting:
        return ranked
    return fitting + rest


def _checked_claims(
    raw: str, passages: list[Passage], settings: Settings, news_index: NewsIndex
) -> tuple[list[Claim] | None, bool]:
    """The generated reply's sentences after verification, as claims (None: nothing survived), and
    whether the model said the articles do not answer."""
    # the sentence vectors the index keeps (the passages' sentences, embedded at build time)
    similarity = sentence_similarity(news_index.embedder, passages, news_index.sentence_vectors)
    verified = verify_reply(raw, passages, settings.answer.support_threshold, similarity=similarity)
    if verified.refused:
        return [], True
    if not verified.supported:
        return None, False
    copies = BestCopies(news_index.stories, news_index.article)
    by_span = {(p.doc_id, p.start, p.end): p for p in passages}
    claims = []
    for s in verified.sentences:
        quotes = []
        for n in s.citations:
            c = verified.citations[n - 1]
            passage = by_span.get((c.doc_id, c.passage_start or 0, c.passage_end or 0))
            if passage is None:
                continue
            twin = copies.twin(c.doc_id, c.quote)
            quotes.append(
                Quote(twin.passage, twin.start, twin.end, twin.text)
                if twin
                else Quote(passage, c.start, c.end, c.quote)
            )
        claims.append(Claim(s.text, tuple(quotes), s.support, supported=s.supported and bool(quotes), reason=s.reason))
    return claims, False


def answer(question: str, **kwargs) -> Answer:
    """Answer a question from the articles (see ``answer_stream`` for the arguments)."""
    final = None
    for event in answer_stream(question, **kwargs):
        if event.kind == "answer":
            final = event.answer
    if final is None:  # answer_stream always ends with an answer event
        raise RuntimeError("answer_stream ended without an answer")
    return final
