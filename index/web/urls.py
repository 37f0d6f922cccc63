"""URL identity: one article reached by many URLs (tracking tags, http/https, AMP, `www.`) is one key.

``url_key`` is for recognising an article, never for fetching it: it drops what only
tracks or decorates a visit and keeps what selects content. The doc id of a web
article is derived from the key of its canonical URL, so it is the same whichever
way the article was reached.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

from newsdesk.errors import NewsdeskError


class BadURL(NewsdeskError):
    """Not an http(s) URL Newsdesk may fetch."""


# Query parameters that only say how a visitor arrived (campaign tags, click ids, share
# buttons) or ask for an AMP rendering; they never select different content.
_TRACKING_PARAMS = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|gclsrc|dclid|msclkid|yclid|twclid|igshid|mc_cid|mc_eid|_hsenc|_hsmi|"
    r"mkt_tok|oly_anon_id|oly_enc_id|vero_id|wt_mc|wt\.mc_id|cmpid|ocid|icid|ncid|sr_share|smid|smtyp|"
    r"ref|ref_src|ref_url|referrer|source|via|s_cid|at_medium|at_campaign|at_custom\d*|xtor|"
    r"__twitter_impression|amp|amp_js_v|amp_gsa|usqp|outputtype|output)$",
    re.IGNORECASE,
)
# The value says "AMP rendering", so dropping it keeps the same article (e.g. outputType=amp).
_AMP_VALUES = {"amp", "1", "true", ""}
_AMP_VALUE_PARAMS = {"amp", "outputtype", "output"}
_DEFAULT_PORTS = {"http": 80, "https": 443}


def check_http_url(url: str) -> str:
    """The URL stripped of whitespace; BadURL (its reason, without the URL) when it is not absolute http(s)."""
    candidate = (url or "").strip()
    try:
        parts = urlsplit(candidate)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise BadURL("not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise BadURL("not an http(s) URL (only http and https pages are fetched)")
    if not parts.hostname:
        raise BadURL("no host name in the URL")
    return candidate


def resolve(base: str, link: str | None) -> str | None:
    """A link made absolute against its page, or None when it is not http(s)."""
    if not link or not link.strip():
        return None
    absolute = urljoin(base, link.strip())
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def site_host(host: str) -> str:
    """The host without the labels that only pick a rendering: `www.`, `amp.`, `m.`, `mobile.`."""
    host = host.lower().rstrip(".")
    while True:
        for prefix in ("www.", "amp.", "m.", "mobile."):
            if host.startswith(prefix) and host.count(".") >= 2:
                host = host[len(prefix) :]
                break
        else:
            return host


def _query_value_is_amp(name: str, value: str) -> bool:
    return name.lower() not in _AMP_VALUE_PARAMS or value.lower() in _AMP_VALUES


def _strip_amp_path(path: str) -> str:
    """`/amp/story`, `/story/amp`, `/story.amp`, `/story.amp.html` -> the article's own path."""
    segments = path.split("/")
    kept = [s for i, s in enumerate(segments) if not (s.lower() == "amp" and 0 < i)]
    path = "/".join(kept) or "/"
    return re.sub(r"\.amp(?=\.html?$|$)", "", path, flags=re.IGNORECASE)


def url_key(url: str) -> str:
    """The identity of the article at ``url``: same key, same article.

    Lower-cased scheme-less host without `www.`/`amp.`/`m.`, default port dropped, path
    percent-encoding normalised, AMP path markers, trailing slash and fragment removed,
    tracking parameters dropped and the rest sorted. http and https give the same key.
    """
    parts = urlsplit(url.strip())
    host = site_host(parts.hostname or "")
    port = parts.port
    if port and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    path = quote(unquote(parts.path or "/"), safe="/:@!$&'()*+,;=-._~%")
    path = _strip_amp_path(path)
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = sorted(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not (_TRACKING_PARAMS.match(name) and _query_value_is_amp(name, value))
    )
    return urlunsplit(("", host, path, urlencode(query), "")).lstrip("/")


def _site(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    port = parts.port
    return site_host(parts.hostname or ""), (None if port in (None, _DEFAULT_PORTS.get(parts.scheme.lower())) else port)


def same_site(a: str, b: str) -> bool:
    """Whether two URLs belong to one outlet: equal hosts after `www.`/`amp.`/`m.`, or one a subdomain of the other.

    A canonical link to another outlet (syndication) does not make two articles one:
    such copies stay separate articles and are grouped as one story by index/stories.py.
    A non-default port makes another site (as it makes another URL key).
    """
    (ha, pa), (hb, pb) = _site(a), _site(b)
    return bool(ha) and pa == pb and (ha == hb or ha.endswith("." + hb) or hb.endswith("." + ha))


def doc_id_for(url: str) -> str:
    """A readable, stable doc id from a URL's key: `host_slug_hash`."""
    key = url_key(url)
    host, _, rest = key.partition("/")
    segments = [s for s in re.split(r"[/?&=]", unquote(rest)) if s]
    slug = re.sub(r"[^a-z0-9]+", "-", (segments[-1] if segments else "").lower()).strip("-")
    slug = re.sub(r"-(?:html?|php|aspx?)$", "", slug)[:60].strip("-")
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]
    host = re.sub(r"[^a-z0-9.-]+", "-", host.lower())
    return "_".join(part for part in (host, slug, digest) if part)


def without_tracking(url: str) -> str:
    """``url`` as a person would share it: tracking parameters and the fragment removed, nothing else changed."""
    parts = urlsplit(url.strip())
    query = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not (_TRACKING_PARAMS.match(name) and _query_value_is_amp(name, value))
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))
