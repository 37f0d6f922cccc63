"""What the evidence ranker sees of a candidate sentence: a fixed, named feature vector.

Every feature is general (no word lists from a suite): how much of the question
and of its focus the sentence holds, how close it is in meaning, whether it
holds a phrase of the asked kind next to the focus, and where its passage
ranked. ``LEXICAL`` features depend on the question's words matching the
corpus's language; for a question in another language they are zeroed and the
cross-language model, trained the same way without them, is used.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from newsdesk.text.dates import DATE_PHRASE, YEAR
from newsdesk.text.overlap import SAME_CLAIM, has_word, same_claim_overlap, weighted_coverage, word_set
from rag.focus import QuestionProfile
from rag.records import Passage
from rag.spans import focus_distance, span_detail, typed_spans

FEATURES: tuple[str, ...] = (
    "coverage",  # rarity-weighted share of the question's key words in the sentence
    "coverage_context",  # the same, over the sentence and the one before it (anaphora: "the meeting")
    "missing",  # rarity of the rarest question word the sentence (with the one before it) lacks, over the rarest's
    "focus",  # share of the question's focus words in the sentence
    "focus_context",  # the same, over the sentence and the one before it
    "names",  # share of the question's name words in the sentence
    "similarity",  # question-sentence cosine, rescaled for the model (0 = unrelated)
    "similarity_gap",  # similarity minus the best candidate's
    "similarity_rank",  # 1 / (1 + rank by similarity)
    "typed",  # holds a phrase of the asked kind the question does not hold
    "typed_near_focus",  # ... within three words of a focus word ("15,000 troops")
    "typed_detail",  # how much the most telling such phrase says ("July 21, 2017" 1, "July 2017" 0.67, "2017" 0.33)
    "untyped_question",  # the question asks for no particular kind of phrase
    "passage_rank",  # 1 / (1 + the passage's rank in retrieval)
    "passage_dense",  # the passage's dense similarity, min-max scaled among the retrieved
    "passage_keyword",  # the passage's BM25 score over the best one's
    "question_sentence",  # the sentence is itself a question
    "fragment",  # a heading, caption or fragment
    "truncated",  # the text breaks off ("... slated for July ..."): a search snippet or a cut feed summary
    "other_year",  # the question names a year; the sentence (with the one before it, else its article's date)
    # names only other years
    "corroborated",  # other stories among the candidates state it (0, 0.5, 1)
    "unknown_names",  # the question names someone the corpus never mentions
    "lead",  # one of the article's first sentences (news puts the main facts first)
    "focus_asked",  # the question names what it asks for ("which venue", "how many troops", "what gift")
    "coverage_x_typed",
    "similarity_x_typed",
    "coverage_x_similarity",
    "focus_x_similarity",
)
LEXICAL = frozenset(
    {
        "coverage",
        "coverage_context",
        "missing",
        "focus",
        "focus_context",
        "names",
        "coverage_x_typed",
        "coverage_x_similarity",
        "focus_x_similarity",
        "focus_asked",
    }
)
LEAD_CHARS = 600  # "lead": starts within the article's first characters (headline, standfirst, first paragraph)


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage, in the original article's offsets."""

    passage: Passage
    passage_rank: int
    start: int
    end: int
    text: str
    previous: str  # the sentence before it in the same passage ("" for the first)

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.passage.doc_id, self.start, self.end)


def _share(terms: Sequence[str], text: str) -> float:
    if not terms:
        return 0.0
    found = word_set(text)
    return sum(1 for t in terms if has_word(found, t)) / len(terms)


def _missing(profile: QuestionProfile, text: str) -> float:
    """The weight of the heaviest question word ``text`` lacks, relative to the heaviest question word."""
    heaviest = max(profile.weights, default=0.0)
    if heaviest <= 0:
        return 0.0
    found = word_set(text)
    lacking = [w for t, w in zip(profile.terms, profile.weights) if not has_word(found, t)]
    return max(lacking, default=0.0) / heaviest


def _dateline(text: str) -> bool:
    """A bare date, as a search snippet or a wire story opens ("Jul 12, 2018 ..."): when it was published."""
    return bool(text.strip()) and not re.sub(r"[\W_]+", "", DATE_PHRASE.sub("", text))


# "The first American stage winner since 2011": a year after "since" measures from it, the sentence is not about it.
_SINCE_YEAR = re.compile(r"\bsince\s+(?:(?:early|late|mid-?)\s*)?(?:[A-Z][a-z]+\.?\s+)?(?:19|20)\d\d\b", re.IGNORECASE)


def _years_of(text: str) -> set[str]:
    return set(YEAR.findall(_SINCE_YEAR.sub(" ", text)))


