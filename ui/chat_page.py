"""The Chat page: history in st.session_state (saved to SQLite after each answer), a question box, answers streamed
then rendered with citations, and per-answer actions (copy, regenerate, judge)."""

from __future__ import annotations

import logging

import streamlit as st

import rag
from newsdesk.errors import NewsdeskError
from newsdesk.safetext import mask_urls
from rag.conversation import describe_follow_up
from ui import chats, render, resources
from ui.answer_view import open_requested_article, show_answer
from ui.feedback_view import show_feedback
from ui.freshness import show_new_articles_notice
from ui.llm_status import note_answer, server_down_settings
from ui.sidebar import Choices, clear_filters, rebuild_button

MESSAGES = chats.MESSAGES
PENDING = "pending_question"  # a question asked by a button (starter, search without filters, regenerate)
log = logging.getLogger("newsdesk.ui")


def ask_later(question: str, *, without_filters: bool = False, replace_last: bool = False) -> None:
    """A button's callback: ask ``question`` on the next run (callbacks run before widgets are drawn)."""
    if without_filters:
        clear_filters()
    st.session_state[PENDING] = {"question": question, "replace_last": replace_last}


def show_chat(choices: Choices, news_index, index_error: str | None) -> None:
    st.title("Newsdesk", anchor=False)
    if news_index is None:
        st.caption("Questions answered from a corpus of news articles, with every claim cited.")
        offer_build(choices, index_error)
        return
    messages: list[dict] = st.session_state.setdefault(MESSAGES, [])
    # The input box first: a message that fails to render must never take it away (it used to, until "New chat").
    prompt = st.chat_input("Ask about the news in these articles", key="question")
    pending = st.session_state.pop(PENDING, None)
    _show_filter_chips(choices)
    if not messages and prompt is None and pending is None:
        _first_screen(news_index)
    for i, message in enumerate(messages):
        if pending and pending.get("replace_last") and i >= len(messages) - 2:
            break  # regenerate: the last question and answer are asked again below
        _show_message(i, message, messages, news_index)
    show_new_articles_notice(news_index, messages)
    if pending is not None:
        if pending.get("replace_last") and len(messages) >= 2:
            del messages[-2:]
        _ask(pending["question"], messages, choices, news_index)
    elif prompt is not None:
        _ask(prompt, messages, choices, news_index)
    if messages:
        _export_button(messages)
    open_requested_article(news_index)


def _show_filter_chips(choices: Choices) -> None:
    """Active filters, visible above the chat (not only in the sidebar), with a way to drop them."""
    chips = render.filter_chips(choices.filters)
    if not chips:
        return
    with st.container(horizontal=True, gap="small", vertical_alignment="center", key="filter_chips"):
        st.markdown("Searching only: " + " ".join(f":blue-badge[{render.escape_markdown(c)}]" for c in chips))
        st.button("Clear filters", key="clear_filters", icon=":material/filter_alt_off:", on_click=clear_filters)


def _export_button(messages: list[dict]) -> None:
    saved = chats.store()
    title = "Newsdesk conversation"
    if saved is not None and st.session_state.get(chats.CHAT_ID):
        title = next((t for cid, t, _ in saved.list() if cid == st.session_state[chats.CHAT_ID]), title)
    st.download_button(
        "Export this chat (Markdown)",
        data=render.conversation_as_markdown(messages, title),
        file_name="newsdesk-chat.md",
        mime="text/markdown",
        key="export_chat",
        icon=":material/download:",
    )


def _first_screen(news_index) -> None:
    """What the corpus holds, and a few questions it can answer, before anything is asked."""
    overview = resources.corpus_overview(news_index)
    st.markdown(render.escape_markdown(overview.summary))
    if overview.topics:
        st.caption(render.escape_markdown("Main topics: " + ", ".join(overview.topics) + "."))
    st.caption("Every answer quotes and cites the articles; what they don't say is refused. Try:")
    for i, question in enumerate(overview.starters):
        st.button(question, key=f"starter{i}", icon=":material/lightbulb:", on_click=ask_later, args=(question,))


