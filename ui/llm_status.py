"""The model server's health as this browser session knows it: one notice when it is down, not retries per question.

When an answer had to fall back to the offline answerer because the server could not be reached (down, timing
out, refusing), the session remembers that server; later questions go straight to the offline answerer, with the
sidebar's status dot red, until "Test connection" finds it up again (or another server is chosen).
"""

from __future__ import annotations

import streamlit as st

from newsdesk.settings import Settings
from rag.llms.openai_compat import server_label

DOWN = "llm_down"  # the server_label of the server found unreachable in this session
STATUS = "llm_status"  # {"server": label, "ok": bool, "line": plain sentence} from the last test
_UNREACHABLE = ("unreachable", "timed out", "connection broke off")


def current_server(settings: Settings) -> str | None:
    if settings.answer.backend != "openai":
        return None
    return server_label(settings.answer.openai_base_url)


def server_down_settings(settings: Settings) -> tuple[Settings, str | None]:
    """The settings to answer with: offline when this session already found the chosen server unreachable."""
    server = current_server(settings)
    if server is None or st.session_state.get(DOWN) != server:
        return settings, None
    return settings.with_overrides(answer={"backend": "offline"}), None


def note_answer(settings: Settings, answer) -> None:
    """Remember an unreachable server from an answer's notice (the answer already said so, once)."""
    server = current_server(settings)
    if server is None or answer.backend != "offline" or not answer.notice:
        return
    if any(word in answer.notice for word in _UNREACHABLE):
        st.session_state[DOWN] = server
        st.session_state[STATUS] = {"server": server, "ok": False, "line": down_line(server)}


def down_line(server: str) -> str:
    return (
        f"{server} does not answer. Questions are answered offline from the articles until "
        "Test connection finds it again."
    )


def test_connection(settings: Settings) -> dict:
    """Ask the server for its models (one short request, no retries); a plain sentence either way."""
    import openai

    cfg = settings.answer
    server = server_label(cfg.openai_base_url)
    client = openai.OpenAI(
        base_url=cfg.openai_base_url,
        api_key=cfg.openai_api_key.get_secret_value() if cfg.openai_api_key else "not-needed",
        timeout=min(cfg.timeout_s, 5.0),
        max_retries=0,
    )
    try:
        models = [m.id for m in client.models.list()]
    except openai.AuthenticationError:
        status = {"ok": False, "line": f"{server} refused the API key. Check the key above."}
    except openai.APIStatusError as exc:
        status = {"ok": False, "line": f"{server} answered with an error (HTTP {exc.status_code})."}
    except openai.APIConnectionError:
        status = {"ok": False, "line": down_line(server)}
    except Exception:  # noqa: BLE001 (anything else: not a server we can talk to)
        status = {"ok": False, "line": f"{server} did not answer like an OpenAI-compatible server."}
    else:
        found = cfg.openai_model in models
        line = f"Connected to {server}." + (
            ""
            if found or not models
            else f" It does not list the model {cfg.openai_model}; it has {', '.join(models[:3])}."
        )
        status = {"ok": True, "line": line}
    status["server"] = server
    if status["ok"] and st.session_state.get(DOWN) == server:
        del st.session_state[DOWN]
    elif not status["ok"] and status["line"] == down_line(server):
        st.session_state[DOWN] = server
    st.session_state[STATUS] = status
    return status
