"""Chat completions from any OpenAI-compatible server (OpenAI, llama.cpp, vLLM, Ollama)."""

from __future__ import annotations

import time
from collections.abc import Iterator

from newsdesk.errors import GeneratorUnavailable
from newsdesk.settings import AnswerSettings


def _reason(exc: Exception) -> str:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "the request timed out"
    if isinstance(exc, openai.APIConnectionError):
        return "the server is unreachable"
    if isinstance(exc, openai.RateLimitError):
        return "rate limited (429)"
    if isinstance(exc, openai.APIStatusError):
        return f"the server answered HTTP {exc.status_code}"
    return f"{type(exc).__name__}"


class OpenAIGenerator:
    """Streams chat completions; transient errors are retried by the client with backoff."""

    def __init__(self, cfg: AnswerSettings):
        import httpx
        import openai

        if not cfg.openai_base_url and not cfg.openai_api_key:
            raise GeneratorUnavailable("no OpenAI-compatible server configured (set OPENAI_BASE_URL or OPENAI_API_KEY)")
        self.name = f"openai:{cfg.openai_model}"
        self._cfg = cfg
        attempts = cfg.max_retries + 1
        # Every attempt together must fit in max_total_wait_s.
        per_attempt = min(cfg.timeout_s, cfg.max_total_wait_s / attempts)
        self._client = openai.OpenAI(
            base_url=cfg.openai_base_url,
            api_key=cfg.openai_api_key.get_secret_value() if cfg.openai_api_key else "not-needed",
            timeout=httpx.Timeout(per_attempt, connect=min(5.0, per_attempt)),
            max_retries=cfg.max_retries,
        )

    def stream(self, messages: list[dict]) -> Iterator[str]:
        import httpx
        import openai

        started = time.monotonic()
        produced = False
        try:
            stream = self._client.chat.completions.create(
                model=self._cfg.openai_model, messages=messages, stream=True,
                max_tokens=self._cfg.max_tokens, temperature=self._cfg.temperature,
            )
            for event in stream:
                if time.monotonic() - started > self._cfg.max_total_wait_s:
                    raise GeneratorUnavailable(f"the LLM reply took longer than {self._cfg.max_total_wait_s:.0f} s")
                choices = getattr(event, "choices", None) or []
                if not choices:
                    continue
                piece = getattr(choices[0].delta, "content", None)
                if piece:
                    produced = True
                    yield piece
        except GeneratorUnavailable:
            raise
        except (openai.APIError, httpx.HTTPError, ValueError, TypeError, AttributeError) as exc:
            raise GeneratorUnavailable(f"LLM server at {self._cfg.openai_base_url or 'api.openai.com'}: {_reason(exc)}") from None
        if not produced:
            raise GeneratorUnavailable("the LLM server sent an empty reply")
