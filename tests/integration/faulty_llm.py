"""A real HTTP server on 127.0.0.1 that speaks just enough of OpenAI's streaming chat API to misbehave on purpose.

Not a mock of the client: the real ``openai`` client talks HTTP to it, so its
retries, timeouts and parsing all run. Each request to
``/v1/chat/completions`` takes the next behaviour from a script (the last one
repeats), and every request is counted so tests can assert retries are bounded.

Behaviours: ``ok`` (a short valid stream), ``429`` (with ``Retry-After``),
``500``, ``400``, ``slow`` (sleeps past the client's timeout before answering),
``trickle`` (valid events, one every ``trickle_s``, never ending on its own),
``garbage`` (200 with a non-SSE, non-JSON body), ``bad_json`` (SSE whose data is
not JSON), ``empty`` (an SSE stream with only ``[DONE]``), ``close`` (closes the
connection without a reply), ``cut`` (one token, then the connection drops),
``stall`` (one token, then silence for ``slow_s``).
"""

from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class FaultyLLM:
    script: list[str]
    reply: str = "The parade was held in Tiananmen Square [1]."
    retry_after: str = "0"
    slow_s: float = 5.0
    trickle_s: float = 0.3
    requests: list[dict] = field(default_factory=list)
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    def _next(self, body: dict, headers: dict) -> str:
        with self._lock:
            n = len(self.requests)
            self.requests.append({"at": time.monotonic(), "body": body, "headers": headers})
            return self.script[min(n, len(self.script) - 1)]


def _handler(llm: FaultyLLM):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # keep test output clean
            pass

        def do_GET(self):  # /v1/models, for readiness checks
            self._json(200, {"object": "list", "data": [{"id": "faulty", "object": "model"}]})

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {"unparsed": raw.decode("utf-8", "replace")}
            behaviour = llm._next(body, {k.lower(): v for k, v in self.headers.items()})
            if behaviour == "429":
                self._json(
                    429, {"error": {"message": "slow down", "type": "rate_limit"}}, {"Retry-After": llm.retry_after}
                )
            elif behaviour in ("500", "400"):
                self._json(int(behaviour), {"error": {"message": f"fault {behaviour}", "type": "server_error"}})
            elif behaviour == "slow":
                llm._stop.wait(llm.slow_s)
                self._stream([llm.reply])
            elif behaviour == "trickle":
                self._stream_headers()
                while not llm._stop.is_set():
                    if not self._event("word "):
                        return
                    llm._stop.wait(llm.trickle_s)
            elif behaviour == "garbage":
                payload = b"<html>\x00\xff not json at all"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            elif behaviour == "bad_json":
                self._stream_headers()
                self._raw(b"data: {this is not json\n\n")
                self._raw(b"data: [DONE]\n\n")
                self._end_chunks()
            elif behaviour == "empty":
                self._stream([])
            elif behaviour == "close":
                self.close_connection = True
                self.connection.shutdown(2)
            elif behaviour == "stall":
                self._stream_headers()
                self._event("The parade ")
                llm._stop.wait(llm.slow_s)
                self._end_chunks()
            elif behaviour == "cut":
                self._stream_headers()
                self._event("The parade ")
                self.close_connection = True
                self.connection.shutdown(2)
            else:
                self._stream(llm.reply.split(" "))

        # -- helpers ---------------------------------------------------------
        def _json(self, status: int, payload: dict, headers: dict | None = None):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def _stream_headers(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()

        def _raw(self, data: bytes) -> bool:
            try:
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()
                return True
            except OSError:
                return False

        def _end_chunks(self):
            try:
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass

        def _event(self, text: str) -> bool:
            chunk = {
                "id": "c1",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": "faulty",
                "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}],
            }
            return self._raw(f"data: {json.dumps(chunk)}\n\n".encode())

        def _stream(self, words: list[str]):
            self._stream_headers()
            for i, word in enumerate(words):
                self._event(word + (" " if i < len(words) - 1 else ""))
            self._raw(b"data: [DONE]\n\n")
            self._end_chunks()

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a client that hangs up is part of the game
        pass


@contextmanager
def faulty_llm(script: list[str], **options):
    """Start the server on a free loopback port; yields the FaultyLLM (``.url`` is the /v1 base URL)."""
    llm = FaultyLLM(script=list(script), **options)
    server = _QuietServer(("127.0.0.1", 0), _handler(llm))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    llm.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield llm
    finally:
        llm._stop.set()
        server.shutdown()
        server.server_close()