def offer_build(choices: Choices, index_error: str | None) -> None:
    st.warning(render.escape_markdown(index_error or "There is no index yet."), icon=":material/database_off:")
    st.write("Build it from the articles in the corpus folder (this takes a few seconds for the seed corpus).")
    rebuild_button(choices.settings, "Build index", key="build_main")


def _show_message(i: int, message: dict, messages: list[dict], news_index) -> None:
    with st.chat_message(message["role"]):
        if message["role"] == "user":
            st.markdown(render.escape_markdown(message["content"]))
        elif message.get("answer") is not None:
            try:
                _show_assistant(i, message, messages, news_index)
            except Exception as exc:  # noqa: BLE001 (one bad answer must not take the page down)
                _unexpected(exc)
        else:
            st.error(render.escape_markdown(message.get("error", "No answer.")), icon=":material/error:")


def _show_assistant(i: int, message: dict, messages: list[dict], news_index) -> None:
    answer = message["answer"]
    question = answer.question
    show_answer(
        answer,
        news_index,
        key=f"m{i}",
        filters=message.get("filters"),
        search_all=lambda: ask_later(question, without_filters=True),
    )
    if message.get("understood"):
        st.caption(render.escape_markdown(message["understood"]), help="How Newsdesk read this question")
    _answer_actions(i, message, messages)


def _answer_actions(i: int, message: dict, messages: list[dict]) -> None:
    """Copy (the answer with its sources, as Markdown), regenerate (only the last answer), and 👍/👎."""
    answer = message["answer"]
    with st.container(horizontal=True, gap="small", key=f"m{i}-actions"):
        with st.popover("Copy", icon=":material/content_copy:", key=f"m{i}-copy"):
            st.caption("The answer with its citations and sources, as Markdown (the icon copies it)")
            st.code(render.answer_as_markdown(answer), language="markdown", wrap_lines=True)
        if i == len(messages) - 1:
            st.button(
                "Regenerate",
                key=f"m{i}-regenerate",
                icon=":material/refresh:",
                on_click=ask_later,
                args=(answer.question,),
                kwargs={"replace_last": True},
            )
    show_feedback(i, messages)


def _unexpected(exc: Exception) -> str:
    """Show an unexpected fault as one line (details in the server log) and return that line."""
    log.exception("unexpected error on the chat page")
    line = f"Something went wrong ({type(exc).__name__}); the details are in the server log."
    st.error(line, icon=":material/error:")
    return line


def _ask(prompt: str, messages: list[dict], choices: Choices, news_index) -> None:
    settings, notice = server_down_settings(choices.settings)
    try:
        question = rag.clean_question(prompt, settings.answer.max_question_chars)
    except NewsdeskError as exc:  # empty or over-long: say so where the person is looking, keep no history
        with st.chat_message("assistant"):
            st.warning(render.escape_markdown(_sentence(str(exc))), icon=":material/edit_note:")
        return
    history = render.question_history(messages)
    filters = choices.filters or None
    messages.append({"role": "user", "content": question})
    with st.chat_message("user"):
        st.markdown(render.escape_markdown(question))
    with st.chat_message("assistant"):
        notice_slot, stream_slot = st.empty(), st.empty()
        if notice:
            st.info(render.escape_markdown(notice), icon=":material/cloud_off:")
        try:
            with st.spinner("Searching the articles…"):
                events = rag.answer_stream(
                    question, history=history, settings=settings, news_index=news_index, filters=filters
                )
                first = next(events, None)  # retrieval happens before the first event
            answer = show_stream(_chain(first, events), notice_slot, stream_slot)
        except NewsdeskError as exc:
            notice_slot.empty()
            stream_slot.empty()
            messages.append({"role": "assistant", "error": _sentence(str(exc))})
            st.error(render.escape_markdown(_sentence(str(exc))), icon=":material/error:")
            chats.save_current(messages, choices.filters)
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
        note_answer(settings, answer)
        understood = describe_follow_up(question, history) if answer.standalone_question else None
        if answer.standalone_question and not understood and history and answer.backend != "offline":
            understood = f"Understood as: {answer.standalone_question}"  # a model's rewrite is a plain question
        message = {"role": "assistant", "answer": answer, "filters": filters, "understood": understood}
        messages.append(message)
        chats.save_current(messages, choices.filters)
        try:
            _show_assistant(len(messages) - 1, message, messages, news_index)
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