def other_year(question_years: set[str], text: str, previous: str = "", dated: str | None = None) -> float:
    """1 when the question names a year and the sentence (with the one before it) names years, none of them
    the question's: "the 2019 U.S. Open" does not answer a question about 2020. A sentence that names no
    year speaks of its article's time: a 2025 report's "four-day state visit" does not answer "in May
    2024". A dateline before the sentence is the article's time too: after "Jul 12, 2018 ...", "the 2010
    World Cup" is still 2010. A year after "since" does not count ("the first winner since 2011")."""
    if not question_years:
        return 0.0
    years = _years_of(text if _dateline(previous) else previous + " " + text) or _years_of(previous)
    if not years and dated and YEAR.fullmatch(dated[:4]):
        years = {dated[:4]}
    return 1.0 if years and not years & question_years else 0.0


def _fragment(text: str) -> float:
    stripped = text.strip()
    return 1.0 if len(stripped.split()) < 5 or stripped[-1:] not in '.!"”’)' else 0.0


def feature_matrix(
    profile: QuestionProfile, candidates: Sequence[Candidate], similarities: np.ndarray, story_of=None
) -> np.ndarray:
    """(len(candidates), len(FEATURES)) float matrix; ``similarities`` are rescaled cosines, one per candidate."""
    n = len(candidates)
    x = np.zeros((n, len(FEATURES)), dtype=np.float64)
    if n == 0:
        return x
    col = {name: i for i, name in enumerate(FEATURES)}
    dense = [c.passage.dense_score for c in candidates if c.passage.dense_score is not None]
    lo, hi = (min(dense), max(dense)) if dense else (0.0, 0.0)
    keyword_best = max((c.passage.keyword_score or 0.0) for c in candidates) or 1.0
    sims = np.nan_to_num(np.asarray(similarities, dtype=np.float64), nan=0.0)
    order = np.argsort(-sims, kind="stable")
    sim_rank = np.empty(n)
    sim_rank[order] = np.arange(n)
    best_sim = float(sims.max())
    story = story_of or (lambda doc: doc)
    name_terms = tuple(t for t in profile.terms if t in profile.names)
    question_years = set(YEAR.findall(profile.text))
    for i, c in enumerate(candidates):
        row = x[i]
        row[col["coverage"]] = weighted_coverage(profile.terms, profile.weights, c.text)
        row[col["coverage_context"]] = weighted_coverage(profile.terms, profile.weights, c.previous + " " + c.text)
        row[col["missing"]] = _missing(profile, c.previous + " " + c.text)
        row[col["focus"]] = _share(profile.focus, c.text)
        row[col["focus_context"]] = _share(profile.focus, c.previous + " " + c.text)
        row[col["names"]] = _share(name_terms, c.text) if name_terms else 1.0
        row[col["similarity"]] = sims[i]
        row[col["similarity_gap"]] = sims[i] - best_sim
        row[col["similarity_rank"]] = 1.0 / (1.0 + sim_rank[i])
        spans = typed_spans(profile, c.text)
        row[col["typed"]] = 1.0 if spans else 0.0
        distances = [d for s in spans if (d := focus_distance(profile, c.text, s)) is not None]
        row[col["typed_near_focus"]] = 1.0 if distances and min(distances) <= 3 else 0.0
        row[col["typed_detail"]] = max((span_detail(profile.wants, s) for s in spans), default=0.0)
        row[col["untyped_question"]] = 1.0 if profile.wants is None else 0.0
        row[col["passage_rank"]] = 1.0 / (1.0 + c.passage_rank)
        dense_score = c.passage.dense_score
        row[col["passage_dense"]] = (dense_score - lo) / (hi - lo) if (dense_score is not None and hi > lo) else 0.5
        row[col["passage_keyword"]] = (c.passage.keyword_score or 0.0) / keyword_best
        row[col["question_sentence"]] = 1.0 if c.text.strip().endswith("?") else 0.0
        row[col["fragment"]] = _fragment(c.text)
        row[col["truncated"]] = 1.0 if re.search(r"(?:\.\.\.|…)\W*$", c.text.strip()) else 0.0
        row[col["other_year"]] = other_year(question_years, c.text, c.previous, c.passage.date)
        row[col["unknown_names"]] = 1.0 if profile.unknown_names else 0.0
        row[col["lead"]] = 1.0 if c.start < LEAD_CHARS else 0.0
        row[col["focus_asked"]] = 1.0 if profile.focus_asked else 0.0
    # Corroboration: other stories among the candidates stating the same claim.
    for i, c in enumerate(candidates):
        others = {
            story(o.passage.doc_id)
            for o in candidates
            if story(o.passage.doc_id) != story(c.passage.doc_id) and same_claim_overlap(c.text, o.text) >= SAME_CLAIM
        }
        x[i, col["corroborated"]] = min(len(others), 2) / 2
    x[:, col["coverage_x_typed"]] = x[:, col["coverage"]] * x[:, col["typed"]]
    x[:, col["similarity_x_typed"]] = x[:, col["similarity"]] * x[:, col["typed"]]
    x[:, col["coverage_x_similarity"]] = x[:, col["coverage"]] * x[:, col["similarity"]]
    x[:, col["focus_x_similarity"]] = x[:, col["focus"]] * x[:, col["similarity"]]
    if profile.foreign:
        for name in LEXICAL:
            x[:, col[name]] = 0.0
    return x


