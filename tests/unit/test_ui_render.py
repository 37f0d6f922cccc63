"""ui.render: escaping article text and model output, splitting passages around a quote, display helpers."""

from __future__ import annotations

import os
import time
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rag.records import Citation, Conflict
from ui import render

TRICKS = [
    "<script>alert(1)</script>",
    "**bold** and _italic_ and `code`",
    "[link](javascript:alert(1))",
    "$x^2$ and $$\\int$$",
    "<b>tag</b> <img src=x onerror=alert(1)>",
    ":red[restyled] :material/home: :smile:",
    "# heading",
    "> quote",
    "1. list",
    "- item",
    "    indented code",
    "| a | b |",
    "a & b &amp; &lt;",
    "===",
    "~~strike~~",
]


@pytest.mark.parametrize("text", TRICKS)
def test_escaped_text_reads_as_the_original_and_has_no_live_markup(text):
    escaped = render.escape_markdown(text)
    assert render.visible_text(escaped) == " ".join(text.split())
    # Every markup character is escaped: no bare < > * _ [ ] ( ) $ : ` # | & left.
    unescaped = escaped.replace("\\\\", "")
    for ch in "<>*_[]()$:`#|&~=":
        assert all(unescaped[i - 1] == "\\" for i, c in enumerate(unescaped) if c == ch), (ch, escaped)
    assert not escaped.startswith(" ")  # no indented code block


@given(st.text(max_size=200))
def test_escape_never_loses_a_visible_character(text):
    escaped = render.escape_markdown(text)
    expected = "\n\n".join(p for p in (" ".join(line.split(" ")).strip() for line in text.splitlines()) if p)
    # Whitespace inside a line collapses; the characters themselves all survive in order.
    assert "".join(render.visible_text(escaped).split()) == "".join(expected.split())


def test_paragraphs_stay_paragraphs():
    assert render.escape_markdown("One.\nTwo.\n\n\nThree.") == "One\\.\n\nTwo\\.\n\nThree\\."


ARTICLE = "Intro line.\nBefore the quote, the quote itself is here. After it.\nLast paragraph <b>x</b>."


def test_quote_segments_cover_the_window_exactly():
    start = ARTICLE.index("the quote itself")
    end = ARTICLE.index(" After")
    seg = render.quote_segments(ARTICLE, start, end, window_start=12, window_end=len(ARTICLE) - 5)
    assert seg.quote == ARTICLE[start:end] == "the quote itself is here."
    assert seg.before + seg.quote + seg.after == ARTICLE[12 : len(ARTICLE) - 5]
    assert seg.clipped_start and seg.clipped_end


def test_quote_segments_survive_bad_offsets():
    seg = render.quote_segments(ARTICLE, 50, 10_000, window_start=60, window_end=5)
    assert seg.quote == ARTICLE[50:]
    assert seg.before == "" and seg.after == ""


