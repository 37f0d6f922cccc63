"""Chat completions from any OpenAI-compatible server (OpenAI, llama.cpp, vLLM, Ollama).

Retries are ours, not the client's: the ``openai`` client honours a server's
``Retry-After`` (up to 60 s) and times each attempt on its own, so three
attempts against a rate-limited server took 9 s with ``max_total_wait_s=5``.
Here every attempt, every back-off and the whole stream share one deadline.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlparse

from newsdesk.errors import GeneratorUnavailable
from newsdesk.settings import AnswerSettings

_BACKOFF_S = 0.5  # doubled each retry, as the openai client does
_BACKOFF_CAP_S = 8.0


def server_label(base_url: str | None) -> str:
    """The server, for people: scheme, host, port and path only, never credentials in the URL."""
    if not base_url:
        return "api.openai.com"
    parsed = urlparse(base_url)
    try:
        port = f":{parsed.port}" if parsed.port else ""
    except ValueError:  # a port that is not a number: leave it out
        port = ""
    return f"{parsed.scheme}://{parsed.hostname or ''}{port}{parsed.path}"


def _reason(exc: BaseException) -> str:
    import httpx
    import openai

    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
        return "the request timed out"
    if isinstance(exc, openai.APIConnectionError | httpx.ConnectError):
        return "the server is unreachable"
    if isinstance(exc, openai.RateLimitError):
        return "rate limited (429)"
    if isinstance(exc, openai.APIStatusError):
        return f"the server answered HTTP {exc.status_code}"
    if isinstance(exc, httpx.HTTPError):
        return "the connection broke off in the middle of the reply"
    if isinstance(exc, ValueError | TypeError | AttributeError):
        return "the reply is not an OpenAI-compatible stream"
    return type(exc).__name__


def _transient(exc: BaseException) -> bool:
    """Worth another attempt: timeouts, connection errors, 408/409/429 and 5xx. Never other 4xx."""
    import openai

    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in (408, 409, 429) or exc.status_code >= 500
    return False


def _retry_after(exc: BaseException) -> float | None:
    """Seconds the server asked us to wait (Retry-After / retry-after-ms), if it did."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    try:
        if headers.get("retry-after-ms"):
            return max(0.0, float(headers["retry-after-ms"]) / 1000)
        value = headers.get("retry-after")
        if not value:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            when = email.utils.parsedate_to_datetime(value)
            return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError, OverflowError):
        return None


class OpenAIGenerator:
    """Streams chat completions; transient errors are retried with backoff, all within max_total_wait_s."""

    def __init__(self, cfg: AnswerSettings):
        import openai

        if not cfg.openai_base_url and not cfg.openai_api_key:
            raise GeneratorUnavailable("no OpenAI-compatible server configured (set OPENAI_BASE_URL or OPENAI_API_KEY)")
        self.name = f"openai:{cfg.openai_model}"
        self._cfg = cfg
        self._where = server_label(cfg.openai_base_url)
        self._client = openai.OpenAI(
            base_url=cfg.openai_base_url,
            api_key=cfg.openai_api_key.get_secret_value() if cfg.openai_api_key else "not-needed",
            timeout=cfg.timeout_s,
            max_retries=0,
        )

    def _fail(self, reason: str, attempts: int, started: float) -> GeneratorUnavailable:
        tried = f" ({attempts} attempts in {time.monotonic() - started:.1f} s)" if attempts > 1 else ""
        return GeneratorUnavailable(f"LLM server at {self._where}: {reason}{tried}")

    def _open(self, messages: list[dict], deadline: float, started: float):
        """The response stream, after as many attempts as the retry budget and the deadline allow."""
        import httpx
        import openai

        cfg = self._cfg
        attempt = 0
        while True:
            attempt += 1
            remaining = deadline - time.monotonic()
            per_attempt = max(0.05, min(cfg.timeout_s, remaining))
            try:
                return self._client.with_options(
                    timeout=httpx.Timeout(per_attempt, connect=min(5.0, per_attempt)),
                ).chat.completions.create(
                    model=cfg.openai_model,
                    messages=messages,  # type: ignore[arg-type]  # plain role/content dicts, as the API takes
                    stream=True,
                    max_tokens=cfg.max_tokens,
                    temperature=cfg.temperature,
                )
            except openai.APIError as exc:
                if not _transient(exc) or attempt > cfg.max_retries:
                    raise self._fail(_reason(exc), attempt, started) from None
                asked = _retry_after(exc)
                wait = asked if asked is not None else min(_BACKOFF_CAP_S, _BACKOFF_S * 2 ** (attempt - 1))
                remaining = deadline - time.monotonic()
                if wait >= remaining - 0.05:  # no time left for another attempt
                    why = (
                        f"{_reason(exc)}; the next attempt would end after max_total_wait_s={cfg.max_total_wait_s:g} s"
                    )
                    raise self._fail(why, attempt, started) from None
                time.sleep(wait)

    def stream(self, messages: list[dict]) -> Iterator[str]:
        import httpx
        import openai

        cfg = self._cfg
        started = time.monotonic()
        deadline = started + cfg.max_total_wait_s
        stream = self._open(messages, deadline, started)
        # A server that stalls mid-reply is cut off at the deadline, not after another full timeout.
        expired = threading.Event()

        def cut_off() -> None:
            expired.set()
            try:
                stream.response.close()
            except Exception:  # closing a half-read response from another thread may complain; it is closed
                pass

        timer = threading.Timer(max(0.0, deadline - time.monotonic()), cut_off)
        timer.daemon = True
        timer.start()
        produced = False
        try:
            for event in stream:
                if expired.is_set() or time.monotonic() > deadline:
                    raise GeneratorUnavailable(f"the LLM reply took longer than {cfg.max_total_wait_s:g} s")
                choices = getattr(event, "choices", None) or []
                if not choices:
                    continue
                piece = getattr(choices[0].delta, "content", None)
                if piece:
                    produced = True
                    yield piece
        except GeneratorUnavailable:
            raise
        except (openai.APIError, httpx.HTTPError, ValueError, TypeError, AttributeError, RuntimeError) as exc:
            if expired.is_set():
                raise GeneratorUnavailable(f"the LLM reply took longer than {cfg.max_total_wait_s:g} s") from None
            raise self._fail(_reason(exc), 1, started) from None
        finally:
            timer.cancel()
            try:
                stream.response.close()
            except Exception:
                pass
        if expired.is_set():
            raise GeneratorUnavailable(f"the LLM reply took longer than {cfg.max_total_wait_s:g} s")
        if not produced:
            raise GeneratorUnavailable(f"the LLM server at {self._where} sent an empty reply")
