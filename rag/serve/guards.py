"""What keeps the served API safe: errors as one JSON line, API keys, bind checks, body and concurrency limits."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

from newsdesk.errors import (
    EmbedderUnavailable,
    GeneratorUnavailable,
    NewsdeskError,
    QuestionError,
    SettingsError,
    StoreError,
)

T = TypeVar("T")


class ApiError(Exception):
    """An HTTP error with a one-line message, sent as OpenAI's ``{"error": {message, type, param, code}}``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = one_line(message)
        self.type = type
        self.code = code
        self.param = param
        self.headers = headers or {}

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


def one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def api_error_for(exc: NewsdeskError) -> ApiError:
    """rag's own exceptions as HTTP: the caller's fault is 400, a missing or broken backend 503."""
    if isinstance(exc, (QuestionError, SettingsError)):
        return ApiError(400, str(exc), code="invalid_question" if isinstance(exc, QuestionError) else "invalid_value")
    if isinstance(exc, StoreError):
        return ApiError(503, str(exc), type="server_error", code="index_unavailable")
    if isinstance(exc, (EmbedderUnavailable, GeneratorUnavailable)):
        return ApiError(503, str(exc), type="server_error", code="backend_unavailable")
    return ApiError(500, str(exc), type="server_error", code="answer_failed")


# -- API keys -------------------------------------------------------------


class KeyCheck:
    """Bearer keys compared in constant time (digests of equal length, every key tried)."""

    def __init__(self, keys: list[str]):
        self._digests = [hashlib.sha256(k.encode()).digest() for k in keys]

    @property
    def required(self) -> bool:
        return bool(self._digests)

    def check(self, authorization: str | None) -> None:
        """Raise 401 unless the header carries one of the keys; the sent value is never echoed."""
        if not self._digests:
            return
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized("missing API key: send the header `Authorization: Bearer KEY`")
        sent = hashlib.sha256(token.strip().encode()).digest()
        matched = False
        for digest in self._digests:
            matched |= hmac.compare_digest(sent, digest)
        if not matched:
            raise _unauthorized("invalid API key")


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, message, code="invalid_api_key", headers={"WWW-Authenticate": "Bearer"})


# -- where to listen ----------------------------------------------------------


def is_loopback(host: str) -> bool:
    """True when every address ``host`` names is on this machine only (127.0.0.0/8, ::1)."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_loopback for info in infos)


def check_bind(host: str, has_keys: bool) -> None:
    """Refuse to listen beyond this machine without API keys."""
    if not has_keys and not is_loopback(host):
        raise SettingsError(
            f"refusing to listen on {host} without API keys: anyone who can reach it could use it; "
            "set NEWSDESK_SERVE__API_KEYS='[\"a-long-random-key\"]' or bind to 127.0.0.1"
        )


def listen_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket (uvicorn listens on it), or one clear line when the address cannot be used."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except OSError as exc:
        raise SettingsError(f"cannot listen on {host}: {exc.strerror or exc}") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise SettingsError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


# -- request bodies -----------------------------------------------------------


async def read_json_body(request, limit: int) -> object:
    """The request's JSON body, refusing more than ``limit`` bytes before reading them all."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    data = bytearray()
    async for piece in request.stream():
        data += piece
        if len(data) > limit:
            raise _too_large(limit)
    if not data:
        raise ApiError(400, "the request has no body: send a JSON object")
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, f"the body is not valid JSON ({exc.__class__.__name__} at byte {_position(exc)})") from None


def _position(exc: Exception) -> int:
    return getattr(exc, "pos", None) or getattr(exc, "start", 0) or 0


def _too_large(limit: int) -> ApiError:
    return ApiError(413, f"the request is larger than {limit:,} bytes", code="request_too_large")


# -- concurrency ---------------------------------------------------------------


class AnswerSlots:
    """At most ``running`` answers computed at once (worker threads) and ``waiting`` queued; more is 503 busy.

    Answers are CPU-bound on an index held in memory, so more threads than cores
    only add latency; a bounded queue turns overload into a quick, clear refusal
    instead of requests piling up until clients time out.
    """

    def __init__(self, running: int, waiting: int):
        self.running = running
        self.waiting = waiting
        self.admitted = 0  # running + waiting; only touched on the event loop
        self._limiter = anyio.CapacityLimiter(running)

    async def run(self, work: Callable[[], T]) -> T:
        if self.admitted >= self.running + self.waiting:
            raise ApiError(
                503,
                f"the server is busy ({self.running} answers in progress, {self.waiting} waiting): retry shortly",
                type="server_error",
                code="server_busy",
                headers={"Retry-After": "1"},
            )
        self.admitted += 1
        try:
            return await anyio.to_thread.run_sync(work, limiter=self._limiter)
        finally:
            self.admitted -= 1
