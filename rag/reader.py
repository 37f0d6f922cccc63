"""The reader's learned models: rank candidate sentences, then decide whether the question is answered.

Both are linear models over named features (rag/features.py) read as probabilities
(the ranker fit to pick each question's answer among its own candidates, then scaled to
probabilities; answerability a logistic regression), trained by
``python -m eval.train_reader`` on training data that never includes the seed
test split; the weights live in ``rag/models/reader.json`` and are applied here
with numpy alone. A question in another language than the corpus uses the
cross-language pair, trained without the word-matching features.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from newsdesk.errors import NewsdeskError
from rag.features import ANSWERABILITY_FEATURES, FEATURES

MODEL_PATH = Path(__file__).resolve().parent / "models" / "reader.json"


class ReaderModelError(NewsdeskError):
    """The reader's model file is missing or does not fit this code's features."""


@dataclass(frozen=True)
class LogisticModel:
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def probability(self, x: np.ndarray) -> np.ndarray:
        x = np.atleast_2d(np.asarray(x, dtype=np.float64))
        z = ((x - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))

    def to_json(self) -> dict:
        return {
            "features": list(self.features),
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            "coef": [round(float(v), 6) for v in self.coef],
            "intercept": round(float(self.intercept), 6),
        }

    @classmethod
    def from_json(cls, data: dict, expected: tuple[str, ...]) -> LogisticModel:
        if tuple(data["features"]) != expected:
            raise ReaderModelError(
                "the reader's model was trained on other features than this code computes: "
                "run `python -m eval.train_reader`"
            )
        return cls(
            tuple(data["features"]),
            np.asarray(data["mean"], dtype=np.float64),
            np.asarray(data["scale"], dtype=np.float64),
            np.asarray(data["coef"], dtype=np.float64),
            float(data["intercept"]),
        )


@dataclass(frozen=True)
class ReaderPair:
    """A ranker and an answerability model with its refusal threshold."""

    ranker: LogisticModel
    answerable: LogisticModel
    threshold: float  # refuse when P(answerable) is below it

    def to_json(self) -> dict:
        return {"ranker": self.ranker.to_json(), "answerable": self.answerable.to_json(), "threshold": self.threshold}

    @classmethod
    def from_json(cls, data: dict) -> ReaderPair:
        return cls(
            LogisticModel.from_json(data["ranker"], FEATURES),
            LogisticModel.from_json(data["answerable"], ANSWERABILITY_FEATURES),
            float(data["threshold"]),
        )


@dataclass(frozen=True)
class ReaderModel:
    same_language: ReaderPair
    cross_language: ReaderPair
    info: dict  # what it was trained on, and its cross-validated scores

    def pair(self, foreign: bool) -> ReaderPair:
        return self.cross_language if foreign else self.same_language

    def to_json(self) -> dict:
        return {
            "same_language": self.same_language.to_json(),
            "cross_language": self.cross_language.to_json(),
            "info": self.info,
        }


def load_reader_model(path: Path | str = MODEL_PATH) -> ReaderModel:
    """Read a trained reader model; one clear error when it is missing or stale."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return ReaderModel(
            ReaderPair.from_json(data["same_language"]),
            ReaderPair.from_json(data["cross_language"]),
            data.get("info", {}),
        )
    except FileNotFoundError as exc:
        raise ReaderModelError(f"the reader's model {path} is missing: run `python -m eval.train_reader`") from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise ReaderModelError(f"the reader's model {path} is unreadable ({exc.__class__.__name__})") from exc


@lru_cache(maxsize=4)
def default_reader_model() -> ReaderModel:
    return load_reader_model(MODEL_PATH)
