"""Pure metric functions: answer matching, retrieval ranks, ALCE citation scores, aggregation.

Every per-case score is a float in [0, 1] or ``None`` when it does not apply
to that case (e.g. hit@k on an unanswerable case). An aggregate is the mean of
the scores that apply, with its count; when none apply it is ``None``, never 0.
"""

from __future__ import annotations

import math
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence

from newsdesk.text.dates import MONTH_NUMBERS

HIT_KS = (1, 3, 5, 10)
MAX_K = 10

_PUNCT = set(string.punctuation) | {
    "\u2018",
    "\u2019",
    "\u201c",
    "\u201d",
    "\u2013",
    "\u2014",
    "\u2026",
    "\u00ab",
    "\u00bb",
}
_ARTICLES = re.compile(r"\b(a|an|the)\b")


def _fold_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def normalize_text(text: str) -> str:
    """SQuAD-style normalisation: NFKC, lower case, accents folded ("Chloe Zhao" names "Chloé Zhao", as a
    source without accents writes it), punctuation to spaces, no articles, single spaces."""
    text = unicodedata.normalize("NFKC", _fold_accents(unicodedata.normalize("NFKC", text).lower())).lower()
    text = "".join(" " if ch in _PUNCT else ch for ch in text)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


_MONTH = r"(?P<month>" + "|".join(sorted(MONTH_NUMBERS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_DATES = [
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+(?:of\s+)?{_YEAR}\b", re.IGNORECASE),  # November 21, 1998 / 21 of 1998
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE),  # 21 November 1998 / 21st of Nov.
    re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b"),  # 1998-11-21
]


def dates_in(text: str) -> set[tuple[int, int, int]]:
    """Every full calendar date (year, month, day) written in the text, in the usual English forms."""
    found: set[tuple[int, int, int]] = set()
    for pattern in _DATES:
        for m in pattern.finditer(text):
            month = m.group("month").lower()
            number = int(month) if month.isdigit() else MONTH_NUMBERS[month]
            day = int(m.group("day"))
            if 1 <= number <= 12 and 1 <= day <= 31:
                found.add((int(m.group("year")), number, day))
    return found


def contains_alias(text: str, alias: str) -> bool:
    """The normalised alias occurs in the normalised text, starting at a word boundary; an alias that is
    a full date also matches the same date written another way ("November 21 of 1998").

    The start boundary keeps "23" from matching inside "2023"; the end is left open so
    an inflected form counts ("axis of upheaval" in "the axis of upheavals"), as the
    seed suite's substring rule intends.
    """
    needle = normalize_text(alias)
    if not needle:
        return False
    if f" {needle}" in f" {normalize_text(text)}":
        return True
    asked = dates_in(alias)
    return bool(asked) and bool(asked & dates_in(text))


def answer_contains(text: str, answers: Sequence[str], match: str) -> bool:
    """``any``: one alias suffices; ``all``: every string must appear."""
    if not answers:
        raise ValueError("answer_contains needs at least one acceptable answer")
    found = [contains_alias(text, a) for a in answers]
    return all(found) if match == "all" else any(found)


def answer_correct(*, answerable: bool, refused: bool, text: str, answers: Sequence[str], match: str) -> bool:
    """Unanswerable: correct iff refused. Answerable: not refused and the answer text holds the alias(es)."""
    if not answerable:
        return refused
    return not refused and answer_contains(text, answers, match)


def exact_match(prediction: str, answers: Sequence[str]) -> float:
    """1.0 when the normalised prediction equals a normalised alias."""
    pred = normalize_text(prediction)
    return float(any(pred == normalize_text(a) for a in answers))


def _f1(pred_tokens: list[str], gold_tokens: list[str]) -> float:
    common = Counter(pred_tokens) & Counter(gold_tokens)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred_tokens), same / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def token_f1(prediction: str, answers: Sequence[str]) -> float:
    """Best SQuAD token F1 of the prediction against any alias."""
    pred = normalize_text(prediction).split()
    return max((_f1(pred, normalize_text(a).split()) for a in answers), default=0.0)


def first_hit_rank(ranked_doc_ids: Sequence[str], gold: Iterable[str], k: int = MAX_K) -> int | None:
    """1-based rank of the first passage from a gold document within the top k, else None."""
    gold = set(gold)
    for rank, doc_id in enumerate(ranked_doc_ids[:k], start=1):
        if doc_id in gold:
            return rank
    return None


def hit_at(rank: int | None, k: int) -> float:
    return float(rank is not None and rank <= k)


def reciprocal_rank(rank: int | None) -> float:
    return 1.0 / rank if rank else 0.0


