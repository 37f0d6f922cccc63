"""The OpenAI request/response mapping of the served API (pure functions, no server)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rag.records import Answer, AnswerSentence, Citation, Conflict, Passage
from rag.serve.chat import (
    EXTRA_FIELD,
    RequestError,
    answer_payload,
    completion,
    completion_chunks,
    parse_chat_request,
    reply_text,
    split_pieces,
    strip_trailer,
)

TROOPS = "How many troops has North Korea sent to Russia?"


def cited_answer(**changes) -> Answer:
    fields = dict(
        question=TROOPS,
        refused=False,
        sentences=[
            AnswerSentence("About 15,000 troops were sent.", (1,), 0.9, highlight=(6, 12), corroboration=2),
            AnswerSentence("Others say 12,000.", (2,), 0.8, corroboration=1),
        ],
        citations=[
            Citation(1, "004_x", 10, 40, "roughly 15,000 troops", title="Putin and Kim", date="2025-09-03",
                     source="DW", url="https://dw.example/a", also_in=("001_y",)),
            Citation(2, "003_z", 5, 30, "some 12,000 soldiers", title=None, date=None),
        ],
        trace=[Passage("c1", "004_x", 0, 50, "passage text", 0.5)],
        short_answer="15,000",
        conflicts=[Conflict("how many", (("15,000", (1,)), ("12,000", (2,))))],
    )  # fmt: skip
    fields.update(changes)
    return Answer(**fields)


def refused_answer() -> Answer:
    return Answer(
        question="Who won the 2022 World Cup?",
        refused=True,
        related=[Citation(1, "002_q", 0, 12, "a parade text", title="Parade", source="DW", date="2025-09-03")],
    )


# -- requests ---------------------------------------------------------------------------


def test_the_last_user_message_is_the_question_and_earlier_turns_the_history():
    reply = reply_text(cited_answer())
    request = parse_chat_request(
        {
            "model": "newsdesk",
            "messages": [
                {"role": "system", "content": "You are a helpful assistant."},
                {"role": "user", "content": TROOPS},
                {"role": "assistant", "content": reply},
                {
                    "role": "user",
                    "content": [{"type": "text", "text": "And how many"}, {"type": "text", "text": "died?"}],
                },
            ],
            "stream": True,
            "temperature": 0.3,
        }
    )
    assert request.question == "And how many\ndied?"
    assert request.stream is True
    # The system prompt is dropped; the assistant turn is the answer as Newsdesk wrote it, without our trailer.
    assert request.history == [
        {"role": "user", "content": TROOPS},
        {"role": "assistant", "content": cited_answer().text},
    ]


def test_model_may_be_omitted_and_stream_defaults_to_false():
    request = parse_chat_request({"messages": [{"role": "user", "content": "Where was the parade?"}]})
    assert (request.question, request.history, request.stream) == ("Where was the parade?", [], False)


@pytest.mark.parametrize(
    ("body", "param", "code"),
    [
        ([], None, "invalid_request"),
        ({"messages": []}, "messages", "invalid_request"),
        ({"messages": "hello"}, "messages", "invalid_request"),
        ({"model": "gpt-4o", "messages": [{"role": "user", "content": "q"}]}, "model", "model_not_found"),
        ({"messages": [{"role": "user", "content": "q"}], "stream": "yes"}, "stream", "invalid_request"),
        ({"messages": [{"role": "user", "content": "q"}], "n": 3}, "n", "invalid_request"),
        ({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}, "messages", "invalid_request"),
        ({"messages": [{"role": "system", "content": "only a system prompt"}]}, "messages", "invalid_request"),
        ({"messages": [{"role": "tool", "content": "x"}, {"role": "user", "content": "q"}]}, "messages[0].role", "invalid_request"),
        ({"messages": ["q"]}, "messages[0]", "invalid_request"),
        ({"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]}, "messages[0].content", "invalid_request"),
        ({"messages": [{"role": "user", "content": 42}]}, "messages[0].content", "invalid_request"),
    ],
)  # fmt: skip
def test_unusable_requests_are_one_line_errors_naming_the_field(body, param, code):
    with pytest.raises(RequestError) as caught:
        parse_chat_request(body)
    assert caught.value.param == param and caught.value.code == code
    assert "\n" not in str(caught.value) and str(caught.value)


def test_an_unknown_model_name_is_not_echoed():
    with pytest.raises(RequestError) as caught:
        parse_chat_request({"model": "sk-secret-looking-value", "messages": [{"role": "user", "content": "q"}]})
    assert "sk-secret" not in str(caught.value) and "newsdesk" in str(caught.value)


# -- replies ----------------------------------------------------------------------------


def test_reply_text_is_the_checked_answer_then_conflicts_then_numbered_sources():
    reply = reply_text(cited_answer())
    text, _, trailer = reply.partition("\n\n")
    assert text == cited_answer().text == "About 15,000 troops were sent. [1] Others say 12,000. [2]"
    assert "Sources disagree on how many: 15,000 [1]; 12,000 [2]" in trailer
    sources = trailer[trailer.index("Sources:\n") :].splitlines()[1:]
    assert sources[0] == (
        "- [1] Putin and Kim — DW, 2025-09-03 (also in: 001_y) — https://dw.example/a: \u201croughly 15,000 troops\u201d"
    )
    assert sources[1] == "- [2] 003_z — undated: \u201csome 12,000 soldiers\u201d"  # no title: the doc id


def test_a_refusal_lists_related_passages_without_numbers_and_a_notice_comes_last():
    reply = reply_text(refused_answer())
    assert reply.startswith(refused_answer().text + "\n\nRelated passages:\n- Parade — DW, 2025-09-03")
    assert refused_answer().text.startswith("The articles don't say.")
    assert "[1]" not in reply
    noticed = reply_text(cited_answer(notice="LLM server unreachable;\nshowing the offline answer"))
    assert noticed.endswith("\n\nNote: LLM server unreachable; showing the offline answer")


@pytest.mark.parametrize("answer", [cited_answer(), refused_answer(), cited_answer(notice="n", conflicts=[])])
def test_strip_trailer_gives_back_the_answer_text(answer):
    assert strip_trailer(reply_text(answer)) == answer.text
    assert strip_trailer("a reply written by another model") == "a reply written by another model"


def test_non_streamed_completion_has_openai_shape_and_the_structured_answer_without_trace():
    body = completion(cited_answer(), completion_id="chatcmpl-1", created=7)
    assert body["object"] == "chat.completion" and body["model"] == "newsdesk"
    choice = body["choices"][0]
    assert choice["message"] == {"role": "assistant", "content": reply_text(cited_answer())}
    assert choice["finish_reason"] == "stop"
    extra = json.loads(json.dumps(body))[EXTRA_FIELD]  # JSON-safe
    assert extra["citations"][0] == {
        "n": 1, "doc_id": "004_x", "start": 10, "end": 40, "quote": "roughly 15,000 troops", "title": "Putin and Kim",
        "date": "2025-09-03", "source": "DW", "url": "https://dw.example/a", "passage_start": None,
        "passage_end": None, "story": None, "also_in": ["001_y"],
    }  # fmt: skip
    assert extra["sentences"][0]["corroboration"] == 2 and extra["refused"] is False
    assert extra["conflicts"] == [{"topic": "how many", "sides": [["15,000", [1]], ["12,000", [2]]], "kind": "value"}]
    assert "trace" not in extra
    assert answer_payload(cited_answer(), include_trace=True)["trace"][0]["chunk_id"] == "c1"


def test_streamed_chunks_carry_exactly_the_non_streamed_reply_and_end_with_the_structured_answer():
    chunks = completion_chunks(cited_answer(), completion_id="chatcmpl-1", created=7, piece_chars=10)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    middle = chunks[1:-1]
    assert len(middle) > 5 and all(c["choices"][0]["finish_reason"] is None for c in middle)
    assert "".join(c["choices"][0]["delta"]["content"] for c in middle) == reply_text(cited_answer())
    assert all(EXTRA_FIELD not in c for c in chunks[:-1])
    last = chunks[-1]
    assert last["choices"][0] == {"index": 0, "delta": {}, "finish_reason": "stop", "logprobs": None}
    assert last[EXTRA_FIELD] == answer_payload(cited_answer())
    assert {c["id"] for c in chunks} == {"chatcmpl-1"} and {c["object"] for c in chunks} == {"chat.completion.chunk"}


@given(st.text(), st.integers(min_value=1, max_value=50))
def test_pieces_join_back_to_the_text_and_break_only_after_whitespace(text, piece_chars):
    pieces = split_pieces(text, piece_chars)
    assert "".join(pieces) == text
    assert all(p for p in pieces)
    assert all(len(p) >= piece_chars for p in pieces[:-1])
    for before, after in zip(pieces, pieces[1:]):  # never inside a word
        assert before[-1].isspace() or after[0].isspace()
