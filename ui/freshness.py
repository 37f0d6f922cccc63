"""The chat's note that the index gained articles since the conversation began (the app's side of `rag chat`'s).

A conversation begins with its first question: the articles the index held then are its baseline
(a "New chat" starts a new one). When an add (this app's, or `index add`/`watch` elsewhere) brings
more, the chat says so once per change, and the note stays until the next question is asked.
"""

from __future__ import annotations

import streamlit as st

from ui import render

STATE = "freshness"  # {"began_with": doc ids, "announced": count, "shown_at": len(messages) when announced}


def new_articles_note(arrived: int) -> str:
    return f"{arrived:,} new article{'s' if arrived != 1 else ''} since this conversation began"


def show_new_articles_notice(news_index, messages: list[dict]) -> None:
    """Call on every run of the chat page, after the history and before a new question is taken."""
    current = set(news_index.articles)
    state = st.session_state.get(STATE)
    if not messages or state is None:  # no conversation yet (or a new one): what the index holds now is the baseline
        st.session_state[STATE] = {"began_with": current, "announced": 0, "shown_at": None}
        return
    arrived = len(current - state["began_with"])
    if arrived > state["announced"]:
        state["announced"], state["shown_at"] = arrived, len(messages)
    if state["announced"] and state["shown_at"] == len(messages):
        st.info(render.escape_markdown(new_articles_note(state["announced"])), icon=":material/fiber_new:")
