"""The Starlette application: one open index, many clients."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from datetime import date

import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

import rag
from newsdesk.errors import NewsdeskError
from newsdesk.settings import ServeSettings
from rag.serve.chat import MODEL, RequestError, answer_payload, completion, completion_chunks, parse_chat_request
from rag.serve.guards import AnswerSlots, ApiError, KeyCheck, api_error_for, read_json_body

log = logging.getLogger("newsdesk.serve")

OPEN_PATHS = ("/healthz",)  # answered without a key: says only that the server is up


class LiveIndex:
    """The open index, swapped for a fresh one when a build changed it on disk.

    Checked at most every ``check_every_s`` (one small read), by whichever worker
    comes first; while one worker reopens, the others keep answering from the old index.
    """

    def __init__(self, news_index, check_every_s: float = 2.0):
        self._index = news_index
        self._check_every_s = check_every_s
        self._next_check = time.monotonic() + check_every_s
        self._lock = threading.Lock()

    def current(self):
        """The index as it is now; blocks only the one caller that reopens it."""
        if time.monotonic() < self._next_check or not self._lock.acquire(blocking=False):
            return self._index
        try:
            self._index = self._index.refreshed()
        except NewsdeskError as exc:  # e.g. a rebuild still writing: keep answering from what is open
            log.warning("could not reopen the index, still serving the one open: %s", exc)
        finally:
            self._next_check = time.monotonic() + self._check_every_s
            self._lock.release()
        return self._index


def create_app(news_index, serve: ServeSettings | None = None, *, index_check_s: float = 2.0) -> Starlette:
    """The API over an open index (``rag.open_index``); keys, limits and CORS from ``serve`` (default: its settings).

    A build that changes the index is picked up within ``index_check_s`` seconds.
    """
    cfg = serve or news_index.settings.serve
    keys = KeyCheck([k.get_secret_value() for k in cfg.api_keys])
    slots = AnswerSlots(cfg.max_concurrency, cfg.max_waiting)
    live = LiveIndex(news_index, index_check_s)
    max_question_chars = news_index.settings.answer.max_question_chars

    async def answer_in_worker(question: str, history: list[dict], filters: rag.Filters | None = None):
        rag.clean_question(question, max_question_chars)  # a bad question is refused before it takes a worker

        def work():
            return rag.answer(question, history=history, news_index=live.current(), filters=filters)

        return await slots.run(work)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def models(request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [_model_card()]})

    async def model(request: Request) -> Response:
        if request.path_params["model"] != MODEL:
            raise ApiError(404, f"unknown model: this server serves one model, {MODEL!r}", code="model_not_found")
        return JSONResponse(_model_card())

    async def chat_completions(request: Request) -> Response:
        try:
            chat = parse_chat_request(await read_json_body(request, cfg.max_request_bytes))
        except RequestError as exc:
            status = 404 if exc.code == "model_not_found" else 400
            raise ApiError(status, str(exc), code=exc.code, param=exc.param) from None
        answer = await answer_in_worker(chat.question, chat.history)
        completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        if not chat.stream:
            return JSONResponse(completion(answer, completion_id=completion_id, created=created))
        chunks = completion_chunks(
            answer, completion_id=completion_id, created=created, piece_chars=cfg.stream_chunk_chars
        )

        async def events():
            for chunk in chunks:
                yield f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(
            events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        )

    async def answer_native(request: Request) -> Response:
        body = await read_json_body(request, cfg.max_request_bytes)
        question, history, filters, include_trace = _native_request(body)
        answer = await answer_in_worker(question, history, filters)
        return JSONResponse(answer_payload(answer, include_trace=include_trace))

    async def article(request: Request) -> Response:
        doc_id = request.path_params["doc_id"]
        found = (await anyio.to_thread.run_sync(live.current)).article(doc_id)
        if found is None:
            raise ApiError(404, f"no article with id {doc_id[:100]!r}", code="article_not_found")
        fields = ("doc_id", "title", "date", "source", "url", "byline", "text")  # not its path on the server
        return JSONResponse({name: getattr(found, name) for name in fields})

    async def index_info(request: Request) -> Response:
        current = await anyio.to_thread.run_sync(live.current)
        info = current.info
        return JSONResponse(
            {
                "articles": info.get("articles"),
                "chunks": info.get("chunks"),
                "stories": info.get("stories"),
                "embedder": info.get("embedder"),
                "last_build": info.get("last_build"),
                "state": info.get("state"),
                "answer_backend": current.settings.answer.backend,
            }
        )

    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/v1/models", models, methods=["GET"]),
        Route("/v1/models/{model:path}", model, methods=["GET"]),
        Route("/v1/chat/completions", chat_completions, methods=["POST"]),
        Route("/v1/answer", answer_native, methods=["POST"]),
        Route("/v1/articles/{doc_id:path}", article, methods=["GET"]),
        Route("/v1/index", index_info, methods=["GET"]),
    ]
    middleware = []
    if cfg.cors_origins:  # off unless configured
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(cfg.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
            )
        )
    middleware.append(Middleware(RequireKey, keys=keys))
    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={
            ApiError: _api_error,
            NewsdeskError: _newsdesk_error,
            HTTPException: _http_error,
            Exception: _unexpected_error,
        },
    )


def _model_card() -> dict:
    return {"id": MODEL, "object": "model", "created": 0, "owned_by": "newsdesk"}


def _native_request(body: object) -> tuple[str, list[dict], rag.Filters | None, bool]:
    """``{"question", "history"?, "since"?, "until"?, "sources"?, "trace"?}`` checked field by field."""
    if not isinstance(body, dict):
        raise ApiError(400, "the request body must be a JSON object")
    unknown = sorted(set(body) - {"question", "history", "since", "until", "sources", "trace"})
    if unknown:
        raise ApiError(400, f"unknown field {unknown[0][:60]!r}", param=unknown[0][:60])
    question = body.get("question")
    if not isinstance(question, str):
        raise ApiError(400, "question must be a string", param="question")
    history = body.get("history") or []
    if not isinstance(history, list) or not all(
        isinstance(t, dict) and t.get("role") in ("user", "assistant") and isinstance(t.get("content"), str)
        for t in history
    ):
        raise ApiError(400, "history must be a list of {role: user|assistant, content: string}", param="history")
    dates = {}
    for key in ("since", "until"):
        value = body.get(key)
        if value is None:
            continue
        try:
            dates[key] = date.fromisoformat(value).isoformat() if isinstance(value, str) else None
        except ValueError:
            dates[key] = None
        if dates[key] is None:
            raise ApiError(400, f"{key} must be a date, YYYY-MM-DD", param=key)
    sources = body.get("sources") or []
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise ApiError(400, "sources must be a list of outlet names", param="sources")
    trace = body.get("trace", False)
    if not isinstance(trace, bool):
        raise ApiError(400, "trace must be true or false", param="trace")
    filters = rag.Filters(since=dates.get("since"), until=dates.get("until"), sources=tuple(sources))
    history = [{"role": t["role"], "content": t["content"]} for t in history]
    return question, history, (filters if filters else None), trace


class RequireKey:
    """ASGI middleware: every path but /healthz needs a valid key when keys are configured."""

    def __init__(self, app, keys: KeyCheck):
        self.app = app
        self.keys = keys

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and self.keys.required and scope["path"] not in OPEN_PATHS:
            headers = dict(scope["headers"])
            try:
                self.keys.check((headers.get(b"authorization") or b"").decode("latin-1"))
            except ApiError as exc:
                await _api_error(None, exc)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _api_error(request: Request | None, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    message = {404: "no such endpoint", 405: "method not allowed on this endpoint"}.get(exc.status_code, exc.detail)
    error = ApiError(exc.status_code, message, code=code, headers=dict(exc.headers or {}))
    return _api_error(request, error)


def _newsdesk_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NewsdeskError)
    return _api_error(request, api_error_for(exc))


def _unexpected_error(request: Request, exc: Exception) -> Response:
    """A bug: a one-line 500 for the client; uvicorn logs the traceback (Starlette re-raises after this)."""
    error = ApiError(500, "internal error: the answer failed; see the server log", type="server_error", code="internal")
    return _api_error(request, error)
