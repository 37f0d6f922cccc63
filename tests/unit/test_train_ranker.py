"""The evidence ranker is fit to pick each question's answer among that question's own candidates."""

import numpy as np
import pytest

from eval.train_reader import fit_listwise_ranker, fit_logistic

NAMES = ("quality", "question_level", "noise")


def _groups(seed: int = 0, questions: int = 60, candidates: int = 8):
    """Each question: one positive (the best quality), a feature constant within the question that says
    only whether the question is easy (easy questions have their positive among the candidates more
    often), and noise."""
    rng = np.random.default_rng(seed)
    groups = []
    for _ in range(questions):
        easy = rng.random() < 0.5
        quality = rng.normal(size=candidates)
        x = np.column_stack([quality, np.full(candidates, 1.0 if easy else 0.0), rng.normal(size=candidates)])
        y = np.zeros(candidates)
        if rng.random() < (0.9 if easy else 0.3):  # otherwise the question has no answering sentence
            y[int(np.argmax(quality))] = 1.0
        groups.append((x, y))
    return groups


def test_the_ranker_puts_each_questions_answer_first():
    model = fit_listwise_ranker(_groups(), NAMES, l2=1.0)
    for x, y in _groups(seed=1):
        if y.any():
            assert y[int(np.argmax(model.probability(x)))] == 1


def test_a_feature_that_only_tells_questions_apart_gets_no_weight():
    groups = _groups()
    listwise = fit_listwise_ranker(groups, NAMES, l2=1.0)
    pointwise = fit_logistic(np.vstack([x for x, _ in groups]), np.concatenate([y for _, y in groups]), NAMES, 0.1)
    assert abs(pointwise.coef[1]) > 0.1  # the old fit spends weight on telling easy questions from hard ones
    assert abs(listwise.coef[1]) < 1e-3


def test_probabilities_rise_with_the_score_and_match_the_share_of_answers():
    groups = _groups()
    model = fit_listwise_ranker(groups, NAMES, l2=1.0)
    x = np.vstack([x for x, _ in groups])
    y = np.concatenate([y for _, y in groups])
    p = model.probability(x)
    assert model.coef[0] > 0
    assert abs(p.mean() - y.mean()) < 0.01  # Platt scaling with an intercept: calibrated in the mean
    rank_correlation = np.corrcoef(np.argsort(np.argsort(p)), np.argsort(np.argsort(x[:, 0])))[0, 1]
    assert rank_correlation > 0.95  # ordered by quality, the noise left out


def test_fitting_twice_writes_the_same_model():
    assert fit_listwise_ranker(_groups(), NAMES).to_json() == fit_listwise_ranker(_groups(), NAMES).to_json()


def test_a_case_names_its_training_corpus_but_never_a_reporting_one():
    """train_web cases are read over eval/corpora/train_web; a case naming eval/corpora/web (the web suite's corpus,
    kept for reporting) is not trained over it."""
    from eval.suite import Case
    from eval.train_reader import _corpus_of

    def case(corpus: str | None) -> Case:
        extra = {} if corpus is None else {"corpus": corpus}
        return Case("x-1", "Who?", ("A",), "any", (), True, "single", 1, extra=extra)

    assert _corpus_of(case("train_web")) == "train_web"
    assert _corpus_of(case("rgb")) == "rgb"
    assert _corpus_of(case(None)) == "seed"
    for not_for_training in ("web", "train_nowhere"):  # a reporting corpus; no such folder
        with pytest.raises(SystemExit, match="not a training corpus"):
            _corpus_of(case(not_for_training))