# What the answerability model sees of a question: its best candidates, summarised.
ANSWERABILITY_FEATURES: tuple[str, ...] = (
    "best_probability",
    "second_probability",
    "best_coverage",
    "best_focus",
    "best_typed",
    "best_typed_near_focus",
    "best_similarity",
    "max_similarity",
    "max_focus",
    "untyped_question",
    "unknown_names",
    "best_names",
    "best_fragment",
    "best_missing",
    "typed_near_focus_anywhere",
    "focus_in_corpus",
    "best_focus_context",
    "top_focus",
    "asked_focus_unstated",
    "focus_stated",  # the focus gate's verdict (rag.evidence.states_focus), as evidence the model weighs
    "top_other_year",  # the question names a year; each of the best few sentences names only other years
    "said_unreported",  # the question asks what someone said; none of the best few quotes or reports speech
)
ANSWERABILITY_TOP = 3  # the answer quotes the best sentence and close runners-up: what the best few state counts
# Summaries that match the question's words, though not through the ranker features the cross-language pair
# switches off: a focus word next to a typed phrase, the focus gate, a capitalised word the corpus never uses
# (in German every noun is one). For a question in another language they carry no meaning, only a bias
# against it (the English questions the pair also learns from do match): zero for that pair.
CROSS_LANGUAGE_OFF = frozenset(
    {"best_typed_near_focus", "typed_near_focus_anywhere", "unknown_names", "focus_stated", "said_unreported"}
)
# "What did Xi say in his speech?" is answered by what he said, quoted or reported, not by a sentence about
# the speech that names the same people and places.
_ASKS_WHAT_WAS_SAID = re.compile(r"^\W*what\b.*\b(?:say|said|tell|told|write|wrote|describe|call)\b", re.IGNORECASE)
_REPORTS_SPEECH = re.compile(r'["“”«»]|\bsaid\b|\bsays\b|\btold\b|\bstated\b')


def _log_odds(p: float) -> float:
    """The ranker's probability on the scale its evidence adds up on: 0.03 and 0.003 differ as much as 0.5
    and 0.9 (most probabilities sit near 0, where a linear model cannot tell them apart)."""
    p = min(max(float(p), 1e-4), 1 - 1e-4)
    return float(np.log(p / (1 - p)))


def _said_unreported(question: str, best_texts: Sequence[str]) -> float:
    """1 when the question asks what someone said and none of ``best_texts`` quotes or reports speech."""
    if not best_texts or not _ASKS_WHAT_WAS_SAID.search(question):
        return 0.0
    return 0.0 if any(_REPORTS_SPEECH.search(t) for t in best_texts) else 1.0


def answerability_features(
    x: np.ndarray,
    probabilities: np.ndarray,
    focus_in_corpus: float = 1.0,
    *,
    focus_stated: bool = True,
    cross_language: bool = False,
    question: str = "",
    texts: Sequence[str] = (),
) -> np.ndarray:
    """One row: the ranker's best candidate's features and what the best of all candidates reach.
    ``focus_stated`` is the focus gate's verdict; ``cross_language`` zeroes ``CROSS_LANGUAGE_OFF``;
    ``texts`` are the candidates' sentences, in the order of ``x``."""
    col = {name: i for i, name in enumerate(FEATURES)}
    out = np.zeros(len(ANSWERABILITY_FEATURES))
    if len(probabilities) == 0:
        return out
    order = np.argsort(-probabilities, kind="stable")
    best = x[order[0]]
    top = order[:ANSWERABILITY_TOP]
    top_focus = float(x[top, col["focus_context"]].max())
    out[:] = [
        _log_odds(probabilities[order[0]]),
        _log_odds(probabilities[order[1]]) if len(order) > 1 else _log_odds(0.0),
        best[col["coverage"]],
        best[col["focus"]],
        best[col["typed"]],
        best[col["typed_near_focus"]],
        best[col["similarity"]],
        x[:, col["similarity"]].max(),
        x[:, col["focus"]].max(),
        best[col["untyped_question"]],
        best[col["unknown_names"]],
        best[col["names"]],
        best[col["fragment"]],
        best[col["missing"]],
        x[:, col["typed_near_focus"]].max(),
        focus_in_corpus,
        best[col["focus_context"]],
        top_focus,
        # "What gift ...?", "which agreements ...?": evidence that never names the thing asked about rarely
        # answers. (For "which broadcaster" or "which city" a name of that kind stands in for the noun.)
        best[col["focus_asked"]] * best[col["untyped_question"]] * (1.0 if top_focus == 0 else 0.0),
        1.0 if focus_stated else 0.0,
        # "Who won the 2018 Tour?" over sentences about 2019 and 2021: the right event in the wrong year.
        float(x[top, col["other_year"]].min()),
        _said_unreported(question, [texts[i] for i in top] if len(texts) == len(x) else []),
    ]
    if cross_language:
        for name in CROSS_LANGUAGE_OFF:
            out[ANSWERABILITY_FEATURES.index(name)] = 0.0
    return out
