"""What a feed or a sitemap lists: page URLs with the stamp that says when each last changed.

feedparser reads RSS and Atom (it is given bytes, never a URL, so it fetches nothing);
sitemaps are parsed with lxml with entities and network access off.
"""

from __future__ import annotations

import gzip
import io
import re
from dataclasses import dataclass

from index.web.urls import resolve
from newsdesk.errors import NewsdeskError

FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json"}
XML_TYPES = {"application/xml", "text/xml"}
HTML_TYPES = {"text/html", "application/xhtml+xml"}
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]", re.IGNORECASE)
_SITEMAP_ROOT = re.compile(rb"<(?:\w+:)?(?:urlset|sitemapindex)[\s>]", re.IGNORECASE)


class BadListing(NewsdeskError):
    """A feed or sitemap that cannot be read."""


@dataclass(frozen=True)
class Listed:
    """One page a feed or sitemap points at."""

    url: str
    stamp: str | None = None  # when the listing says it last changed (updated / published / lastmod), as given
    title: str | None = None
    date: str | None = None  # publication date the listing gives, ISO yyyy-mm-dd


def ungzip(body: bytes, max_bytes: int) -> bytes:
    """A gzip body (e.g. sitemap.xml.gz) inflated, never past ``max_bytes`` (a gzip bomb stops there)."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as fh:
            data = fh.read(max_bytes + 1)
    except (OSError, EOFError) as exc:
        raise BadListing(f"broken gzip data ({exc})") from None
    if len(data) > max_bytes:
        raise BadListing(f"inflates to more than {max_bytes / 1e6:.1f} MB")
    return data


def sniff_kind(content_type: str, body: bytes) -> str:
    """'feed', 'sitemap', 'html' or 'other', from the media type and the first bytes."""
    head = body[:2048].lstrip()
    if _SITEMAP_ROOT.search(head):
        return "sitemap"
    if content_type in FEED_TYPES or _FEED_ROOT.search(head):
        return "feed"
    if content_type in HTML_TYPES or re.match(rb"(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", head, re.I | re.S):
        return "html"
    if content_type in XML_TYPES or head.startswith(b"<?xml"):
        return "feed"  # XML that is no sitemap: let the feed parser say what is wrong with it
    if content_type.startswith("text/") and b"<" in head and b"\x00" not in head:
        return "html"
    return "other"


def _iso_date(parsed) -> str | None:
    """feedparser's time.struct_time -> yyyy-mm-dd."""
    if not parsed:
        return None
    try:
        return f"{parsed.tm_year:04d}-{parsed.tm_mon:02d}-{parsed.tm_mday:02d}"
    except AttributeError:
        return None


def parse_feed(body: bytes, url: str) -> list[Listed]:
    """The entries of an RSS/Atom feed, newest first as listed; BadListing when it is not a feed.

    A feed that parses with errors but still yields entries is used (feeds are often
    slightly malformed); one that yields no entries is an error, or empty when it is a valid
    feed with nothing in it.
    """
    import feedparser

    parsed = feedparser.parse(body, response_headers={"content-location": url, "content-type": "application/xml"})
    entries = []
    for entry in parsed.entries:
        link = entry.get("link")
        if not link:
            alternates = [x.get("href") for x in entry.get("links", []) if x.get("rel", "alternate") == "alternate"]
            link = alternates[0] if alternates else None
        absolute = resolve(url, link)
        if absolute is None:
            continue
        stamp = entry.get("updated") or entry.get("published")
        published = entry.get("published_parsed") or entry.get("updated_parsed")
        entries.append(Listed(absolute, stamp=stamp, title=entry.get("title") or None, date=_iso_date(published)))
    if parsed.bozo and not entries:
        reason = str(getattr(parsed, "bozo_exception", "") or "unreadable").splitlines()[0][:120]
        raise BadListing(f"not a valid RSS/Atom feed ({reason})")
    if not entries and not parsed.get("version"):
        raise BadListing("not an RSS/Atom feed")
    return entries


def parse_sitemap(body: bytes, url: str, max_bytes: int) -> tuple[list[Listed], list[str]]:
    """(pages, child sitemaps) of a sitemap or sitemap index (gzip allowed); BadListing when unreadable."""
    from lxml import etree

    data = ungzip(body, max_bytes)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise BadListing(f"not a valid sitemap ({str(exc).splitlines()[0][:120]})") from None
    if root is None:
        raise BadListing("empty sitemap")
    kind = etree.QName(root).localname
    if kind not in ("urlset", "sitemapindex"):
        raise BadListing(f"not a sitemap (root element <{kind}>)")
    pages, children = [], []
    for item in root:
        if not isinstance(item.tag, str):
            continue
        fields = {etree.QName(c).localname: (c.text or "").strip() for c in item.iter() if isinstance(c.tag, str)}
        loc = resolve(url, fields.get("loc"))
        if not loc:
            continue
        if kind == "sitemapindex":
            children.append(loc)
            continue
        published = fields.get("publication_date")  # Google News sitemaps
        pages.append(
            Listed(
                loc,
                stamp=fields.get("lastmod") or published,
                title=fields.get("title") or None,
                date=(published or "")[:10] or None,
            )
        )
    return pages, children
