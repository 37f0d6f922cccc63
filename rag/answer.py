"""``answer()`` and ``answer_stream()``: the public way to ask Newsdesk a question."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

from index.embedders.base import rescaled_similarity
from newsdesk.errors import GeneratorUnavailable, QuestionError
from newsdesk.safetext import clean_question_text
from newsdesk.settings import Settings, load_settings
from rag.conversation import needs_history, standalone_question
from rag.evidence import profile_question
from rag.generate import condense_question, stream_reply
from rag.llms.base import Generator
from rag.newsindex import NewsIndex
from rag.offline import answer_offline, refusal_text, related_passages, score_sentences
from rag.records import Answer
from rag.retrieve import Filters, hybrid_retrieve
from rag.sources import add_conflicts, count_corroboration, find_conflicts, merge_story_copies, prefer_best_copies
from rag.timewords import time_scope
from rag.verify import verify_reply

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class StreamEvent:
    """``kind`` is "token" (a piece of the reply as it arrives), "notice", or "answer" (the final, checked Answer)."""

    kind: str
    text: str = ""
    answer: Answer | None = None


def clean_question(question: str, max_chars: int) -> str:
    """Strip control characters; refuse empty or over-long questions with a clear message."""
    if not isinstance(question, str):
        raise QuestionError("the question must be text")
    text = clean_question_text(question)
    if not text:
        raise QuestionError("the question is empty: type a question about the articles")
    if len(text) > max_chars:
        raise QuestionError(f"the question is {len(text):,} characters long; the limit is {max_chars:,}")
    return text


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
) -> Iterator[StreamEvent]:
    """Yield the reply as it is produced, then one final "answer" event with the checked Answer."""
    settings = settings or (news_index.settings if news_index else load_settings())
    cfg = settings.answer
    question = clean_question(question, cfg.max_question_chars)
    started = time.perf_counter()
    news_index = news_index or NewsIndex(settings)
    use_llm = generator is not None or cfg.backend == "openai"
    notice = None
    if use_llm and generator is None:
        try:
            generator = make_generator(settings)
        except GeneratorUnavailable as exc:
            notice, use_llm = f"{exc}; showing the offline answer", False
    standalone = standalone_question(question, history)
    if use_llm and history and needs_history(question):
        try:
            standalone = condense_question(generator, question, history)
        except GeneratorUnavailable as exc:
            notice, use_llm = f"{exc}; showing the offline answer", False
    filters, scope_notice, prefer_recent = _apply_time_words(standalone, filters, news_index)
    notice = notice or scope_notice
    retrieved = hybrid_retrieve(standalone, news_index=news_index, settings=settings, filters=filters)
    timings = {
        "retrieve": sum(retrieved.timings_ms.values()),
        **{f"retrieve.{k}": v for k, v in retrieved.timings_ms.items()},
    }
    keywords = news_index.keyword_index
    carried = standalone[len(question) :] if standalone.startswith(question) else ""
    profile = profile_question(question if carried else standalone, keywords.idf, keywords.has_word, context=carried)
    every_sentence = score_sentences(profile, retrieved.passages)
    ranked = merge_story_copies(every_sentence, news_index.stories)
    if prefer_recent:
        ranked = newest_first_among_best(ranked)
    t = time.perf_counter()
    result: Answer | None = None
    raw_reply: str | None = None
    if use_llm and retrieved.passages:
        raw_parts: list[str] = []
        try:
            for piece in stream_reply(generator, standalone, retrieved.passages, history):
                raw_parts.append(piece)
                yield StreamEvent("token", piece)
            raw_reply = "".join(raw_parts)
            result = _checked_answer(question, raw_reply, retrieved.passages, settings, news_index, generator.name)
            if result is None:
                notice = "the model's answer could not be checked against the articles; showing the offline answer"
        except GeneratorUnavailable as exc:
            notice = f"{exc}; showing the offline answer"
        if result is None:
            yield StreamEvent("notice", notice or "")
    if result is None:
        result = answer_offline(
            question,
            profile,
            retrieved.passages,
            max_sentences=cfg.max_sentences,
            threshold=cfg.refusal_threshold,
            ranked=ranked,
        )
        if not result.refused:
            for s in result.sentences:
                yield StreamEvent("token", s.text + " ")
    elif result.refused:  # the model said the articles don't answer: offer the closest passages too
        result = replace(result, related=related_passages(ranked))
    if not result.refused:
        # Disagreements are looked for before copies merge: an edited copy may change the value.
        result = _know_the_sources(result, profile, every_sentence, news_index, cfg.refusal_threshold)
    timings["answer"] = (time.perf_counter() - t) * 1000
    timings["total"] = (time.perf_counter() - started) * 1000
    result = replace(
        result,
        timings_ms={k: round(v, 2) for k, v in timings.items()},
        standalone_question=standalone if standalone != question else None,
        notice=notice or result.notice,
        raw_answer=result.raw_answer or raw_reply,
    )
    yield StreamEvent("answer", answer=result)


def _apply_time_words(question: str, filters: Filters | None, news_index: NewsIndex):
    """Turn "in May 2024" / "last September" into a date filter (when some article is dated then),
    and "the most recent" into a preference for newer articles."""
    scope = time_scope(question, date.today())
    if filters or not (scope.since or scope.until):
        return filters, None, scope.prefer_recent
    dated = [a.date for a in news_index.articles.values() if a.date]
    if any(scope.since <= d <= scope.until for d in dated):
        return Filters(since=scope.since, until=scope.until), None, scope.prefer_recent
    return filters, f"no article is dated {scope.phrase.strip()!s}; searched all articles", scope.prefer_recent


def newest_first_among_best(ranked, margin: float = 0.8):
    """Among sentences close to the best score, newer articles first; the rest keep their order."""
    if not ranked:
        return ranked
    cut = margin * ranked[0].score
    top = [s for s in ranked if s.score >= cut]
    rest = [s for s in ranked if s.score < cut]
    top.sort(key=lambda s: s.passage.date or "", reverse=True)
    return top + rest


_TOPICS = {"number": "how many", "duration": "how long", "date": "when", "person": "who", "place": "where"}


def _know_the_sources(result: Answer, profile, ranked, news_index: NewsIndex, threshold: float) -> Answer:
    """Show disagreements, cite the best copy of each story, count independent stories."""
    stories = news_index.stories
    sides = find_conflicts(profile, ranked, stories, threshold)
    if sides:
        result = add_conflicts(result, sides, topic=_TOPICS.get(profile.wants, "this"))
    result = prefer_best_copies(result, stories, news_index.article)
    return count_corroboration(result, stories)


def _checked_answer(
    question: str, raw: str, passages, settings: Settings, news_index: NewsIndex, backend: str
) -> Answer | None:
    """The generated reply after verification; None when nothing in it survives the check."""
    claim_vectors: dict[str, object] = {}

    def similarity(claim: str, passage) -> float:
        """Cosine of the claim to the cited chunk's stored vector (one query embedding per claim)."""
        if claim not in claim_vectors:
            claim_vectors[claim] = news_index.embedder.embed_query(claim)
        cosine = news_index.chunks.similarities(claim_vectors[claim], [passage.chunk_id]).get(passage.chunk_id, 0.0)
        return rescaled_similarity(cosine, getattr(news_index.embedder, "similarity_floor", 0.5))

    verified = verify_reply(raw, passages, settings.answer.support_threshold, similarity=similarity)
    if verified.refused:
        return Answer(
            question=question,
            text=refusal_text(question),
            refused=True,
            trace=passages,
            backend=backend,
            raw_answer=raw,
        )
    if not verified.supported:
        return None
    return Answer(
        question=question,
        text=verified.text,
        refused=False,
        sentences=verified.sentences,
        citations=verified.citations,
        trace=passages,
        backend=backend,
        raw_answer=raw,
    )


def answer(question: str, **kwargs) -> Answer:
    """Answer a question from the articles (see ``answer_stream`` for the arguments)."""
    final = None
    for event in answer_stream(question, **kwargs):
        if event.kind == "answer":
            final = event.answer
    if final is None:  # answer_stream always ends with an answer event
        raise RuntimeError("answer_stream ended without an answer")
    return final
