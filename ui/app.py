"""Newsdesk's Streamlit app: `streamlit run ui/app.py` (make run does this).

A thin page over ``rag``: the sidebar picks settings, the index is opened once
per process (shared by all browser sessions), and each page renders typed results.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # streamlit puts ui/ on the path, not the repository
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from newsdesk.errors import NewsdeskError  # noqa: E402
from newsdesk.settings import load_settings  # noqa: E402
from ui import chats, render, resources  # noqa: E402
from ui.add_page import show_add  # noqa: E402
from ui.chat_page import show_chat  # noqa: E402
from ui.corpus_page import SWITCH_TO_CHAT, show_corpus  # noqa: E402
from ui.eval_page import show_eval  # noqa: E402
from ui.sidebar import show_sidebar  # noqa: E402

log = logging.getLogger("newsdesk.ui")
# Streamlit's Deploy button is for app developers; a reader has no use for it.
HIDE_DEPLOY_BUTTON = "<style>[data-testid='stAppDeployButton'], .stAppDeployButton {display: none !important;}</style>"


def main() -> None:
    st.set_page_config(page_title="Newsdesk", page_icon=":material/newspaper:", layout="centered")
    try:
        base = load_settings()
    except NewsdeskError as exc:
        st.error(render.escape_markdown(str(exc)), icon=":material/error:")
        return
    news_index, index_error = None, None
    try:
        news_index = resources.open_news_index(base)
    except NewsdeskError as exc:
        index_error = str(exc)
    st.html(HIDE_DEPLOY_BUTTON)
    chats.boot(base)  # before the sidebar: a reloaded page reopens its chat with the chat's filters
    choices = show_sidebar(base, news_index, index_error)
    if summary := st.session_state.pop("build_summary", None):
        st.toast(render.escape_markdown(f"Index built: {summary}"), icon=":material/check_circle:")

    def chat() -> None:
        show_chat(choices, news_index, index_error)

    def corpus() -> None:
        show_corpus(choices, news_index, index_error)

    def add() -> None:
        show_add(choices, news_index, index_error)

    def evals() -> None:
        show_eval(choices, news_index)

    pages = [
        st.Page(chat, title="Chat", icon=":material/chat:", url_path="chat", default=True),
        st.Page(corpus, title="Corpus", icon=":material/newspaper:", url_path="corpus"),
        st.Page(evals, title="Eval", icon=":material/monitoring:", url_path="eval"),
    ]
    if base.ui.allow_adding:  # off in shared deployments: no app user writes to the corpus
        pages.insert(2, st.Page(add, title="Add articles", icon=":material/add_circle:", url_path="add"))
    navigation = st.navigation(pages)
    if st.session_state.pop(SWITCH_TO_CHAT, False):  # "Ask about this article" on the Corpus page
        st.switch_page(pages[0])
    navigation.run()


def run() -> None:
    """main(), with any unexpected fault shown as one line (details go to the server log, never the page)."""
    try:
        main()
    except NewsdeskError as exc:
        st.error(render.escape_markdown(str(exc)), icon=":material/error:")
    except Exception as exc:  # noqa: BLE001 (last resort: a person must never see a stack trace)
        log.exception("unexpected error in the Newsdesk app")
        st.error(
            f"Something went wrong ({type(exc).__name__}); the details are in the server log.", icon=":material/error:"
        )


st.set_option("client.showErrorDetails", "none")
st.set_option("client.toolbarMode", "minimal")
run()
