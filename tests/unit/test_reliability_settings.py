"""Bad settings are one clear line (exit code 2 on the command line), never a traceback or a silent default."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from newsdesk.errors import SettingsError
from newsdesk.settings import load_settings
from tests.conftest import ROOT

SECRET = "sk-test-SECRET-123"

BAD_ENV = [
    ({"NEWSDESK_ANSWER__NOPE": "1"}, "invalid settings: unknown variable NEWSDESK_ANSWER__NOPE; did you mean"),
    ({"NEWSDESK_RETRIEVAL__TOP_K": "abc"}, "invalid settings: retrieval.top_k: Input should be a valid integer"),
    (
        {"NEWSDESK_RETRIEVAL__TOP_K": "0"},
        "invalid settings: retrieval.top_k: Input should be greater than or equal to 1",
    ),
    ({"OPENAI_BASE_URL": "not-a-url"}, "invalid settings: answer.openai_base_url: Value error, not an http(s) URL"),
    ({"NEWSDESK_ANSWER__OPENAI_BASE_URL": "ftp://x"}, "invalid settings: answer.openai_base_url: Value error, not an"),
    ({"CHROMA_PORT": "eighty"}, "invalid settings: index.chroma_port: Input should be a valid integer"),
    (
        {"NEWSDESK_RETRIEVAL_TOP_K": "8"},  # one underscore: silently ignored before
        "invalid settings: unknown variable NEWSDESK_RETRIEVAL_TOP_K; did you mean NEWSDESK_RETRIEVAL__TOP_K?",
    ),
    (
        {"NEWSDESK_BACKEND": "openai"},
        "invalid settings: unknown variable NEWSDESK_BACKEND; did you mean NEWSDESK_ANSWER__BACKEND?",
    ),
    (
        {"NEWSDESK_ANSWER": "not json"},  # was a raw pydantic_settings exception
        'invalid settings: error parsing value for field "answer"',
    ),
    # A misspelt section was silently ignored: the whole variable was dropped and the default used.
    (
        {"NEWSDESK_RETREIVAL__TOP_K": "1"},
        "invalid settings: unknown variable NEWSDESK_RETREIVAL__TOP_K; did you mean NEWSDESK_RETRIEVAL__TOP_K?",
    ),
    (
        {"NEWSDESK_ANSWR__BACKEND": "openai"},
        "invalid settings: unknown variable NEWSDESK_ANSWR__BACKEND; did you mean NEWSDESK_ANSWER__BACKEND?",
    ),
    (
        {"newsdesk_index__embeder": "fake"},  # names are case-insensitive, as pydantic-settings reads them
        "invalid settings: unknown variable NEWSDESK_INDEX__EMBEDER; did you mean NEWSDESK_INDEX__EMBEDDER?",
    ),
    # Non-finite numbers passed ge=0 and broke the ranking; both fusion weights 0 rank nothing.
    ({"NEWSDESK_RETRIEVAL__DENSE_WEIGHT": "inf"}, "invalid settings: retrieval.dense_weight: Input should be a finite"),
    ({"NEWSDESK_ANSWER__TIMEOUT_S": "nan"}, "invalid settings: answer.timeout_s: Input should be a finite number"),
    (
        {"NEWSDESK_RETRIEVAL__DENSE_WEIGHT": "0", "NEWSDESK_RETRIEVAL__KEYWORD_WEIGHT": "0.0"},
        "invalid settings: retrieval: Value error, dense_weight and keyword_weight are both 0",
    ),
]


@pytest.mark.parametrize(
    "env, message", BAD_ENV, ids=[next(iter(e)) + "=" + next(iter(e.values())) for e, _ in BAD_ENV]
)
def test_a_bad_variable_is_one_line_naming_the_setting(monkeypatch, env, message):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("env, message", [BAD_ENV[i] for i in (0, 1, 3, 6, 8, 9)], ids=lambda v: str(v)[:40])
def test_the_cli_prints_the_same_line_and_exits_2(tmp_path, env, message):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    done = subprocess.run(
        [sys.executable, "-m", "rag", "ask", "x"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [done.stderr.strip()]  # exactly one line, no traceback
    assert done.stderr.startswith(f"error: {message}")


def test_a_bad_value_is_never_echoed(monkeypatch):
    """A key pasted into the URL variable must not be printed back."""
    monkeypatch.setenv("OPENAI_BASE_URL", SECRET)
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert SECRET not in str(err.value)


def test_dot_env_may_hold_the_conventional_names_and_other_tools_variables(tmp_path):
    """OPENAI_API_KEY in .env used to fail as an 'extra input'; other tools' variables must not trip us either."""
    (tmp_path / ".env").write_text(
        f"OPENAI_API_KEY={SECRET}\nOPENAI_BASE_URL=http://127.0.0.1:9/v1\nHF_HOME=/somewhere\n"
        "NEWSDESK_RETRIEVAL__TOP_K=4\n",
        encoding="utf-8",
    )
    settings = load_settings()
    assert settings.answer.openai_api_key.get_secret_value() == SECRET
    assert settings.answer.openai_base_url == "http://127.0.0.1:9/v1"
    assert settings.retrieval.top_k == 4
    assert SECRET not in repr(settings) and SECRET not in str(settings) and SECRET not in settings.model_dump_json()


