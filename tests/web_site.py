"""A real HTTP news site on 127.0.0.1 for the web tests: pages, feeds, sitemaps and misbehaviour.

Routes are set per path (exact path, query ignored unless routed with it). Static pages get
an ETag and a Last-Modified and answer conditional requests with 304, like a real server.
The site records every request (path, headers, start/end time) and the largest number of
requests it served at once, so tests can check politeness.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

DATA = Path(__file__).resolve().parent / "data" / "web"


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict = field(default_factory=dict)
    delay_s: float = 0.0  # silence before the response starts
    drip_s: float = 0.0  # pause between 1 kB pieces of the body (a slow server)
    endless: bool = False  # stream zeros until the client hangs up (a huge page), no Content-Length
    declare_length: bool = True
    validators: bool = True  # send ETag / Last-Modified and honour If-None-Match / If-Modified-Since
    last_modified: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


@dataclass
class Seen:
    path: str
    headers: dict
    started: float
    ended: float = 0.0


class NewsSite:
    """Start with ``with NewsSite() as site:``; ``site.url(path)`` is a page's address."""

    def __init__(self, port: int = 0, host: str = "127.0.0.1"):
        self.host = host  # any 127.x.y.z: the loopback interface answers them all
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = port or _free_port(host)

    # --- lifecycle -----------------------------------------------------------------------------
    def start(self) -> NewsSite:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                site._serve(self)

        self._server = _QuietServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> NewsSite:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> list[Seen]:
        return [r for r in self.requests if urlsplit(r.path).path == path]

    # --- content -------------------------------------------------------------------------------
    def set(self, path: str, body: bytes | str = b"", **kwargs) -> Route:
        route = Route(body=body.encode("utf-8") if isinstance(body, str) else body, **kwargs)
        self.routes[path] = route
        return route

    def page(self, path: str, title: str, paragraphs: list[str], *, date: str = "2025-03-04", canonical=None, **kw):
        return self.set(path, article_html(title, paragraphs, date=date, canonical=canonical), **kw)

    def feed(self, path: str, entries: list[dict], *, atom: bool = False, **kw) -> Route:
        body = atom_feed(entries) if atom else rss_feed(entries)
        return self.set(path, body, content_type="application/rss+xml" if not atom else "application/atom+xml", **kw)

    def sitemap(self, path: str, urls: list[tuple[str, str | None]], **kw) -> Route:
        return self.set(path, sitemap_xml(urls), content_type="application/xml", **kw)

    # --- serving -------------------------------------------------------------------------------
    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        seen = Seen(handler.path, {k.lower(): v for k, v in handler.headers.items()}, time.monotonic())
        with self._lock:
            self.requests.append(seen)
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            self._respond(handler, seen)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            seen.ended = time.monotonic()
            with self._lock:
                self.active -= 1

    def _respond(self, handler: BaseHTTPRequestHandler, seen: Seen) -> None:
        path = handler.path
        route = self.routes.get(path) or self.routes.get(urlsplit(path).path)
        if route is None:
            route = Route(b"not found", content_type="text/plain", status=404)
        if route.delay_s:
            time.sleep(route.delay_s)
        headers = dict(route.headers)
        if route.validators and route.status == 200:
            headers["ETag"] = route.etag
            headers["Last-Modified"] = format_datetime(route.last_modified, usegmt=True)
            if seen.headers.get("if-none-match") == route.etag:
                return self._send(handler, 304, headers, b"")
        if route.endless:
            handler.send_response(route.status)
            handler.send_header("Content-Type", route.content_type)
            handler.send_header("Connection", "close")
            handler.end_headers()
            piece = b"\0" * 65536 if "html" not in route.content_type else b"<p>" + b"x" * 65530 + b"</p>"
            for _ in range(2000):  # at most ~130 MB, the client hangs up long before
                handler.wfile.write(piece)
            return
        headers.setdefault("Content-Type", route.content_type)
        self._send(handler, route.status, headers, route.body, route)

    def _send(self, handler, status: int, headers: dict, body: bytes, route: Route | None = None) -> None:
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        if route is None or route.declare_length:
            handler.send_header("Content-Length", str(len(body)))
        else:
            handler.send_header("Connection", "close")
        handler.end_headers()
        if route is not None and route.drip_s:
            for i in range(0, len(body), 1024):
                handler.wfile.write(body[i : i + 1024])
                handler.wfile.flush()
                time.sleep(route.drip_s)
        else:
            handler.wfile.write(body)
        if route is not None and not route.declare_length:
            handler.close_connection = True


class _QuietServer(ThreadingHTTPServer):
    """A client hanging up (a size cap, a timeout, a killed watch) is expected here, not an error to print."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def _free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


# --- documents ------------------------------------------------------------------------------------
def article_html(title: str, paragraphs: list[str], *, date: str = "2025-03-04", canonical=None, amp=False) -> str:
    """A news page with the usual boilerplate around the article (nav, related links, footer)."""
    link = f'<link rel="canonical" href="{escape(canonical)}">' if canonical else ""
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return f"""<!doctype html>
<html lang="en"{" amp" if amp else ""}><head><meta charset="utf-8"><title>{escape(title)} | Test Gazette</title>{link}
<meta property="og:site_name" content="Test Gazette"><meta name="author" content="Ann Reporter"></head>
<body><header><nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></nav></header>
<main><article><h1>{escape(title)}</h1><p class="byline">By Ann Reporter</p>
<time datetime="{date}">{date}</time>
{body}
</article>
<aside><h2>Most read</h2><ul><li><a href="/a">Celebrity chef opens restaurant</a></li><li><a href="/b">Weather warning issued</a></li></ul></aside></main>
<footer><p>Copyright Test Gazette. All rights reserved.</p><a href="/privacy">Privacy</a></footer></body></html>"""


def rss_feed(entries: list[dict]) -> str:
    items = "".join(
        f"<item><title>{escape(e['title'])}</title><link>{escape(e['link'])}</link>"
        + (f"<pubDate>{e['published']}</pubDate>" if e.get("published") else "")
        + (f"<guid>{escape(e.get('guid', e['link']))}</guid>")
        + "</item>"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Test Gazette</title>'
        f"<link>http://example.invalid/</link><description>news</description>{items}</channel></rss>"
    )


def atom_feed(entries: list[dict]) -> str:
    items = "".join(
        f'<entry><title>{escape(e["title"])}</title><link href="{escape(e["link"])}"/>'
        f"<id>{escape(e.get('guid', e['link']))}</id><updated>{e.get('updated', '2025-03-04T10:00:00Z')}</updated></entry>"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Test Gazette</title><id>urn:test</id><updated>2025-03-04T10:00:00Z</updated>{items}</feed>"
    )


def sitemap_xml(urls: list[tuple[str, str | None]]) -> str:
    items = "".join(
        f"<url><loc>{escape(u)}</loc>" + (f"<lastmod>{m}</lastmod>" if m else "") + "</url>" for u, m in urls
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</urlset>'


def real_pages() -> list[dict]:
    """The labelled real news pages (tests/data/web/labels.json) with their HTML."""
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    for label in labels:
        label["html"] = gzip.decompress((DATA / "pages" / label["file"]).read_bytes())
    return labels
