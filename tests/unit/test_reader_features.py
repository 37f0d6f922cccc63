"""Features of the reader that read the sentence's form: a snippet cut short, a year other than the asked one."""

import numpy as np

from rag.evidence import candidates_of
from rag.features import FEATURES, feature_matrix
from rag.focus import profile_question
from rag.records import Passage


def _features(question: str, text: str) -> dict[str, list[float]]:
    passage = Passage("c1", "d1", 0, len(text), text, 1.0)
    candidates = candidates_of([passage])
    x = feature_matrix(profile_question(question, lambda w: 1.0), candidates, np.zeros(len(candidates)))
    return {name: list(x[:, i]) for i, name in enumerate(FEATURES)}


def test_a_sentence_that_breaks_off_is_truncated():
    f = _features("When was the game released?", "The game was released in July. The release is slated for July ...")
    assert f["truncated"] == [0.0, 1.0]


def test_a_sentence_about_another_year_than_the_asked_one_is_marked():
    text = "Medvedev won the 2019 U.S. Open. Thiem won the 2020 U.S. Open. Thiem won again."
    f = _features("Who won the U.S. Open in 2020?", text)
    # the third sentence names no year itself, but the one before it names the asked year
    assert f["other_year"] == [1.0, 0.0, 0.0]
    assert _features("Who won the U.S. Open?", text)["other_year"] == [0.0, 0.0, 0.0]
