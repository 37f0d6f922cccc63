"""The Chat page: history in st.session_state, a question box, answers streamed then rendered with citations."""

from __future__ import annotations

import logging

import streamlit as st

import rag
from newsdesk.errors import NewsdeskError
from newsdesk.safetext import mask_urls
from ui import render
from ui.answer_view import open_requested_article, show_answer
from ui.freshness import show_new_articles_notice
from ui.sidebar import Choices, rebuild_button

MESSAGES = "messages"
log = logging.getLogger("newsdesk.ui")


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
    # The input box first: a message that fails to render must never take it away (it used to, until "New chat").
    prompt = st.chat_input("Ask about the news, e.g. How many troops has North Korea sent to Russia?", key="question")
    for i, message in enumerate(messages):
        _show_message(i, message, news_index)
    show_new_articles_notice(news_index, messages)
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
            try:
                show_answer(message["answer"], news_index, key=f"m{i}")
            except Exception as exc:  # noqa: BLE001 (one bad answer must not take the page down)
                _unexpected(exc)
        else:
            st.error(render.escape_markdown(message.get("error", "No answer.")), icon=":material/error:")


def _unexpected(exc: Exception) -> str:
    """Show an unexpected fault as one line (details in the server log) and return that line."""
    log.exception("unexpected error on the chat page")
    line = f"Something went wrong ({type(exc).__name__}); the details are in the server log."
    st.error(line, icon=":material/error:")
    return line


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
        try:
            with st.spinner("Searching the articles…"):
                events = rag.answer_stream(
                    question, history=history, settings=settings, news_index=news_index, filters=choices.filters or None
                )
                first = next(events, None)  # retrieval happens before the first event
            answer = show_stream(_chain(first, events), notice_slot, stream_slot)
        except NewsdeskError as exc:
            notice_slot.empty()
            stream_slot.empty()
            messages.append({"role": "assistant", "error": _sentence(str(exc))})
            st.error(render.escape_markdown(_sentence(str(exc))), icon=":material/error:")
            return
        except Exception as exc:  # noqa: BLE001 (a bug must cost this answer, not the chat)
            notice_slot.empty()
            stream_slot.empty()
            messages.append({"role": "assistant", "error": _unexpected(exc)})
            return
        notice_slot.empty()  # the final answer carries the notice itself
        stream_slot.empty()
        if answer is None:
            messages.append({"role": "assistant", "error": "No answer came back."})
            st.error("No answer came back.")
            return
        messages.append({"role": "assistant", "answer": answer})
        try:
            show_answer(answer, news_index, key=f"m{len(messages) - 1}")
        except Exception as exc:  # noqa: BLE001
            _unexpected(exc)


def show_stream(events, notice_slot, stream_slot):
    """Show ``answer_stream``'s events as they come; return the final Answer (None if none came).

    The model's reply streams into ``stream_slot`` as a draft, labelled unchecked, never as the answer.
    A notice (e.g. the reply failed the check: offline answer instead) clears the draft; the checked
    answer's text then replaces it, and the caller renders the full Answer in its place.
    """
    answer, draft, checked = None, "", ""
    for event in events:
        if event.kind == "draft":
            draft += event.text
            stream_slot.markdown(render.draft_markdown(draft))
        elif event.kind == "notice":
            draft = ""
            stream_slot.empty()
            if event.text:
                notice_slot.info(render.escape_markdown(event.text), icon=":material/cloud_off:")
        elif event.kind == "token":
            checked += event.text
            stream_slot.markdown(render.escape_markdown(checked) + " ▌")
        elif event.kind == "answer":
            answer = event.answer
    return answer


def _chain(first, rest):
    if first is not None:
        yield first
    yield from rest


def _sentence(message: str) -> str:
    message = mask_urls(message.strip())  # a status line never shows a password from a URL
    return (message[:1].upper() + message[1:]) if message else message
