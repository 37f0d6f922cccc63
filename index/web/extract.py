"""Main text and metadata of a news page, with trafilatura; the text becomes the article's original.

The extracted text is what Newsdesk stores and cites (``original[start:end] == quote``
holds on it), so extraction must be deterministic: same page, same text, same hash.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from index.web.urls import resolve, site_host
from newsdesk.errors import NewsdeskError

# A page whose main text is shorter than this is a teaser, a paywall or a video page, not an article.
MIN_ARTICLE_WORDS = 20
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
# WHATWG: labels that browsers read as windows-1252 (its superset), so curly quotes survive.
_AS_CP1252 = {"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii", "l1", "iso8859-1", "cp819"}


class NoArticleText(NewsdeskError):
    """The page holds no article text that extraction could find."""


@dataclass(frozen=True)
class ExtractedPage:
    text: str  # the article's body as plain text: the stored original
    title: str | None = None
    date: str | None = None  # ISO yyyy-mm-dd
    author: str | None = None
    outlet: str | None = None
    canonical_url: str | None = None  # <link rel="canonical">, absolute
    is_amp: bool = False
    encoding: str = "utf-8"


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    if label in _AS_CP1252:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(raw: bytes, header_charset: str | None = None) -> tuple[str, str]:
    """(text, encoding): a BOM, else valid UTF-8, else the HTTP charset, <meta charset>, detection.

    Bytes that decode as UTF-8 are UTF-8 whatever a header claims: text in a legacy
    encoding is almost never valid UTF-8, while servers often mislabel UTF-8 as ISO-8859-1.
    """
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return raw.decode(name, errors="replace"), name
    meta = _META_CHARSET.search(raw[:4096])
    declared = ["utf-8", _codec(header_charset), _codec(meta.group(1).decode("ascii", "ignore") if meta else None)]
    for name in dict.fromkeys(n for n in declared if n):
        if name.startswith("utf-16"):
            continue  # a UTF-16 page has a BOM; a label without one is wrong
        try:
            return raw.decode(name), name
        except (UnicodeDecodeError, LookupError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:200_000]).best()
    name = _codec(best.encoding if best is not None else None) or "cp1252"
    return raw.decode(name, errors="replace"), name


def _flat(text: str | None) -> str:
    return " ".join((text or "").split())


def _comparable(text: str) -> str:
    """For comparing titles: case, quote style and spacing ignored."""
    table = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " "})
    return _flat(text.translate(table)).casefold()


def _page_facts(tree, url: str | None) -> tuple[str | None, bool, list[str], list[str]]:
    """(canonical URL, is AMP, h1 texts, page titles) read from the parsed page."""
    canonical = None
    for href in tree.xpath(
        '//link[@rel and @href][contains(concat(" ", normalize-space(@rel), " "), " canonical ")]/@href'
    ):
        canonical = resolve(url or "", href) if url else (href if href.startswith(("http://", "https://")) else None)
        if canonical:
            break
    root = tree.getroottree().getroot()
    is_amp = "amp" in root.attrib or "⚡" in root.attrib
    h1s = [_flat(h.text_content()) for h in tree.xpath("//h1")]
    titles = tree.xpath('//meta[@property="og:title" or @name="twitter:title"]/@content') + tree.xpath("//title/text()")
    return canonical, is_amp, [h for h in h1s if h and len(h) <= 300], [_flat(t) for t in titles if _flat(t)]


def headline(h1s: list[str], page_titles: list[str], fallback: str | None) -> str | None:
    """The page's headline: the longest <h1> that its <title>/og:title contains, else the extractor's title.

    Page titles often carry a section or the outlet ("Opinion | ...", "... - Reuters")
    and og:title is sometimes a social-media variant; the visible <h1> is the headline
    when the page title confirms it (newspaper and goose pick titles the same way).
    """
    confirmed = [h for h in h1s if len(h.split()) >= 2 and any(_comparable(h) in _comparable(t) for t in page_titles)]
    if confirmed:
        return max(confirmed, key=len)
    return _flat(fallback) or None


def _outlet(sitename: str | None, url: str | None) -> str | None:
    name = _flat(sitename)
    if name and not name.lower().startswith(("http://", "https://")):
        return name
    host = urlsplit(name if name else (url or "")).hostname
    return site_host(host) if host else None


def extract_page(html: str, url: str | None = None) -> ExtractedPage:
    """The article in ``html`` (decoded text); raise NoArticleText when there is none."""
    import trafilatura
    from trafilatura.utils import load_html

    tree = load_html(html) if html.strip() else None
    if tree is None:
        raise NoArticleText("not an HTML page with content")
    canonical, is_amp, h1s, titles = _page_facts(tree, url)
    doc = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, include_tables=True, deduplicate=False
    )
    if doc is None:
        raise NoArticleText("no article text found (nothing)")
    assert not isinstance(doc, dict)  # as_dict=False: a Document
    text = doc.text or ""
    text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")).strip()
    if len(text.split()) < MIN_ARTICLE_WORDS:
        found = f"only {len(text.split())} words" if text else "nothing"
        raise NoArticleText(f"no article text found ({found})")
    return ExtractedPage(
        text=text,
        title=headline(h1s, titles, doc.title),
        date=doc.date or None,
        author=_flat(doc.author) or None,
        outlet=_outlet(doc.sitename, url),
        canonical_url=canonical,
        is_amp=is_amp,
    )


def extract_html_bytes(raw: bytes, url: str | None = None, header_charset: str | None = None) -> ExtractedPage:
    """Decode (HTTP charset, <meta charset>, UTF-8, detection) and extract."""
    text, encoding = decode_html(raw, header_charset)
    page = extract_page(text, url)
    return ExtractedPage(**{**page.__dict__, "encoding": encoding})
