"""bench/serve_load.py's own checks: what counts as an error, and how memory growth is measured."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from bench.serve_load import KEY, ask, flatness
from newsdesk.settings import ServeSettings
from rag.serve import create_app

TROOPS = "How many troops has North Korea sent to Russia?"


def test_complete_answers_count_as_answers_in_both_modes(fake_seed_index):
    http = TestClient(create_app(fake_seed_index, ServeSettings(api_keys=[KEY])), headers={"Authorization": f"Bearer {KEY}"})  # fmt: skip
    assert ask(http, "/v1", TROOPS, stream=False) is None
    assert ask(http, "/v1", TROOPS, stream=True) is None
    http.headers["Authorization"] = "Bearer wrong-key-0123456789"
    assert ask(http, "/v1", TROOPS, stream=False).startswith("HTTP 401")
    assert ask(http, "/v1", TROOPS, stream=True).startswith("HTTP 401")


def test_an_answer_to_another_question_is_an_error():
    def always_the_same(request):
        return JSONResponse(
            {"choices": [{"message": {"content": "Tiananmen [1]"}}], "newsdesk": {"question": "Where was the parade?"}}
        )

    http = TestClient(Starlette(routes=[Route("/v1/chat/completions", always_the_same, methods=["POST"])]))
    assert ask(http, "/v1", "Where was the parade?", stream=False) is None
    assert ask(http, "/v1", TROOPS, stream=False).startswith("crossed answer")


def test_flatness_reports_growth_after_warm_up_only():
    warm_then_flat = [(t, 300.0 if t < 10 else 420.0) for t in range(100)]
    assert flatness(warm_then_flat)["growth_mb"] == 0.0
    leaking = [(t, 400.0 + t) for t in range(100)]
    assert flatness(leaking)["growth_mb"] == 80.0
    assert flatness(leaking[:5]) == {}
