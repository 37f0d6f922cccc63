"""👍/👎 under each answer, with an optional "the right answer is …": a judged answer becomes a feedback-suite case."""

from __future__ import annotations

import datetime as dt
import logging

import streamlit as st

from eval import feedback
from newsdesk.errors import NewsdeskError
from ui import chats, render

log = logging.getLogger("newsdesk.ui")


def show_feedback(i: int, messages: list[dict]) -> None:
    message = messages[i]
    judged = message.get("judgement") or {}
    key = f"m{i}-fb"
    default = None if not judged else (1 if judged.get("up") else 0)
    value = st.feedback("thumbs", key=key, default=default)
    if value is None:
        return
    if not judged or judged.get("up") != (value == 1):  # a new or changed judgement is written at once
        _judge(i, messages)
        judged = messages[i].get("judgement") or {}
    right_key = f"m{i}-right"
    with st.container(horizontal=True, gap="small", vertical_alignment="bottom", key=f"m{i}-fb-row"):
        st.text_input(
            "The right answer is …",
            key=right_key,
            value=judged.get("correction", ""),
            placeholder="optional: what the answer should have said",
        )
        if st.button("Save", key=f"m{i}-fb-save"):
            _judge(i, messages)
            judged = messages[i].get("judgement") or {}
    if judged.get("saved"):
        st.caption(render.escape_markdown(judged["saved"]))


def _judge(i: int, messages: list[dict]) -> None:
    """Write (or rewrite) this answer's case; the judgement is kept with the saved chat."""
    value = st.session_state.get(f"m{i}-fb")
    if value is None or i < 1 or messages[i].get("answer") is None:
        return
    answer = messages[i]["answer"]
    correction = st.session_state.get(f"m{i}-right", messages[i].get("judgement", {}).get("correction", ""))
    history = render.question_history(messages[: i - 1])
    saved_chat = chats.store()
    if saved_chat is None or not st.session_state.get(chats.CHAT_ID):
        return
    store_dir = saved_chat.path.parent
    row, to_review = feedback.judged_case(
        case_id=feedback.case_id(st.session_state[chats.CHAT_ID], i),
        question=messages[i - 1]["content"],
        history=history,
        answer=answer,
        thumbs_up=value == 1,
        correction=correction,
        asked=dt.date.today(),
    )
    try:
        where = feedback.record(store_dir, row, to_review)
    except (NewsdeskError, OSError) as exc:
        log.warning("feedback not saved: %s", exc)
        line = f"Not saved: {exc}"
    else:
        line = (
            f"Saved for review in {where.name}: type the right answer to make it a test case."
            if to_review
            else f"Saved as test case {row['id']} in {where.name}."
        )
    messages[i]["judgement"] = {"up": value == 1, "correction": correction or "", "saved": line}
    chats.save_current(messages, chats.current_filters())
