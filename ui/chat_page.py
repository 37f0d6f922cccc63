"""The Chat page: history in st.session_state, a question box, answers streamed then rendered with citations."""

from __future__ import annotations

import streamlit as st

import rag
from newsdesk.errors import NewsdeskError
from ui import render
from ui.answer_view import open_requested_article, show_answer
from ui.freshness import show_new_articles_notice
from ui.sidebar import Choices, rebuild_button

MESSAGES = "messages"


def show_chat(choices: Choices, news_index, index_error: str | None) -> None:
    st.title("Newsdesk", anchor=False)
    if news_index is None:
        st.caption("Questions answered from a corpus of news articles, with every claim cited.")
        offer_build(choices, index_error)
        return
    st.caption(
        render.escape_markdown(render.corpus_summary(news_index.articles.values()))
        + " Every answer quotes and cites the articles; what they don't say is refused."
    )
    messages: list[dict] = st.session_state.setdefault(MESSAGES, [])
    for i, message in enumerate(messages):
        _show_message(i, message, news_index)
    show_new_articles_notice(news_index, messages)
    prompt = st.chat_input("Ask about the news, e.g. How many troops has North Korea sent to Russia?", key="question")
    if prompt is not None:
        _ask(prompt, messages, choices, news_index)
    open_requested_article(news_index)


def offer_build(choices: Choices, index_error: str | None) -> None:
    st.warning(render.escape_markdown(index_error or "There is no index yet."), icon=":material/database_off:")
    st.write("Build it from the articles in the corpus folder (this takes a few seconds for the seed corpus).")
    rebuild_button(choices.settings, "Build index", key="build_main")


def _show_message(i: int, message: dict, news_index) -> None:
    with st.chat_message(message["role"]):
        if message["role"] == "user":
            st.markdown(render.escape_markdown(message["content"]))
        elif message.get("answer") is not None:
            show_answer(message["answer"], news_index, key=f"m{i}")
        else:
            st.error(render.escape_markdown(message.get("error", "No answer.")), icon=":material/error:")


def _ask(prompt: str, messages: list[dict], choices: Choices, news_index) -> None:
    settings = choices.settings
    try:
        question = rag.clean_question(prompt, settings.answer.max_question_chars)
    except NewsdeskError as exc:  # empty or over-long: say so where the person is looking, keep no history
        with st.chat_message("assistant"):
            st.warning(render.escape_markdown(_sentence(str(exc))), icon=":material/edit_note:")
        return
    history = render.question_history(messages)
    messages.append({"role": "user", "content": question})
    with st.chat_message("user"):
        st.markdown(render.escape_markdown(question))
    with st.chat_message("assistant"):
        notice_slot, stream_slot = st.empty(), st.empty()
        answer, streamed = None, ""
        try:
            with st.spinner("Searching the articles…"):
                events = rag.answer_stream(
                    question, history=history, settings=settings, news_index=news_index, filters=choices.filters or None
                )
                first = next(events, None)  # retrieval happens before the first event
            for event in _chain(first, events):
                if event.kind == "token":
                    streamed += event.text
                    stream_slot.markdown(render.escape_markdown(streamed) + " ▌")
                elif event.kind == "notice" and event.text:
                    notice_slot.info(render.escape_markdown(event.text), icon=":material/cloud_off:")
                elif event.kind == "answer":
                    answer = event.answer
        except NewsdeskError as exc:
            notice_slot.empty()
            stream_slot.empty()
            messages.append({"role": "assistant", "error": _sentence(str(exc))})
            st.error(render.escape_markdown(_sentence(str(exc))), icon=":material/error:")
            return
        notice_slot.empty()  # the final answer carries the notice itself
        stream_slot.empty()
        if answer is None:
            messages.append({"role": "assistant", "error": "No answer came back."})
            st.error("No answer came back.")
            return
        messages.append({"role": "assistant", "answer": answer})
        show_answer(answer, news_index, key=f"m{len(messages) - 1}")


def _chain(first, rest):
    if first is not None:
        yield first
    yield from rest


def _sentence(message: str) -> str:
    message = message.strip()
    return (message[:1].upper() + message[1:]) if message else message
