"""Pure pieces behind issue 20 and issue 18 part 2: follow-ups in words, wire credits, saved chats, the feedback
suite, the Eval page's history, and what the first screen and the answer view say."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from eval import feedback
from eval.suite import load_suite
from index.clean import clean_article
from rag.conversation import describe_follow_up, needs_history, standalone_question
from rag.records import Answer, AnswerSentence, Citation, Conflict
from rag.retrieve import Filters
from ui import render
from ui.conversations import ConversationStore, answer_from_dict, answer_to_dict


def turn(question: str, reply: str = "") -> list[dict]:
    return [{"role": "user", "content": question}, {"role": "assistant", "content": reply}]


@pytest.mark.parametrize(
    "question",
    ["Who attended the parade?", "What happened this week?", "Is there a plan for talks?", "Which team won the cup?"],
)
def test_a_question_that_stands_on_its_own_carries_nothing_from_earlier_turns(question):
    history = turn("Where was the military parade held?", "The parade in Tiananmen Square saw 26 leaders. [1]")
    assert not needs_history(question)
    assert standalone_question(question, history) == question
    assert describe_follow_up(question, history) is None


def test_a_follow_up_is_described_in_words_with_its_pronoun_resolved():
    history = turn("When did Putin arrive in China?", "Russian President Vladimir Putin arrived in China. [1]")
    said = describe_follow_up("How long did he stay?", history)
    assert said == "Read as a follow-up to \u201cWhen did Putin arrive in China?\u201d (\u201che\u201d \u2192 Putin)."


def test_after_a_who_question_the_pronoun_is_the_person_the_reply_named():
    history = turn(
        "Who did Putin meet at the Diaoyutai State Guest House in Beijing?",
        "Russian President Vladimir Putin and North Korean leader Kim Jong Un met in Beijing. [1]",
    )
    said = describe_follow_up("And how many troops has his country sent to Russia?", history)
    assert said and said.endswith("(\u201chis\u201d \u2192 Kim Jong Un).")


def test_a_reply_sentence_start_is_not_carried_as_a_name():
    history = turn("Where was the parade?", "The Russian leader attended. [1]")
    assert "The Russian" not in standalone_question("And who else?", history)


@pytest.mark.parametrize(
    "closing, credit",
    [("(With AP inputs)", "With AP inputs"), ("(With inputs from ANI)", "With inputs from ANI")],
)
def test_a_closing_wire_credit_is_the_credit_line_and_the_text_is_not_rewritten(closing, credit):
    original = f"Putin met Kim in Beijing on Tuesday.\n\nThey talked for hours.\n\n{closing}\n"
    cleaned = clean_article(original)
    assert cleaned.metadata.get("byline") == credit
    assert "outlet" not in cleaned.metadata  # the agency supplied the story; the outlet is still not known
    assert all(original[s.start : s.end] in original for s in cleaned.kept)


def _answer(**extra) -> Answer:
    return Answer(
        question="How many troops?",
        refused=False,
        sentences=[AnswerSentence("About 15,000 troops were sent.", (1,), 0.9, highlight=(6, 12), corroboration=2)],
        citations=[Citation(1, "a", 3, 9, "15,000", title="T", source="DW", date="2025-09-02", also_in=("b",))],
        short_answer="15,000",
        conflicts=[Conflict("how many", (("15,000", (1,)), ("12,000", (1,))), kind="value")],
        **extra,
    )


def test_a_saved_chat_comes_back_as_it_was_with_its_filters(tmp_path):
    store = ConversationStore(tmp_path)
    messages = [{"role": "user", "content": "How many troops?"}, {"role": "assistant", "answer": _answer()}]
    chat = store.save(None, messages, Filters(since="2025-09-01", sources=("DW",)))
    assert store.list()[0][:2] == (chat, "How many troops?")
    again = ConversationStore(tmp_path).load(chat)  # as after a restart
    assert again.messages[1]["answer"] == _answer()
    assert again.filters == Filters(since="2025-09-01", sources=("DW",))
    store.rename(chat, "  Troops  ")
    assert store.list()[0][1] == "Troops"
    store.delete(chat)
    assert store.list() == [] and store.load(chat) is None


def test_an_answer_survives_the_round_trip_through_json():
    answer = _answer(notice="offline")
    assert answer_from_dict(json.loads(json.dumps(answer_to_dict(answer)))) == answer


def _judge(tmp_path, answer, up, correction=None, i=1):
    row, review = feedback.judged_case(
        case_id=feedback.case_id("c", i),
        question=answer.question,
        history=[],
        answer=answer,
        thumbs_up=up,
        correction=correction,
    )
    return feedback.record(tmp_path, row, review)


def test_judgements_become_valid_suite_cases_and_a_bare_thumbs_down_awaits_review(tmp_path):
    assert _judge(tmp_path, _answer(), True).name == "feedback.jsonl"
    _judge(tmp_path, _answer(), False, "12,000", i=2)
    _judge(tmp_path, Answer(question="Who won the cup?", refused=True), True, i=3)
    assert _judge(tmp_path, _answer(), False, i=4).name == "feedback-review.jsonl"
    cases = load_suite(feedback.suite_path(tmp_path)).cases
    assert [(c.answers, c.sources, c.answerable) for c in cases] == [
        (("15,000",), ("a",), True),  # 👍: the short answer and the cited article
        (("12,000",), (), True),  # 👎 corrected: the typed answer, no gold source guessed
        ((), (), False),  # 👍 on a refusal: unanswerable
    ]
    review = feedback.review_cases(tmp_path)
    assert [r["id"] for r in review] == ["fb-c-4"] and review[0]["answers"] == [] and review[0]["review"]
    feedback.resolve_review(tmp_path, "fb-c-4", "15,000")
    assert feedback.review_cases(tmp_path) == [] and len(load_suite(feedback.suite_path(tmp_path)).cases) == 4
    _judge(tmp_path, _answer(), False, "14,000", i=2)  # judged again: the same case, replaced
    assert len(load_suite(feedback.suite_path(tmp_path)).cases) == 4


def test_a_damaged_line_of_the_feedback_file_is_kept_not_dropped(tmp_path):
    feedback.suite_path(tmp_path).write_text("not json\n")
    _judge(tmp_path, _answer(), True)
    assert feedback.suite_path(tmp_path).read_text().splitlines()[0] == "not json"


def _report(folder, suite, when, correct):
    folder.mkdir(parents=True)
    rows = [{"id": k, "question": f"q{k}", "status": "ok", "correct": v} for k, v in correct.items()]
    accuracy = sum(correct.values()) / len(correct)
    (folder / "report.json").write_text(
        json.dumps(
            {
                "suite_name": suite,
                "split": None,
                "started_at": when,
                "metrics": {"answer.accuracy": accuracy},
                "rows": rows,
            }
        )  # fmt: skip
    )


def test_the_eval_history_plots_each_suite_and_lists_what_flipped(tmp_path):
    _report(tmp_path / "f1", "feedback", "2026-11-01T10:00:00", {"a": True, "b": False})
    _report(tmp_path / "f2", "feedback", "2026-11-02T10:00:00", {"a": False, "b": False, "c": True})
    _report(tmp_path / "s1", "seed", "2026-11-01T09:00:00", {"x": True})
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "report.json").write_text("{")
    runs = render.eval_runs(tmp_path)
    assert [r.folder for r in runs] == ["s1", "f1", "f2"]
    assert [(p["suite"], p["accuracy"]) for p in render.accuracy_history(runs)] == [
        ("seed", 1.0), ("feedback", 0.5), ("feedback", 1 / 3),
    ]  # fmt: skip
    assert render.flipped_cases(runs) == {"feedback": [("a", "qa", False)]}


def test_filter_chips_name_every_active_filter():
    assert render.filter_chips(Filters()) == []
    assert render.filter_chips(Filters(since="2025-09-01", until="2025-09-30", sources=("DW",))) == [
        "outlet DW",
        "dated 2025-09-01 to 2025-09-30",
    ]


def test_the_first_screen_names_people_and_places_not_sentence_starts():
    articles = [
        SimpleNamespace(doc_id=str(i), text=text, title=None, date=None, source=None)
        for i, text in enumerate(
            [
                "Russian President Vladimir Putin met Chinese President Xi Jinping in Beijing. The Russian leader smiled.",
                "Putin and President Xi Jinping spoke in Beijing on Tuesday.",
            ]
        )
    ]
    people, places = render.corpus_topics(articles)
    assert set(people) == {"Vladimir Putin", "Xi Jinping"} and places == ["Beijing"]  # not "Russian", not "The"


@pytest.mark.parametrize(
    "question",
    ["What did Zelensky decide to do in response?", "What did Kyiv offer in return?", "Who took over after that?"],
)
def test_a_question_that_answers_to_what_was_said_before_is_a_follow_up(question):
    history = turn("What was happening in Ukraine when Putin landed in China?", "Russian forces advanced. [1]")
    assert needs_history(question)
    assert standalone_question(question, history) != question
