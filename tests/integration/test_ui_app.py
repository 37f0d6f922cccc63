"""The Streamlit app run in-process with AppTest against a real MiniLM index of the seed corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, SEED_CORPUS
from tests.integration.faulty_llm import faulty_llm
from tests.unit.test_ui_inline_citations import Parsed
from ui import inline_citations, render

APP = str(ROOT / "ui" / "app.py")
TIMEOUT = 120  # the first run loads the embedder; answers take ~1 s on 2 shared cores
TROOPS = "How many troops has North Korea sent to Russia?"


@pytest.fixture
def app_env(minilm_seed_index, monkeypatch, tmp_path):
    """Point the app at the session's MiniLM index of the seed corpus (and an empty eval folder)."""
    monkeypatch.setenv("NEWSDESK_INDEX__STORE_DIR", str(minilm_seed_index.settings.index.store_dir))
    monkeypatch.setenv("NEWSDESK_INDEX__EMBEDDER", "minilm-onnx")
    monkeypatch.setenv("NEWSDESK_INDEX__CORPUS_DIR", str(SEED_CORPUS))
    monkeypatch.setenv("NEWSDESK_EVAL_RUNS_DIR", str(tmp_path / "runs"))
    return minilm_seed_index


def start() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    return at


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input(key="question").set_value(question).run()
    assert not at.exception, at.exception
    return at


def visible(at: AppTest) -> str:
    """All Markdown on the page, and the answer texts, as a reader sees them (escapes removed)."""
    return "\n".join([render.visible_text(m.value) for m in at.markdown] + [a.text for a in inline_answers(at)])


def inline_answers(at: AppTest) -> list[Parsed]:
    """The answer texts with their live [n] markers (AppTest runs no JS: the HTML the component was given)."""
    return [
        Parsed(json.loads(e.proto.json)["html"])
        for e in at.get("bidi_component")
        if e.proto.component_name == inline_citations.COMPONENT_NAME
    ]


def last_answer(at: AppTest):
    message = at.session_state["messages"][-1]
    assert message["role"] == "assistant" and "answer" in message, message
    return message["answer"]


def test_a_question_gets_a_streamed_answer_with_a_clickable_citation(app_env):
    at = ask(start(), TROOPS)
    answer = last_answer(at)
    assert not answer.refused
    assert "15,000" in visible(at)
    (text,) = inline_answers(at)
    assert text.text == answer.text and text.strong == ["roughly 15,000"]  # the short answer in bold
    assert [int(m["data-cite"]) for m in text.markers] == [n for s in answer.shown_sentences for n in s.citations]
    first = answer.citations[0]
    assert app_env.article(first.doc_id).text[first.start : first.end] == first.quote
    # The citation's popover shows the quote highlighted inside its passage, and offers the full article.
    assert any(render.highlighted(first.quote) in m.value for m in at.markdown)
    assert at.button(key="m1-c1-open").label == "Open full article"
    assert "Sources" in [c.value for c in at.caption]


def test_open_full_article_shows_the_quote_highlighted_with_earlier_text_folded(app_env):
    at = ask(start(), TROOPS)
    first = last_answer(at).citations[0]
    at.button(key="m1-c1-open").click().run()
    assert not at.exception
    article = app_env.article(first.doc_id)
    highlighted = [m.value for m in at.markdown if render.highlighted(first.quote) in m.value]
    assert len(highlighted) == 2  # in the popover and in the dialog
    assert any(e.label.startswith("Earlier in the article") for e in at.expander)
    before = article.text[: article.text.rfind("\n", 0, first.start) + 1]
    assert len(before.split()) > 0 and f"({len(before.split()):,} words)" in " ".join(e.label for e in at.expander)


def test_an_inline_marker_opens_its_sources_passage_and_from_there_the_full_article(app_env, monkeypatch):
    """AppTest runs no JS, so the component's report "marker [n] was clicked" is played by a stand-in for one run
    (a trigger value lasts one run); the browser test clicks the real marker."""
    at = ask(start(), TROOPS)
    second = last_answer(at).citations[-1]
    mounted = inline_citations.show_answer_text
    clicks = {"m1-text": [second.n]}  # the first answer's text: the chat's second message

    def clicked_once(sentences, citation_of, title_of, key):
        mounted(sentences, citation_of, title_of, key)
        return clicks.get(key, []).pop() if clicks.get(key) else None

    monkeypatch.setattr(inline_citations, "show_answer_text", clicked_once)
    at.run()
    assert not at.exception, at.exception
    quote_md = render.highlighted(second.quote)
    assert sum(quote_md in m.value for m in at.markdown) == 2  # its card's popover, and the dialog the click opened
    assert at.button(key=f"m1-t{second.n}-open").label == "Open full article"
    at.button(key=f"m1-t{second.n}-open").click().run()
    assert not at.exception, at.exception
    assert not any(b.key == f"m1-t{second.n}-open" for b in at.button)  # that dialog closed
    assert any(e.label.startswith("Earlier in the article") for e in at.expander)  # the article's opened
    at.run()
    assert sum(quote_md in m.value for m in at.markdown) == 1  # one click opens it once


