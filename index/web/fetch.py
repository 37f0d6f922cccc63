"""Polite, bounded HTTP: one request at a time per host, a pause between them, robots.txt, caps.

Every failure is a ``FetchError`` whose message is one line a person can act on, marked
transient (worth retrying later: timeouts, 5xx, 429, a refused connection) or permanent
(404/410, a redirect loop, too large, not http). Nothing here writes anything.

Unless ``web.allow_private_addresses`` is set, no request reaches this machine or a private
network, whatever the URL, redirect or DNS answer says (index/web/guard.py): such a URL fails
with a ``RefusedAddress`` line.
"""

from __future__ import annotations

import email.utils
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import httpcore
import httpx

from index.web.guard import BlockedAddress, GuardedNetworkBackend, literal_refusal
from index.web.urls import BadURL, check_http_url, resolve
from newsdesk.errors import NewsdeskError
from newsdesk.settings import WebSettings

ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309: crawlers may ignore rules past 500 KiB
ROBOTS_TTL_S = 24 * 3600.0  # RFC 9309: a cached robots.txt should not be used for more than a day
_REDIRECTS = (301, 302, 303, 307, 308)
_ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5"
)


class FetchError(NewsdeskError):
    """A URL could not be fetched; ``transient`` says whether trying again later may work."""

    def __init__(self, url: str, reason: str, *, transient: bool, retry_after_s: float | None = None):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.transient = transient
        self.retry_after_s = retry_after_s


class RefusedAddress(FetchError):
    """The URL (or a redirect from it) points at this machine or a private network, which is not allowed."""

    def __init__(self, url: str, reason: str):
        super().__init__(url, reason, transient=False)


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's transport whose connections go only to public addresses (checked on each connect)."""

    def __init__(self) -> None:
        super().__init__(trust_env=False)
        # The pool httpx builds, with the guarded backend: the one place where sockets are opened.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=100,  # httpx's default limits
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=GuardedNetworkBackend(),
        )


