"""Newsdesk over HTTP (`python -m rag serve`): an OpenAI-compatible chat endpoint and a native JSON API.

The index is opened once and shared by every request; answers are computed in a
bounded pool of worker threads. See README "Serving Newsdesk over HTTP".
"""

from __future__ import annotations

import os
import signal
import traceback

from newsdesk.settings import Settings
from rag.serve.app import create_app
from rag.serve.guards import check_bind, listen_socket


def run_server(settings: Settings) -> int:
    """Check the address, listen, then open the index and serve until interrupted, in ``serve.workers`` processes.

    The socket is bound once, then the extra workers are forked (before anything heavy is loaded: no model,
    client or thread yet) and every process opens the index and accepts on the same socket.
    """
    cfg = settings.serve
    check_bind(cfg.host, has_keys=bool(cfg.api_keys))
    sock = listen_socket(cfg.host, cfg.port)  # a busy port is one line before the slow index load
    children: list[int] = []
    parent = os.getpid()
    try:
        for _ in range(cfg.workers - 1):
            pid = os.fork()
            if pid == 0:  # a worker: serve until stopped, never return into the caller's code
                code = 1
                try:
                    _stop_with(parent)
                    _serve(settings, sock, announce=False)
                    code = 0
                except KeyboardInterrupt:
                    code = 0
                except BaseException:
                    traceback.print_exc()
                finally:
                    os._exit(code)
            children.append(pid)
        _serve(settings, sock, announce=True)
    finally:
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        sock.close()
    return 0


def _stop_with(parent: int) -> None:
    """This worker gets SIGTERM when the server process ends, however it ends (uvicorn re-raises the signal
    that stopped it, so the server's own clean-up does not always run)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # it ended before the line above
        os._exit(0)


def _serve(settings: Settings, sock, *, announce: bool) -> None:
    import uvicorn

    import rag

    cfg = settings.serve
    news_index = rag.open_index(settings)
    app = create_app(news_index)
    if announce:
        host, port = sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        keys = f"{len(cfg.api_keys)} API key(s) required" if cfg.api_keys else "no API key (loopback only)"
        workers = f", {cfg.workers} processes" if cfg.workers > 1 else ""
        print(
            f"Newsdesk API on http://{shown}:{port}/v1 — model 'newsdesk', {keys}{workers}; Ctrl+C stops it",
            flush=True,
        )
    config = uvicorn.Config(
        app, log_level=cfg.log_level, lifespan="off", ws="none", server_header=False, date_header=True
    )
    uvicorn.Server(config).run(sockets=[sock])


__all__ = ["check_bind", "create_app", "run_server"]
