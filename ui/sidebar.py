"""The sidebar: saved chats, answer backend, passages per answer, filters, index status and the rebuild button.

It turns the person's choices into a Settings copy and a Filters value; the
API key is read from a password field and never shown back. The environment's
API key is only ever sent to the server configured beside it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from newsdesk.errors import NewsdeskError
from newsdesk.settings import AnswerSettings, Settings
from rag import Filters
from rag.llms.openai_compat import server_label
from ui import chats, llm_status, render, resources

BACKENDS = {"offline": "Offline (no network)", "openai": "OpenAI-compatible server"}


@dataclass(frozen=True)
class Choices:
    settings: Settings  # with the sidebar's overrides
    filters: Filters


def show_sidebar(base: Settings, news_index, index_error: str | None) -> Choices:
    with st.sidebar:
        chats.show_chat_list()
        st.divider()
        settings = _answer_controls(base)
        filters = _filter_controls(news_index)
        st.divider()
        _index_panel(base, index_error)
    return Choices(settings, filters)


def _answer_controls(base: Settings) -> Settings:
    st.subheader("Answering", anchor=False)
    backend = st.radio(
        "Backend",
        list(BACKENDS),
        format_func=BACKENDS.get,
        key="backend",
        index=list(BACKENDS).index(base.answer.backend),
    )
    answer: dict = {"backend": backend}
    if backend == "openai":
        answer.update(_llm_server_controls(base))
    top_k = st.slider(
        "Passages per answer",
        1,
        20,
        value=base.retrieval.top_k,
        key="top_k",
        help="How many passages of the articles are read to answer a question.",
    )
    try:
        settings = base.with_overrides(answer=answer, retrieval={"top_k": top_k})
    except NewsdeskError:  # a field's own check already said what is wrong, next to the field
        return base.with_overrides(retrieval={"top_k": top_k})
    if backend == "openai":
        _connection_status(settings)
    return settings


def _connection_status(settings: Settings) -> None:
    """A status dot for the model server and a Test connection button (one short request, no retries)."""
    server = server_label(settings.answer.openai_base_url)
    status = st.session_state.get(llm_status.STATUS)
    if status is not None and status.get("server") != server:
        status = None  # a test of another server says nothing about this one
    if st.button("Test connection", key="test_connection", icon=":material/network_check:"):
        status = llm_status.test_connection(settings)
    if status is None:
        st.caption(render.escape_markdown(f"⚪ Not tested yet: {server}"))
    else:
        dot = "🟢" if status["ok"] else "🔴"
        st.caption(render.escape_markdown(f"{dot} {status['line']}"))


def url_problem(typed: str) -> str | None:
    """A plain sentence when the Base URL field does not hold a web address; None when it does (or is empty)."""
    from urllib.parse import urlparse

    text = typed.strip()
    if not text:
        return None
    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return "This is not a web address. It should look like http://127.0.0.1:8080/v1 (starting with http:// or https://)."
    try:
        parsed.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        return "The port (the number after the colon) is not a number."
    return None


def _llm_server_controls(base: Settings) -> dict:
    """Base URL, model and key fields; locked to the configured server when ``ui.lock_llm_server`` is set."""
    cfg = base.answer
    locked = base.ui.lock_llm_server
    configured = server_label(cfg.openai_base_url) if cfg.openai_base_url else ""
    url = st.text_input(
        "Base URL",
        value=configured,
        key="base_url",
        placeholder="http://127.0.0.1:8080/v1",
        disabled=locked,
        help=(
            "Chosen by whoever runs this app; it cannot be changed here."
            if locked
            else "Any OpenAI-compatible server (llama.cpp, vLLM, Ollama, OpenAI)."
        ),
    )
    problem = None if locked else url_problem(url)
    if problem:
        st.error(problem, icon=":material/link_off:")
    model = st.text_input("Model", value=cfg.openai_model, key="model", disabled=locked)
    if locked:
        return {}
    if problem:  # not silently ignored: said above, and the configured server stays in use
        return {}
    own_server = same_server(url, cfg)
    has_env_key = cfg.openai_api_key is not None
    key = st.text_input(
        "API key",
        type="password",
        key="api_key",
        value="",
        placeholder="set in the environment" if has_env_key and own_server else "this server's key, if it needs one",
        help="Kept in this browser session only; never displayed.",
    )
    if has_env_key and not own_server and not key:
        st.caption(
            render.escape_markdown(
                f"The API key from the environment is only sent to {server_label(cfg.openai_base_url)}; "
                "type this server's key above if it needs one."
            )
        )
    return {**llm_server_overrides(cfg, url, key), "openai_model": model.strip() or cfg.openai_model}


def same_server(typed_url: str, cfg: AnswerSettings) -> bool:
    """Whether the Base URL field still names the configured server (shown without its credentials)."""
    typed = typed_url.strip().rstrip("/")
    if not cfg.openai_base_url:
        return not typed
    return typed in (cfg.openai_base_url.rstrip("/"), server_label(cfg.openai_base_url).rstrip("/"))


def llm_server_overrides(cfg: AnswerSettings, typed_url: str, typed_key: str) -> dict:
    """Answer-setting overrides for the server typed in the sidebar.

    The environment's key goes only to the server configured beside it: any other URL gets the
    key typed in the sidebar, or none at all.
    """
    if same_server(typed_url, cfg):
        return {"openai_api_key": typed_key} if typed_key else {}
    return {"openai_base_url": typed_url.strip() or None, "openai_api_key": typed_key or None}


def clear_filters() -> None:
    """A callback (it runs before the widgets are drawn): every filter back to "all"."""
    st.session_state["since"] = None
    st.session_state["until"] = None
    st.session_state["sources"] = []
    st.session_state["doc_ids"] = []


def _filter_controls(news_index) -> Filters:
    with st.expander("Filters", icon=":material/filter_alt:"):
        since = st.date_input("From", value=None, key="since", format="YYYY-MM-DD")
        until = st.date_input("Until", value=None, key="until", format="YYYY-MM-DD")
        outlets = news_index.sources() if news_index is not None else []
        sources = st.multiselect("Outlets", outlets, key="sources", placeholder="all outlets")
    doc_ids = tuple(st.session_state.get("doc_ids") or ())  # set by the Corpus page's "Ask about this article"
    return Filters(since=_iso(since), until=_iso(until), sources=tuple(sources), doc_ids=doc_ids)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if isinstance(day, dt.date) else None


def _index_panel(settings: Settings, index_error: str | None) -> None:
    st.subheader("Index", anchor=False)
    if index_error:
        st.warning(render.escape_markdown(index_error), icon=":material/database_off:")
    else:
        try:
            status = resources.index_status(settings)
        except NewsdeskError as exc:
            st.warning(render.escape_markdown(str(exc)), icon=":material/database_off:")
        else:
            articles = status.get("articles", 0)
            st.caption(
                render.escape_markdown(
                    f"{articles:,} article{'s' if articles != 1 else ''} indexed, "
                    f"last built {_when(status.get('last_build'))}"
                )
            )
            if status.get("stale"):
                st.caption(":orange[The corpus changed since the last build.]")
    rebuild_button(settings, "Rebuild index", key="rebuild_sidebar")


REBUILD_OFF = "The index is kept up to date by whoever runs this app (`python -m index build` or `index watch`)."


def rebuild_button(settings: Settings, label: str, key: str) -> None:
    """A button that brings the index in line with the corpus, with a progress bar, then reloads the app.
    Shared deployments turn it off (``ui.allow_rebuild``): an indexing run costs every user of the machine."""
    if not settings.ui.allow_rebuild:
        st.caption(REBUILD_OFF)
        return
    if not st.button(label, key=key, icon=":material/refresh:"):
        return
    bar = st.progress(0.0, text="Reading the corpus…")

    def progress(done: int, total: int) -> None:
        bar.progress(
            min(1.0, done / total) if total else 1.0, text=f"Reading the articles: {done / total:.0%}" if total else ""
        )

    try:
        report = resources.build_index(settings, progress=progress)
    except NewsdeskError as exc:
        bar.empty()
        st.error(render.escape_markdown(str(exc)), icon=":material/error:")
        return
    bar.progress(1.0, text="Done")
    st.session_state["build_summary"] = f"{report.articles:,} article{'s' if report.articles != 1 else ''} ready"
    st.rerun()


def _when(iso: str | None) -> str:
    if not iso:
        return "never"
    try:
        when = dt.datetime.fromisoformat(iso)
        return (when.astimezone(dt.UTC) if when.tzinfo else when).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return iso