def recall_at(ranked_doc_ids: Sequence[str], gold: Sequence[str], k: int = MAX_K) -> float:
    """Share of the gold documents found among the top k passages."""
    gold_set = set(gold)
    if not gold_set:
        raise ValueError("recall needs at least one gold document")
    return len(gold_set & set(ranked_doc_ids[:k])) / len(gold_set)


SupportFn = Callable[[str, Sequence[str]], bool]


def alce_citation_scores(
    sentences: Sequence[tuple[str, Sequence[int]]], quotes: Mapping[int, str], supports: SupportFn
) -> tuple[float, float] | None:
    """ALCE citation (recall, precision) of one answer; None when it has no sentences.

    Recall: share of sentences whose cited passages together support them.
    Precision: share of citations that are relevant -- the sentence is supported
    by all its citations, and the citation alone supports it or removing it
    breaks that support (Gao et al., 2023, "Enabling LLMs to generate text with
    citations"). A sentence without citations counts as unsupported.
    """
    if not sentences:
        return None
    supported = 0
    relevant = 0
    total = 0
    for claim, cited in sentences:
        cited = [n for n in dict.fromkeys(cited) if n in quotes]
        total += len(cited)
        joint = bool(cited) and supports(claim, [quotes[n] for n in cited])
        supported += joint
        if not joint:
            continue
        if len(cited) == 1:
            relevant += 1
            continue
        for n in cited:
            if supports(claim, [quotes[n]]):
                relevant += 1
            elif not supports(claim, [quotes[m] for m in cited if m != n]):
                relevant += 1
    return supported / len(sentences), (relevant / total if total else 0.0)


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default), q in [0, 100]."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def aggregate(scores: Iterable[Mapping[str, float | None]]) -> tuple[dict[str, float | None], dict[str, int]]:
    """Mean of each metric over the cases it applies to, and how many those were."""
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for row in scores:
        for name, value in row.items():
            counts.setdefault(name, 0)
            sums.setdefault(name, 0.0)
            if value is None:
                continue
            sums[name] += value
            counts[name] += 1
    means = {name: (sums[name] / counts[name] if counts[name] else None) for name in sorted(sums)}
    return means, {name: counts[name] for name in sorted(counts)}


def latency_metrics(timings: Iterable[Mapping[str, float]]) -> tuple[dict[str, float], dict[str, int]]:
    """p50 and p95 in milliseconds of every stage that was timed."""
    per_stage: dict[str, list[float]] = {}
    for row in timings:
        for stage, ms in row.items():
            per_stage.setdefault(stage, []).append(float(ms))
    out: dict[str, float] = {}
    counts: dict[str, int] = {}
    for stage in sorted(per_stage):
        for q in (50, 95):
            out[f"latency.{stage}.p{q}_ms"] = round(percentile(per_stage[stage], q), 2)
            counts[f"latency.{stage}.p{q}_ms"] = len(per_stage[stage])
    return out, counts


def case_scores(
    *,
    answerable: bool,
    expect_conflict: bool,
    gold: Sequence[str],
    answers: Sequence[str],
    match: str,
    refused: bool,
    text: str,
    short_answer: str | None,
    ranked_doc_ids: Sequence[str],
    citation: tuple[float, float] | None,
    conflict_found: bool,
) -> dict[str, float | None]:
    """Every per-case score under its flat metric name (None where it does not apply)."""
    retrieval = answerable and bool(gold)
    rank = first_hit_rank(ranked_doc_ids, gold) if retrieval else None
    short = short_answer if (answerable and not refused and short_answer) else None
    scores: dict[str, float | None] = {
        "answer.accuracy": float(
            answer_correct(answerable=answerable, refused=refused, text=text, answers=answers, match=match)
        ),
        "answer.exact_match": exact_match(short, answers) if short else None,
        "answer.token_f1": token_f1(short, answers) if short else None,
        "citation.recall": citation[0] if citation else None,
        "citation.precision": citation[1] if citation else None,
        "refusal.recall": float(refused) if not answerable else None,
        "refusal.false_refusal_rate": float(refused) if answerable else None,
        "conflict_detection.recall": float(conflict_found) if expect_conflict else None,
        "conflict_detection.false_alarm_rate": float(conflict_found) if not expect_conflict else None,
    }
    for k in range(1, MAX_K + 1):
        scores[f"retrieval.hit@{k}"] = hit_at(rank, k) if retrieval else None
    scores["retrieval.mrr@10"] = reciprocal_rank(rank) if retrieval else None
    scores["retrieval.recall@10"] = recall_at(ranked_doc_ids, gold) if retrieval else None
    return scores
