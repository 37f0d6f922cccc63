"""Newsdesk over HTTP (`python -m rag serve`): an OpenAI-compatible chat endpoint and a native JSON API.

The index is opened once and shared by every request; answers are computed in a
bounded pool of worker threads. See README "Serving Newsdesk over HTTP".
"""

from __future__ import annotations

from newsdesk.settings import Settings
from rag.serve.app import create_app
from rag.serve.guards import check_bind, listen_socket


def run_server(settings: Settings) -> int:
    """Check the address, open the index, listen, and serve until interrupted."""
    import uvicorn

    import rag

    cfg = settings.serve
    check_bind(cfg.host, has_keys=bool(cfg.api_keys))
    sock = listen_socket(cfg.host, cfg.port)  # a busy port is one line before the slow index load
    try:
        news_index = rag.open_index(settings)
        app = create_app(news_index)
        host, port = sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        keys = f"{len(cfg.api_keys)} API key(s) required" if cfg.api_keys else "no API key (loopback only)"
        print(f"Newsdesk API on http://{shown}:{port}/v1 — model 'newsdesk', {keys}; Ctrl+C stops it", flush=True)
        config = uvicorn.Config(
            app, log_level=cfg.log_level, lifespan="off", ws="none", server_header=False, date_header=True
        )
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
    return 0


__all__ = ["check_bind", "create_app", "run_server"]