@dataclass(frozen=True)
class Response:
    """A complete response (or a 304) after redirects."""

    url: str  # as asked for
    final_url: str  # after redirects
    status: int
    content_type: str = ""  # media type, lower case, without parameters
    charset: str | None = None  # from the Content-Type header
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    redirects: tuple[str, ...] = field(default_factory=tuple)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.0f} kB"


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class _Host:
    """Politeness state of one host: a lock (one request at a time) and when the last one ended."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last_end = float("-inf")
        self.robots: RobotFileParser | None = None
        self.robots_at = float("-inf")


class Fetcher:
    """GETs pages, feeds and sitemaps within the `web` settings' limits; safe to share between threads."""

    def __init__(self, settings: WebSettings):
        self.settings = settings
        timeout = httpx.Timeout(settings.timeout_s)
        self._client = httpx.Client(
            timeout=timeout,
            follow_redirects=False,  # followed here, so each hop is checked, paced and loop-detected
            headers={"User-Agent": settings.user_agent, "Accept": _ACCEPT},
            transport=None if settings.allow_private_addresses else _GuardedTransport(),
            trust_env=False,  # never route through a proxy from the environment without being told
        )
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _host(self, url: str) -> _Host:
        key = urlsplit(url).netloc.lower()
        with self._hosts_lock:
            return self._hosts.setdefault(key, _Host())

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Response:
        """GET with redirects, robots.txt, caps; a 304 when the validators still match."""
        try:
            current = check_http_url(url)
        except BadURL as exc:
            raise FetchError(url, str(exc), transient=False) from None
        seen = [current]
        for _ in range(self.settings.max_redirects + 1):
            try:
                self._check_address(current)
                self._check_robots(current)
                status, headers, body = self._request(current, etag=etag, last_modified=last_modified)
            except RefusedAddress as exc:
                if current == seen[0]:
                    raise
                raise RefusedAddress(url, f"redirects to {current}, {exc.reason}") from None
            if status in _REDIRECTS and headers.get("location"):
                target = resolve(current, headers["location"])
                if target is None:
                    raise FetchError(url, "redirects to a URL that is not http(s)", transient=False)
                if target in seen:
                    raise FetchError(url, f"redirect loop ({len(seen)} hops back to {target})", transient=False)
                seen.append(target)
                current = target
                continue
            return self._response(url, current, status, headers, body, tuple(seen[1:]))
        raise FetchError(url, f"more than {self.settings.max_redirects} redirects", transient=False)

    def _check_address(self, url: str) -> None:
        """Refuse a host written as a non-public address before anything is sent (the connect checks again)."""
        if self.settings.allow_private_addresses:
            return
        refusal = literal_refusal(urlsplit(url).hostname or "")
        if refusal is not None:
            raise RefusedAddress(url, str(refusal))

    def _response(self, url, final, status, headers, body, redirects) -> Response:
        if status == 304:
            return Response(url, final, 304, etag=headers.get("etag"), last_modified=headers.get("last-modified"))
        if status == 429 or status >= 500:
            reason = f"HTTP {status} {httpx.codes.get_reason_phrase(status)}".rstrip()
            raise FetchError(url, reason, transient=True, retry_after_s=_retry_after(headers.get("retry-after")))
        if status >= 400 or status < 200 or status in _REDIRECTS:
            reason = f"HTTP {status} {httpx.codes.get_reason_phrase(status)}".rstrip()
            raise FetchError(url, reason, transient=False)
        media, _, params = headers.get("content-type", "").partition(";")
        charset = None
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.lower() == "charset" and value.strip(" \"'"):
                charset = value.strip(" \"'").lower()
        return Response(
            url=url,
            final_url=final,
            status=status,
            content_type=media.strip().lower(),
            charset=charset,
            body=body,
            etag=headers.get("etag"),
            last_modified=headers.get("last-modified"),
            redirects=redirects,
        )

    def _request(self, url: str, *, etag=None, last_modified=None, max_bytes=None) -> tuple[int, dict, bytes]:
        """One paced GET of one URL: (status, lower-cased headers, body within the caps)."""
        cfg = self.settings
        max_bytes = max_bytes or cfg.max_bytes
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        host = self._host(url)
        with host.lock:
            wait = host.last_end + cfg.delay_s - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                return self._stream(url, headers, max_bytes)
            finally:
                host.last_end = time.monotonic()

    def _stream(self, url: str, headers: dict, max_bytes: int) -> tuple[int, dict, bytes]:
        cfg = self.settings
        deadline = time.monotonic() + cfg.timeout_s
        try:
            with self._client.stream("GET", url, headers=headers) as resp:
                status = resp.status_code
                got = {k.lower(): v for k, v in resp.headers.items()}
                if status in _REDIRECTS or status == 304 or status >= 400:
                    return status, got, b""
                declared = got.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError(
                        url, f"{_size(int(declared))} is over the {_size(max_bytes)} limit", transient=False
                    )
                chunks, size = [], 0
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise FetchError(url, f"over the {_size(max_bytes)} limit", transient=False)
                    if time.monotonic() > deadline:
                        raise FetchError(url, f"took longer than {cfg.timeout_s:g} s", transient=True)
                    chunks.append(chunk)
                return status, got, b"".join(chunks)
        except FetchError:
            raise
        except BlockedAddress as exc:  # raised where the socket would have been opened
            raise RefusedAddress(url, str(exc)) from None
        except httpx.InvalidURL as exc:
            raise FetchError(url, f"not a valid URL ({_short(exc)})", transient=False) from None
        except httpx.TimeoutException:
            raise FetchError(url, f"timed out after {cfg.timeout_s:g} s", transient=True) from None
        except httpx.ConnectError as exc:
            raise FetchError(url, f"cannot connect ({_short(exc)})", transient=True) from None
        except httpx.DecodingError:
            raise FetchError(url, "the response could not be decoded (broken compression)", transient=False) from None
        except (httpx.TransportError, httpx.StreamError) as exc:
            raise FetchError(url, f"connection broken ({_short(exc)})", transient=True) from None

    def _check_robots(self, url: str) -> None:
        """Raise a permanent FetchError when the host's robots.txt disallows ``url`` for Newsdesk."""
        if not self.settings.respect_robots:
            return
        host = self._host(url)
        now = time.monotonic()
        if host.robots is None or now - host.robots_at > ROBOTS_TTL_S:
            host.robots = self._read_robots(url)
            host.robots_at = now
        if not host.robots.can_fetch(self.settings.user_agent, url):
            raise FetchError(url, "robots.txt disallows it for Newsdesk", transient=False)

    def _read_robots(self, url: str) -> RobotFileParser:
        """The host's rules (RFC 9309): 4xx means no rules; 5xx or no answer means try later."""
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        parser = RobotFileParser(robots_url)
        current = robots_url
        for _ in range(5):
            try:
                status, headers, body = self._request(current, max_bytes=10 * ROBOTS_MAX_BYTES)
            except RefusedAddress as exc:
                if current == robots_url:  # the page's own host is refused
                    raise RefusedAddress(url, exc.reason) from None
                status, headers, body = 404, {}, b""  # robots.txt redirected inside: not read, so no rules
            except FetchError as exc:
                if exc.transient:  # the host is down or slow: say so as for the page itself
                    raise FetchError(url, exc.reason, transient=True, retry_after_s=exc.retry_after_s) from None
                status, headers, body = 200, {}, b""  # absurdly large: read as no rules
            if status in _REDIRECTS and headers.get("location"):
                current = resolve(current, headers["location"]) or current
                continue
            break
        if status >= 500 or status == 429:
            raise FetchError(url, f"robots.txt unreachable (HTTP {status})", transient=True)
        if 400 <= status < 500 or status in _REDIRECTS:
            parser.parse([])  # no rules: everything allowed
            return parser
        text = body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")
        parser.parse(text.splitlines())
        return parser


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]