def test_an_unanswerable_question_is_refused_with_related_passages(app_env):
    at = ask(start(), "Which football team won the 2022 World Cup?")
    answer = last_answer(at)
    assert answer.refused and answer.related
    warnings = [w.value for w in at.warning]
    assert any("don't say" in render.visible_text(w) for w in warnings)
    assert any("Related passages" in c.value for c in at.caption)
    assert at.button(key="m1-r1-open").label == "Open full article"


def test_a_follow_up_uses_the_history_and_earlier_citations_stay_put(app_env):
    at = ask(start(), "What did Putin say about North Korean troops in the Kursk region?")
    first = last_answer(at)
    first_labels = [b.label for b in at.button if b.key.startswith("m1-")]
    at = ask(at, "And how many troops did they send?")
    second = last_answer(at)
    assert "15,000" in second.text
    assert second.standalone_question and "Kursk" in second.standalone_question
    messages = at.session_state["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    # The first answer keeps its own citations after the rerun: same object, same popovers.
    assert messages[1]["answer"] is first
    assert [b.label for b in at.button if b.key.startswith("m1-")] == first_labels
    assert any(render.highlighted(first.citations[0].quote) in m.value for m in at.markdown)
    assert any(render.highlighted(second.citations[0].quote) in m.value for m in at.markdown)


@pytest.mark.parametrize(
    "question, says",
    [
        ("   ", "empty"),
        ("why " * 600, "limit is 2,000"),
    ],
)
def test_empty_and_over_long_questions_get_an_inline_message(app_env, question, says):
    at = ask(start(), question)
    assert any(says in render.visible_text(w.value) for w in at.warning)
    assert not at.session_state["messages"]  # nothing was asked


def test_an_unreachable_llm_server_gives_a_notice_and_the_offline_answer(app_env, monkeypatch):
    monkeypatch.setenv("NEWSDESK_ANSWER__BACKEND", "openai")
    monkeypatch.setenv("NEWSDESK_ANSWER__MAX_RETRIES", "0")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    at = start()
    assert at.radio(key="backend").value == "openai"
    at = ask(at, TROOPS)
    answer = last_answer(at)
    assert answer.backend == "offline" and not answer.refused and answer.citations
    notices = [render.visible_text(i.value) for i in at.info]
    assert len(notices) == 1 and "unreachable" in notices[0] and "\n" not in notices[0]
    assert "15,000" in visible(at)


def test_the_api_key_is_never_shown(app_env, monkeypatch):
    secret = "sk-test-do-not-show-0123456789"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    monkeypatch.setenv("NEWSDESK_ANSWER__BACKEND", "openai")
    at = start()
    assert at.text_input(key="api_key").value == ""
    sent = _everything_sent(at._tree)
    assert "Backend" in sent and "API key" in sent  # the walk does see the sidebar's widgets
    assert secret not in sent


def _everything_sent(node) -> str:
    """Every proto the app sent to the browser, as text."""
    parts = [str(node.proto)] if getattr(node, "proto", None) is not None else []
    for child in getattr(node, "children", {}).values():
        parts.append(_everything_sent(child))
    return "\n".join(parts)


def test_a_missing_index_offers_the_build_and_then_answers(monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSDESK_INDEX__STORE_DIR", str(tmp_path / "empty-store"))
    monkeypatch.setenv("NEWSDESK_INDEX__EMBEDDER", "minilm-onnx")
    monkeypatch.setenv("NEWSDESK_INDEX__CORPUS_DIR", str(SEED_CORPUS))
    at = start()
    assert any("no index" in render.visible_text(w.value) for w in at.warning)
    assert not at.chat_input  # nothing to ask yet
    at.button(key="build_main").click().run()
    assert not at.exception, at.exception
    assert not at.error
    assert "5 news articles" in visible(at)
    at = ask(at, TROOPS)
    assert "15,000" in last_answer(at).text


def test_a_broken_store_shows_one_line_and_no_traceback(monkeypatch, tmp_path):
    store = tmp_path / "broken"
    store.mkdir()
    (store / "chroma.sqlite3").write_bytes(b"this is not a database")
    monkeypatch.setenv("NEWSDESK_INDEX__STORE_DIR", str(store))
    monkeypatch.setenv("NEWSDESK_INDEX__EMBEDDER", "minilm-onnx")
    at = start()
    assert not at.exception
    messages = [render.visible_text(w.value) for w in at.warning]
    assert messages and all("Traceback" not in m and "\n" not in m.strip() for m in messages)


# -- the other pages, run as small scripts over the same page functions ------------------------------

CORPUS_SCRIPT = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from newsdesk.settings import load_settings
from rag import Filters
from ui import resources
from ui.corpus_page import show_corpus
from ui.sidebar import Choices
settings = load_settings()
show_corpus(Choices(settings, Filters()), resources.open_news_index(settings), None)
"""


def test_corpus_page_lists_searches_and_reads_articles(app_env):
    at = AppTest.from_string(CORPUS_SCRIPT, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    assert "5 of 5 articles" in [c.value for c in at.caption]
    assert len(at.selectbox(key="corpus_read").options) == 5
    at.text_input(key="corpus_query").set_value("Diaoyutai").run()
    assert "1 of 5 articles" in [c.value for c in at.caption]
    doc_id = at.selectbox(key="corpus_read").value
    article = app_env.article(doc_id)
    assert "Diaoyutai" in article.text
    assert render.escape_markdown(article.text) in [m.value for m in at.markdown]


EVAL_SCRIPT = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from ui.eval_page import show_eval
show_eval()
"""


def test_eval_page_without_a_report_says_how_to_make_one(app_env):
    at = AppTest.from_string(EVAL_SCRIPT, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "No eval run yet" in at.info[0].value


def test_eval_page_shows_the_newest_report_and_its_plots(app_env, tmp_path):
    run = Path(tmp_path / "runs" / "2025-09-04T10-00")
    run.mkdir(parents=True)
    (run / "report.json").write_text(json.dumps({"metrics": {"accuracy": 0.75, "hit@5": 0.9, "questions": 40}}))
    png = bytes.fromhex(  # a whole 1x1 PNG: the page checks plots decode (it had a bad IDAT checksum)
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154"
        "789c6360606060000000050001a5f645400000000049454e44ae426082"
    )
    (run / "hit_at_k.png").write_bytes(png)
    at = AppTest.from_string(EVAL_SCRIPT, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert list(table["metric"]) == ["accuracy", "hit@5", "questions"]
    assert list(table["value"]) == ["0.750", "0.900", "40"]
    assert len(at.get("image")) == 1


RICH_ANSWER_SCRIPT = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from rag.records import Answer, AnswerSentence, Citation, Conflict
from ui.answer_view import show_answer
answer = Answer(
    question="How many troops?", refused=False,
    sentences=[AnswerSentence("About 15,000 troops were sent.", (1, 2), 0.9, highlight=(6, 12), corroboration=2)],
    citations=[Citation(1, "a", 0, 10, "<b>15,000</b> troops", title="**Bold** title", source="DW", date="2025-09-02",
                        also_in=("c",)),
               Citation(2, "b", 0, 10, "12,000 troops", title="Other", source="AP", date="2025-09-03")],
    conflicts=[Conflict("troops sent", (("15,000", (1,)), ("12,000", (2,))))],
    short_answer="15,000", notice="LLM server unreachable; showing the offline answer",
)
show_answer(answer, None, key="x")
"""


def test_conflicts_corroboration_and_other_copies_are_shown(app_env):
    at = AppTest.from_string(RICH_ANSWER_SCRIPT, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    md = "\n".join(m.value for m in at.markdown)
    assert inline_answers(at)[0].badges == ["2 sources"]
    assert "Also reported in: c" in [render.visible_text(c.value) for c in at.caption]
    assert "\\*\\*Bold\\*\\* title" in md  # a title's Markdown stays text
    assert ":orange-background[\\<b\\>15\\,000\\<\\/b\\> troops]" in md
    box = [w.value for w in at.warning if "Sources disagree" in w.value]
    assert len(box) == 1
    assert "**15\\,000** — \\[1\\] DW · 2025\\-09\\-02" in box[0] and "\\[2\\] AP · 2025\\-09\\-03" in box[0]
    assert "unreachable" in at.info[0].value


def test_an_outlet_filter_limits_the_citations(app_env):
    at = start()
    outlets = at.multiselect(key="sources").options
    assert outlets, "the seed corpus names at least one outlet"
    at.multiselect(key="sources").select(outlets[0]).run()
    answer = last_answer(ask(at, TROOPS))
    cited = answer.related if answer.refused else answer.citations
    assert all(app_env.article(c.doc_id).source == outlets[0] for c in cited)


# -- only checked sentences are the answer; the environment's key stays with its server (issue 14) ---------

INVENTED = "Kim Jong Un was assassinated in Pyongyang yesterday."
SET_ASIDE_SCRIPT = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from rag.records import Answer, AnswerSentence, Citation
from ui.answer_view import show_answer
answer = Answer(
    question="How many troops?", refused=False, backend="openai:test",
    sentences=[
        AnswerSentence("North Korea has deployed roughly 15,000 troops to Russia.", (1,), 0.9),
        AnswerSentence({INVENTED!r}, (), 0.0, supported=False, reason='the passage does not name "Kim Jong Un"'),
        AnswerSentence("How many troops did North Korea send?", (), 0.0, supported=False,
                       reason="a question, not an answer"),
    ],
    citations=[Citation(1, "a", 0, 10, "roughly 15,000 troops", title="Troops", source="DW", date="2025-09-02")],
)
show_answer(answer, None, key="x")
"""


def _set_aside_box(at: AppTest):
    boxes = [e for e in at.expander if e.label.startswith("Model's unchecked words")]
    assert len(boxes) == 1, [e.label for e in at.expander]
    return boxes[0]


def _only_in_the_set_aside_box(at: AppTest, text: str) -> None:
    """``text`` is on the page, and only inside the labelled box of the model's unchecked words."""
    inside = {m.value for m in _set_aside_box(at).markdown}
    where = [m.value for m in at.markdown if text in render.visible_text(m.value)]
    assert where and set(where) <= inside, where
    assert not any(text in a.text for a in inline_answers(at))  # not in the answer text


def test_sentences_that_failed_the_check_are_only_in_a_labelled_box(app_env):
    at = AppTest.from_string(SET_ASIDE_SCRIPT, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    _only_in_the_set_aside_box(at, INVENTED)
    _only_in_the_set_aside_box(at, "How many troops did North Korea send?")
    assert _set_aside_box(at).label == "Model's unchecked words (2): not part of the answer"
    assert "does not name" in render.visible_text("\n".join(m.value for m in _set_aside_box(at).markdown))
    (text,) = inline_answers(at)
    assert "15,000 troops to Russia" in text.text and "Kim" not in text.text


def _generated_answer_env(monkeypatch, url: str, **extra: str) -> None:
    monkeypatch.setenv("NEWSDESK_ANSWER__BACKEND", "openai")
    monkeypatch.setenv("NEWSDESK_ANSWER__MAX_RETRIES", "0")
    monkeypatch.setenv("NEWSDESK_ANSWER__OPENAI_MODEL", "faulty")
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    for name, value in extra.items():
        monkeypatch.setenv(name, value)


def test_a_generated_answer_shows_only_its_checked_sentences(app_env, monkeypatch):
    reply = f"Answer: {INVENTED} Answer: North Korea has deployed roughly 15,000 troops to Russia [1]."
    with faulty_llm(["ok"], reply=reply) as llm:
        _generated_answer_env(monkeypatch, llm.url)
        at = ask(start(), TROOPS)
    answer = last_answer(at)
    assert answer.backend == "openai:faulty" and "15,000" in answer.text and "assassinated" not in answer.text
    _only_in_the_set_aside_box(at, INVENTED)
    assert "Answer:" not in visible(at)  # the label is removed; its claim was checked like any other
    assert any("15,000 troops to Russia" in a.text for a in inline_answers(at))


def test_the_environment_key_is_not_sent_to_a_server_typed_in_the_sidebar(app_env, monkeypatch):
    secret = "sk-env-key-for-its-own-server-only"
    with faulty_llm(["ok"], reply="North Korea has deployed roughly 15,000 troops to Russia [1].") as llm:
        _generated_answer_env(monkeypatch, "http://127.0.0.1:9/v1", OPENAI_API_KEY=secret)
        at = start()
        at.text_input(key="base_url").set_value(llm.url).run()
        assert any("only sent to http://127.0.0.1:9/v1" in render.visible_text(c.value) for c in at.caption)
        at = ask(at, TROOPS)
        assert llm.count >= 1
        assert all(secret not in str(r["headers"]) for r in llm.requests)
        at.text_input(key="api_key").set_value("sk-typed-for-this-server").run()
        ask(at, TROOPS)
        assert llm.requests[-1]["headers"]["authorization"] == "Bearer sk-typed-for-this-server"
        assert all(secret not in str(r["headers"]) for r in llm.requests)


def test_a_locked_sidebar_keeps_the_configured_server_and_its_key(app_env, monkeypatch):
    secret = "sk-env-key-for-the-shared-server"
    with faulty_llm(["ok"], reply="North Korea has deployed roughly 15,000 troops to Russia [1].") as llm:
        _generated_answer_env(monkeypatch, llm.url, OPENAI_API_KEY=secret, NEWSDESK_UI__LOCK_LLM_SERVER="true")
        at = start()
        assert at.text_input(key="base_url").disabled and at.text_input(key="model").disabled
        assert not [t for t in at.text_input if t.key == "api_key"]
        at.session_state["base_url"] = "http://127.0.0.1:9/v1"  # a forged value: ignored while locked
        at.run()
        at = ask(at, TROOPS)
        assert last_answer(at).backend == "openai:faulty"
        assert llm.requests[-1]["headers"]["authorization"] == f"Bearer {secret}"  # its own server gets it