def test_the_environment_wins_over_dot_env(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("OPENAI_BASE_URL=http://127.0.0.1:9/v1\n", encoding="utf-8")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:10/v1")
    assert load_settings().answer.openai_base_url == "http://127.0.0.1:10/v1"


@pytest.mark.parametrize(
    "line, message",
    [
        ("NEWSDESK_ANSWER__NOPE=1", "unknown variable NEWSDESK_ANSWER__NOPE; did you mean"),
        ("NEWSDESK_NOPE=1", "unknown variable NEWSDESK_NOPE; did you mean"),
        (
            "NEWSDESK_RETREIVAL__TOP_K=1",
            "unknown variable NEWSDESK_RETREIVAL__TOP_K; did you mean NEWSDESK_RETRIEVAL__",
        ),
        ("newsdesk_answr__backend=openai", "unknown variable NEWSDESK_ANSWR__BACKEND; did you mean NEWSDESK_ANSWER__"),
        ("NEWSDESK_RETRIEVAL_TOP_K=3", "unknown variable NEWSDESK_RETRIEVAL_TOP_K"),
        ("NEWSDESK_RETRIEVAL__TOP_K=abc", "retrieval.top_k: Input should be a valid integer"),
    ],
)
def test_a_bad_dot_env_line_is_one_line_too(tmp_path, line, message):
    (tmp_path / ".env").write_text(line + "\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=message) as err:
        load_settings()
    assert "\n" not in str(err.value)


def test_every_setting_and_the_other_newsdesk_variables_are_accepted(monkeypatch, tmp_path):
    """The unknown-name check must not reject a real setting, a whole section as JSON, or our non-settings."""
    from newsdesk.settings import OTHER_NEWSDESK_VARIABLES, setting_variables

    monkeypatch.setenv("NEWSDESK_RETRIEVAL", '{"top_k": 3}')
    for name in OTHER_NEWSDESK_VARIABLES:
        monkeypatch.setenv(name, str(tmp_path))
    (tmp_path / ".env").write_text("NEWSDESK_ANSWER__BACKEND=offline\nNEWSDESK_INDEX__CHUNK_TOKENS=80\n")
    settings = load_settings()
    assert settings.retrieval.top_k == 3 and settings.index.chunk_tokens == 80
    assert "NEWSDESK_RETRIEVAL__DENSE_WEIGHT" in setting_variables()


def test_a_password_in_the_base_url_is_masked_when_settings_are_shown(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://user:pw-SECRET@127.0.0.1:9/v1")
    settings = load_settings()
    assert settings.answer.openai_base_url == "http://user:pw-SECRET@127.0.0.1:9/v1"  # still used as given
    shown = settings.model_dump_json() + str(settings.model_dump(mode="json"))
    assert "pw-SECRET" not in shown and "http://***@127.0.0.1:9/v1" in shown
    assert settings.with_overrides(retrieval={"top_k": 2}).answer.openai_base_url.startswith("http://user:pw-SECRET@")
