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


def test_a_dateline_before_the_sentence_is_when_it_was_published_not_what_it_is_about():
    # a sentence that names 2010 only: the dateline's 2018 does not make it a sentence about 2018
    text = "Jul 12, 2018 ... Torres helped Spain add the 2010 World Cup."
    assert _features("Who won the World Cup in 2018?", text)["other_year"][-1] == 1.0
    assert _features("Who won the World Cup in 2010?", text)["other_year"][-1] == 0.0
    # a sentence that names no year speaks of the dateline's
    text = "Jul 12, 2018 ... France are world champions again."
    assert _features("Who won the World Cup in 2018?", text)["other_year"][-1] == 0.0
    assert _features("Who won the World Cup in 2010?", text)["other_year"][-1] == 1.0


def test_answerability_reads_the_rankers_probability_as_log_odds():
    """Most probabilities sit near 0: on the log-odds scale 0.003 and 0.03 are as far apart as 0.5 and 0.9."""
    x = np.zeros((3, len(FEATURES)))
    low = answerability_features(x, np.array([0.003, 0.001, 0.0]))
    higher = answerability_features(x, np.array([0.03, 0.001, 0.0]))
    col = ANSWERABILITY_FEATURES.index("best_probability")
    assert higher[col] - low[col] > 2.0
    edge = answerability_features(x[:1], np.array([1.0]))  # no runner-up, a certain best: finite
    assert np.isfinite(edge).all()


def _summary(x: np.ndarray, p: np.ndarray, **kw) -> dict[str, float]:
    return dict(zip(ANSWERABILITY_FEATURES, answerability_features(x, p, **kw)))


def test_answerability_weighs_the_focus_gates_verdict():
    x = np.zeros((2, len(FEATURES)))
    p = np.array([0.6, 0.1])
    assert _summary(x, p, focus_stated=True)["focus_stated"] == 1.0
    assert _summary(x, p, focus_stated=False)["focus_stated"] == 0.0


def test_the_best_few_sentences_all_about_another_year_than_the_asked_one():
    """ "Who won the 2018 Tour?" over sentences about 2019 and 2021: only when every one of the best few is."""
    x = np.zeros((4, len(FEATURES)))
    x[:3, FEATURES.index("other_year")] = 1.0
    p = np.array([0.5, 0.4, 0.3, 0.2])
    assert _summary(x, p)["top_other_year"] == 1.0
    x[2, FEATURES.index("other_year")] = 0.0  # the third best names the asked year (or none)
    assert _summary(x, p)["top_other_year"] == 0.0


def test_the_cross_language_summary_drops_what_matches_the_questions_words():
    """A German question capitalises every noun and shares no focus word with English evidence: for it,
    unknown names, typed phrases next to a focus word and the focus gate say nothing."""
    x = np.zeros((2, len(FEATURES)))
    x[:, FEATURES.index("typed_near_focus")] = 1.0
    x[:, FEATURES.index("unknown_names")] = 1.0
    p = np.array([0.6, 0.1])
    same = _summary(x, p, focus_stated=True)
    cross = _summary(x, p, focus_stated=True, cross_language=True)
    for name in ("best_typed_near_focus", "typed_near_focus_anywhere", "unknown_names", "focus_stated"):
        assert same[name] == 1.0 and cross[name] == 0.0, name
    assert cross["best_probability"] == same["best_probability"]


def _pair_weighing_only(feature: str):
    from rag.reader import LogisticModel, ReaderPair

    ranker = LogisticModel(FEATURES, np.zeros(len(FEATURES)), np.ones(len(FEATURES)), np.zeros(len(FEATURES)), 0.0)
    coef = np.array([4.0 if n == feature else 0.0 for n in ANSWERABILITY_FEATURES])
    n = len(ANSWERABILITY_FEATURES)
    return ReaderPair(ranker, LogisticModel(ANSWERABILITY_FEATURES, np.zeros(n), np.ones(n), coef, -2.0), 0.5)


def _answerable_by_focus_gate(question: str, text: str) -> float:
    """score_evidence's answerability for one passage, under a model that weighs the focus gate alone."""
    from rag.evidence import score_evidence

    passage = Passage("c1", "d1", 0, len(text), text, 1.0)
    profile = profile_question(question, lambda w: 1.0)
    return score_evidence(
        profile, [passage], lambda c: np.zeros(len(c)), _pair_weighing_only("focus_stated")
    ).answerable


def test_score_evidence_gives_the_answerability_model_the_focus_gates_verdict():
    question = "How many drones did Russia launch at Kupyansk?"
    stated = _answerable_by_focus_gate(question, "Russia launched nearly 80 drones at Kupyansk on Monday.")
    unstated = _answerable_by_focus_gate(
        question, "Russia launched drones at Kupyansk, home to 25,000 people, on Monday."
    )
    assert stated > 0.8 and unstated < 0.2


def test_a_question_about_what_was_said_needs_quoted_or_reported_speech_among_the_best_sentences():
    x = np.zeros((3, len(FEATURES)))
    p = np.array([0.5, 0.3, 0.1])
    about = ["Xi spoke at the parade in Tiananmen Square.", "The parade marked the war's end.", "Kim attended."]
    quoted = ["Xi spoke at the parade.", 'Xi said China "will never be intimidated".', "Kim attended."]
    question = "What did Xi say in his speech at the parade?"
    assert _summary(x, p, question=question, texts=about)["said_unreported"] == 1.0
    assert _summary(x, p, question=question, texts=quoted)["said_unreported"] == 0.0
    assert _summary(x, p, question="Where was the parade held?", texts=about)["said_unreported"] == 0.0
    assert _summary(x, p, question=question, texts=about, cross_language=True)["said_unreported"] == 0.0


def test_a_headline_word_the_text_never_uses_is_still_a_corpus_word():
    """A question may use the headline's word ("Tory") where the text says "the Conservative Party"."""
    from types import SimpleNamespace

    from index.records import Article
    from rag.newsindex import NewsIndex

    articles = {"a": Article("a", "The Conservative Party renamed its account.", "a.txt", title="UK Tories under fire")}
    title_words = NewsIndex.title_words.func(SimpleNamespace(articles=articles))
    index = SimpleNamespace(keyword_index=SimpleNamespace(has_word={"conservative", "party"}.__contains__),
                            title_words=title_words)  # fmt: skip
    assert NewsIndex.uses_word(index, "tory") and NewsIndex.uses_word(index, "party")
    assert not NewsIndex.uses_word(index, "labour")
    profile = profile_question(
        "Who runs the Tory press office?", lambda w: 3.0, lambda w: NewsIndex.uses_word(index, w)
    )
    assert profile.unknown_names == ()


def test_a_question_about_money_states_its_focus_only_with_a_sum_in_a_currency():
    question = "How much will Tottenham pay Jose Mourinho?"
    assert _answerable_by_focus_gate(question, "Tottenham will pay Jose Mourinho 15 million pounds a season.") > 0.8
    unstated = "After five years Tottenham sacked Pochettino and will pay Jose Mourinho instead."
    assert _answerable_by_focus_gate(question, unstated) < 0.2
