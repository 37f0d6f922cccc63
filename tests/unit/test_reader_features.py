"""Features of the reader that read the sentence's form: a snippet cut short, a year other than the asked one."""

import numpy as np

from rag.evidence import candidates_of
from rag.features import ANSWERABILITY_FEATURES, FEATURES, answerability_features, feature_matrix
from rag.focus import profile_question
from rag.records import Passage


def _features(question: str, text: str, dated: str | None = None) -> dict[str, list[float]]:
    passage = Passage("c1", "d1", 0, len(text), text, 1.0, date=dated)
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


def test_a_sentence_that_names_no_year_speaks_of_its_articles_year():
    text = "Putin concluded a four-day state visit to Beijing. In 2024 he stayed two days."
    asked = "How long was Putin's state visit to China in May 2024?"
    assert _features(asked, text, dated="2025-09-03")["other_year"] == [1.0, 0.0]
    assert _features(asked, text, dated="2024-05-16")["other_year"] == [0.0, 0.0]
    assert _features(asked, text)["other_year"] == [0.0, 0.0]  # undated: nothing to tell


def test_answerability_reads_the_rankers_probability_as_log_odds():
    """Most probabilities sit near 0: on the log-odds scale 0.003 and 0.03 are as far apart as 0.5 and 0.9."""
    x = np.zeros((3, len(FEATURES)))
    low = answerability_features(x, np.array([0.003, 0.001, 0.0]))
    higher = answerability_features(x, np.array([0.03, 0.001, 0.0]))
    col = ANSWERABILITY_FEATURES.index("best_probability")
    assert higher[col] - low[col] > 2.0
    edge = answerability_features(x[:1], np.array([1.0]))  # no runner-up, a certain best: finite
    assert np.isfinite(edge).all()
