"""The session's side of saved chats: which chat is open, reopening it after a reload, the sidebar's list.

The open chat's id is in the page address (``?chat=ID``), so a reload (a new browser session) reopens
it, filters included; the list in the sidebar survives a restart (ui/conversations.py, SQLite).
"""

from __future__ import annotations

import datetime as dt
import logging

import streamlit as st

from newsdesk.settings import Settings
from rag.retrieve import Filters
from ui import render
from ui.conversations import ConversationStore

MESSAGES = "messages"
CHAT_ID = "chat_id"
STORE_DIR = "chat_store_dir"
FILTER_KEYS = ("since", "until", "sources")  # the sidebar's filter widgets
log = logging.getLogger("newsdesk.ui")


def store() -> ConversationStore | None:
    where = st.session_state.get(STORE_DIR)
    return ConversationStore(where) if where else None


def boot(settings: Settings) -> None:
    """Call first on every run, before the sidebar: reopen the chat the address names (after a reload)."""
    st.session_state[STORE_DIR] = str(settings.index.store_dir)
    wanted = st.query_params.get("chat")
    if wanted and st.session_state.get(CHAT_ID) != wanted:
        if not open_chat(wanted):
            del st.query_params["chat"]


def _open_chat_clicked(conversation_id: str) -> None:
    """A button callback (Streamlit ignores what it returns)."""
    open_chat(conversation_id)


def open_chat(conversation_id: str) -> bool:
    """Load a saved chat into this session: its messages and its filters (as the sidebar's values)."""
    saved = store()
    try:
        conversation = saved.load(conversation_id) if saved else None
    except Exception:  # noqa: BLE001 (an unreadable chats file must not take the page down)
        log.exception("cannot read the saved chats")
        conversation = None
    if conversation is None:
        return False
    st.session_state[MESSAGES] = conversation.messages
    st.session_state[CHAT_ID] = conversation.id
    set_filters(conversation.filters)
    st.session_state.pop("freshness", None)
    st.query_params["chat"] = conversation.id
    return True


def set_filters(filters: Filters) -> None:
    st.session_state["since"] = _day(filters.since)
    st.session_state["until"] = _day(filters.until)
    st.session_state["sources"] = list(filters.sources)
    st.session_state["doc_ids"] = list(filters.doc_ids)


def current_filters() -> Filters:
    """The sidebar's filters as they stand (the chat's own, saved with it)."""
    since, until = st.session_state.get("since"), st.session_state.get("until")
    return Filters(
        since=since.isoformat() if isinstance(since, dt.date) else None,
        until=until.isoformat() if isinstance(until, dt.date) else None,
        sources=tuple(st.session_state.get("sources") or ()),
        doc_ids=tuple(st.session_state.get("doc_ids") or ()),
    )


def _day(iso: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(iso) if iso else None
    except ValueError:
        return None


def save_current(messages: list[dict], filters: Filters | None) -> None:
    """Save the open chat (creating it on its first answer); a failure to save costs a warning, not the answer."""
    saved = store()
    if saved is None:
        return
    try:
        st.session_state[CHAT_ID] = saved.save(st.session_state.get(CHAT_ID), messages, filters)
    except Exception as exc:  # noqa: BLE001
        log.exception("cannot save the chat")
        st.warning(f"This chat could not be saved ({type(exc).__name__}); it stays open in this tab.")
        return
    st.query_params["chat"] = st.session_state[CHAT_ID]


def new_chat() -> None:
    st.session_state[MESSAGES] = []
    st.session_state.pop(CHAT_ID, None)
    st.session_state.pop("freshness", None)
    st.query_params.pop("chat", None)


def _delete(conversation_id: str) -> None:
    saved = store()
    if saved is not None:
        saved.delete(conversation_id)
    if st.session_state.get(CHAT_ID) == conversation_id:
        new_chat()


def _rename(conversation_id: str, key: str) -> None:
    saved = store()
    if saved is not None:
        saved.rename(conversation_id, st.session_state.get(key, ""))


def show_chat_list() -> None:
    """The sidebar's Chats: New chat, every saved chat (newest first), and rename/delete for the open one."""
    saved = store()
    try:
        chats = saved.list() if saved else []
    except Exception:  # noqa: BLE001
        log.exception("cannot read the saved chats")
        st.caption("The saved chats cannot be read.")
        return
    st.subheader("Chats", anchor=False)
    st.button("New chat", key="new_chat", icon=":material/add_comment:", on_click=new_chat, width="stretch")
    current = st.session_state.get(CHAT_ID)
    for conversation_id, title, _updated in chats[:50]:
        is_open = conversation_id == current
        st.button(
            render.escape_markdown(title),
            key=f"chat-{conversation_id}",
            type="primary" if is_open else "tertiary",
            on_click=_open_chat_clicked,
            args=(conversation_id,),
            width="stretch",
        )
        if is_open:
            with st.popover("Rename or delete", icon=":material/edit:", key=f"chat-edit-{conversation_id}"):
                name_key = f"chat-name-{conversation_id}"
                st.text_input("Name", value=title, key=name_key)
                st.button(
                    "Rename", key=f"chat-rename-{conversation_id}", on_click=_rename, args=(conversation_id, name_key)
                )
                st.button(
                    "Delete this chat",
                    key=f"chat-delete-{conversation_id}",
                    icon=":material/delete:",
                    on_click=_delete,
                    args=(conversation_id,),
                )