@given(st.text(min_size=1, max_size=80), st.data())
def test_quote_segments_property(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    lo = data.draw(st.integers(0, start))
    hi = data.draw(st.integers(end, len(text)))
    seg = render.quote_segments(text, start, end, lo, hi)
    assert seg.quote == text[start:end]
    assert seg.before + seg.quote + seg.after == text[lo:hi]


def test_the_highlight_wraps_exactly_the_escaped_quote():
    start = ARTICLE.index("the quote itself")
    end = ARTICLE.index(" After")
    md = render.segments_markdown(render.quote_segments(ARTICLE, start, end, 0, len(ARTICLE)))
    assert f":{render.HIGHLIGHT}[the quote itself is here\\.]" in md
    assert "\\<b\\>x\\<\\/b\\>" in md  # the article's HTML stays text
    assert md.count(f":{render.HIGHLIGHT}[") == 1


def test_a_quote_with_markup_cannot_break_out_of_its_highlight():
    text = "Say ] and :red[x] and <script>."
    md = render.segments_markdown(render.quote_segments(text, 0, len(text)))
    assert md == f":{render.HIGHLIGHT}[Say \\] and \\:red\\[x\\] and \\<script\\>\\.]"


def test_full_article_split_puts_the_quote_paragraph_apart():
    start = ARTICLE.index("the quote itself")
    end = ARTICLE.index(" After")
    before, seg, after = render.split_paragraph_around(ARTICLE, start, end)
    assert before == "Intro line.\n"
    assert seg.before == "Before the quote, " and seg.quote == "the quote itself is here." and seg.after == " After it."
    assert after == "\nLast paragraph <b>x</b>."
    assert before + seg.before + seg.quote + seg.after + after == ARTICLE


def test_sentence_bolds_the_short_answer_and_appends_citations():
    text = "North Korea has sent roughly 15,000 troops to Russia."
    a = text.index("roughly")
    md = render.sentence_markdown(text, (1, 3), (a, a + len("roughly 15,000")), corroboration=0)
    assert md == "North Korea has sent **roughly 15\\,000** troops to Russia\\. \\[1\\] \\[3\\]"
    assert "sources]" not in md


def test_sentence_with_corroboration_gets_a_badge_and_survives_a_bad_highlight():
    md = render.sentence_markdown("Plain *text*.", (2,), (5, 999), corroboration=3)
    assert md == "Plain \\*text\\*\\. \\[2\\] :blue-badge[3 sources]"


def test_display_title_falls_back_to_the_first_words():
    assert render.display_title("  Putin   hails ties ") == "Putin hails ties"
    text = "date 2025-09-03 Before sitting down for the talks, Putin lauded the role played by North Korean troops"
    title = render.display_title(None, text, "004", limit=40)
    assert title.startswith("Before sitting down") and title.endswith("…") and len(title) <= 41
    assert render.display_title(None, "", "doc-7") == "doc-7"


def test_sources_group_citations_by_article_and_list_other_copies():
    cites = [
        Citation(1, "a", 0, 5, "q1", title="A", source="DW", date="2025-09-02", also_in=("c",)),
        Citation(2, "b", 0, 5, "q2", title=None, date="2025-09-03"),
        Citation(3, "a", 9, 12, "q3", title="A", source="DW", date="2025-09-02", also_in=("c", "d")),
    ]
    entries = render.sources_of(cites)
    assert [(e.doc_id, e.numbers) for e in entries] == [("a", (1, 3)), ("b", (2,))]
    assert entries[0].also_in == ("c", "d")
    assert entries[1].title == "b"


def test_conflict_lines_name_each_side_with_its_citations_and_dates():
    cites = {
        1: Citation(1, "a", 0, 1, "x", source="DW", date="2025-09-02"),
        2: Citation(2, "b", 0, 1, "y", source=None, date="2025-09-03"),
    }
    conflict = Conflict("troops sent", (("15,000", (1,)), ("12,000", (2,))))
    lines = render.conflict_lines(conflict, cites.get)
    assert lines == [
        "- **15\\,000** — \\[1\\] DW · 2025\\-09\\-02",
        "- **12\\,000** — \\[2\\] 2025\\-09\\-03",  # only what is known: no "unknown outlet"
    ]


def test_history_keeps_questions_and_answer_texts_only():
    answer = SimpleNamespace(text="They sent 15,000. [1]")
    messages = [
        {"role": "user", "content": "Q1"},
        {"role": "assistant", "answer": answer},
        {"role": "user", "content": "Q2"},
        {"role": "assistant", "error": "boom"},
    ]
    assert render.question_history(messages) == [
        {"role": "user", "content": "Q1"},
        {"role": "assistant", "content": "They sent 15,000. [1]"},
        {"role": "user", "content": "Q2"},
    ]


def test_corpus_search_needs_every_word():
    assert render.matches("putin beijing", "Putin in Beijing", None)
    assert not render.matches("putin paris", "Putin in Beijing")
    assert render.matches("", None)


def test_metric_rows_never_turn_a_missing_value_into_a_number():
    rows = render.metric_rows({"accuracy": 0.81234, "questions": 120, "faithfulness": None, "ok": True})
    assert rows == [
        {"metric": "accuracy", "value": "0.812"},
        {"metric": "questions", "value": "120"},
        {"metric": "faithfulness", "value": "—"},
        {"metric": "ok", "value": "True"},
    ]


def test_latest_eval_report_is_the_newest_by_mtime(tmp_path):
    assert render.latest_eval_report(tmp_path / "absent") is None
    for i, name in enumerate(["b-run", "a-run"]):
        (tmp_path / name).mkdir()
        (tmp_path / name / "report.json").write_text("{}")
        os.utime(tmp_path / name / "report.json", (time.time() + i, time.time() + i))
    (tmp_path / "c-run").mkdir()  # a run that never finished
    assert render.latest_eval_report(tmp_path) == tmp_path / "a-run" / "report.json"


def test_corpus_summary():
    arts = [
        SimpleNamespace(source="DW", date="2025-09-02"),
        SimpleNamespace(source=None, date="2025-09-03"),
        SimpleNamespace(source=None, date=None),
    ]
    # Only what is known: one article names its outlet, so the line does not say "from DW" of all three.
    assert (
        render.corpus_summary(arts) == "3 news articles, 2025-09-02 to 2025-09-03: 1 from DW, 2 from outlets not named."
    )
    assert render.corpus_summary([]) == "The index is empty."
    assert render.corpus_summary(arts[1:]) == "2 news articles, 2025-09-03; the articles do not name their outlets."


# -- unchecked model text is never shown as the answer (issue 14, items 1 and 2) ------------------------


class FakeSlot:
    """Stands in for st.empty(): records every frame a reader would have seen in it."""

    def __init__(self):
        self.frames: list[str] = []

    def markdown(self, text):
        self.frames.append(text)

    def info(self, text, icon=None):
        self.frames.append(text)

    def empty(self):
        self.frames.append("")


INVENTED = "Kim Jong Un was assassinated in Pyongyang yesterday."


def test_the_model_draft_streams_only_as_a_labelled_unchecked_draft():
    from rag.answer import StreamEvent
    from ui.chat_page import show_stream

    final = object()
    events = [StreamEvent("draft", w + " ") for w in INVENTED.split()]
    events += [
        StreamEvent("token", "North Korea has deployed roughly 15,000 troops. "),
        StreamEvent("answer", answer=final),
    ]
    notices, stream = FakeSlot(), FakeSlot()
    assert show_stream(iter(events), notices, stream) is final
    shown = [render.visible_text(f) for f in stream.frames]
    with_draft = [f for f in stream.frames if "assassinated" in f]
    assert with_draft and all(
        f.startswith(":orange-badge[Unchecked draft]") and render.DRAFT_LABEL in render.visible_text(f)
        for f in with_draft
    )
    # The checked text replaces the draft: no frame after the first checked one holds the draft.
    first_checked = next(i for i, f in enumerate(shown) if "15,000" in f)
    assert not any("assassinated" in f for f in shown[first_checked:])


def test_a_notice_clears_the_draft_before_the_offline_answer_streams():
    from rag.answer import StreamEvent
    from ui.chat_page import show_stream

    events = [
        StreamEvent("draft", INVENTED),
        StreamEvent(
            "notice", "the model's answer could not be checked against the articles; showing the offline answer"
        ),
        StreamEvent("token", "South Korean intelligence estimates 15,000 troops. "),
        StreamEvent("answer", answer=None),
    ]
    notices, stream = FakeSlot(), FakeSlot()
    show_stream(iter(events), notices, stream)
    after_notice = stream.frames[stream.frames.index("") :]
    assert not any("assassinated" in render.visible_text(f) for f in after_notice)
    assert "could not be checked" in render.visible_text(notices.frames[-1])


def test_draft_markdown_escapes_the_model_text_and_greys_every_paragraph():
    md = render.draft_markdown("**Bold** [x](javascript:alert(1))\n\nSecond :red[line]")
    assert md.startswith(":orange-badge[Unchecked draft]")
    body = md.split("\n\n", 1)[1]
    assert body.count(":gray[") == 2 and "\\*\\*Bold\\*\\*" in body and "\\:red\\[line\\]" in body


def test_set_aside_sentences_are_listed_with_their_reason_escaped():
    from rag.records import AnswerSentence

    aside = [
        AnswerSentence(INVENTED, (), 0.0, supported=False, reason='the passage does not name "Kim Jong Un"'),
        AnswerSentence("How many *troops*?", (), 0.0, supported=False, reason=None),
    ]
    md = render.set_aside_markdown(aside)
    assert md.count("\n- ") == 1 and md.startswith("- ")
    assert "Kim Jong Un was assassinated" in render.visible_text(md) and "does not name" in md
    assert "\\*troops\\*" in md and "not backed by the articles" in md
    assert render.set_aside_label(2) == "Model's unchecked words (2): not part of the answer"


# -- the environment's API key goes only to its own server (issue 14, item 13) ---------------------------


def _answer_cfg(url, key="sk-env-secret"):
    from newsdesk.settings import AnswerSettings

    return AnswerSettings(openai_base_url=url, openai_api_key=key)


@pytest.mark.parametrize(
    "configured, typed_url, typed_key, expected",
    [
        ("http://10.0.0.5:8080/v1", "http://10.0.0.5:8080/v1", "", {}),  # its own server: the env key
        ("http://10.0.0.5:8080/v1", "http://10.0.0.5:8080/v1/", "", {}),
        ("http://u:pw@10.0.0.5:8080/v1", "http://10.0.0.5:8080/v1", "", {}),  # shown without its credentials
        ("http://10.0.0.5:8080/v1", "http://evil.example/v1", "", {"openai_base_url": "http://evil.example/v1", "openai_api_key": None}),
        ("http://10.0.0.5:8080/v1", "http://evil.example/v1", "sk-typed", {"openai_base_url": "http://evil.example/v1", "openai_api_key": "sk-typed"}),
        ("http://10.0.0.5:8080/v1", "", "", {"openai_base_url": None, "openai_api_key": None}),  # api.openai.com
        (None, "", "", {}),  # api.openai.com is the configured server
        (None, "http://127.0.0.1:8080/v1", "", {"openai_base_url": "http://127.0.0.1:8080/v1", "openai_api_key": None}),
        ("http://10.0.0.5:8080/v1", "http://10.0.0.5:8080/v1", "sk-typed", {"openai_api_key": "sk-typed"}),
    ],
)  # fmt: skip
def test_the_environment_key_goes_only_to_the_server_configured_beside_it(configured, typed_url, typed_key, expected):
    from newsdesk.settings import load_settings
    from ui.sidebar import llm_server_overrides

    cfg = _answer_cfg(configured)
    overrides = llm_server_overrides(cfg, typed_url, typed_key)
    assert overrides == expected
    settings = load_settings(answer={"openai_base_url": configured, "openai_api_key": "sk-env-secret"})
    sent = settings.with_overrides(answer=overrides).answer
    if sent.openai_api_key is not None and sent.openai_api_key.get_secret_value() == "sk-env-secret":
        assert sent.openai_base_url == cfg.openai_base_url
