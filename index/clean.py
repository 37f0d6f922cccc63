"""Remove web boilerplate from an article while keeping a map to the original.

Cleaning never rewrites text: it only decides which spans of the original file
are article body. Everything downstream (sentences, chunks, citations) works on
those kept spans, so every offset is an offset into the original file and
``original[start:end]`` is always the exact text a citation quotes.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date

CLEANER_VERSION = "2"

_MONTHS = ("january february march april may june july august september october november december").split()
_MONTH_DATE = re.compile(
    r"^(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?("
    + "|".join(m.capitalize() for m in _MONTHS)
    + r")\s+(\d{1,2}),\s+(\d{4})$"
)
_LEADING_DATE = re.compile(r"^\s*date\s+(\d{4})-(\d{2})-(\d{2})\s+")
_BOILERPLATE_LINE = re.compile(
    r"^(?:\d+\.\s*)?Skip (?:to|next section)\b.*$"  # skip links ("1. Skip to content")
    r"|^This browser does not support the (?:video|audio) element\.?$"
    r"|^\d{1,2}:\d{2}(?::\d{2})?$"  # bare video timestamps
    r"|^(?:More stories from|More from|Related stories|Advertisement|Share this|Follow us on)\b.{0,40}$"
    r"|^DW's Top Story$"
    r"|^(?:Image|Photo|Picture)(?: credit)?s?:\s.*$",
    re.IGNORECASE,
)
# Text addressed to a chat model, not to readers: role-prefixed lines and "ignore previous instructions".
# Dropped like boilerplate, so a planted instruction never reaches a passage, the prompt or a citation.
_INJECTION_LINE = re.compile(
    r"^(?:system|assistant|user|developer)\s*:"
    r"|\b(?:ignore|disregard|forget)\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier)\s+"
    r"(?:instructions?|prompts?|messages?|rules?)\b",
    re.IGNORECASE,
)
_CREDIT_SUFFIX = re.compile(r"(?:Image|Photo|Picture)(?: credit)?:\s?\S.*$")
_EDITOR_LINE = re.compile(r"^(Edited|Published|Written|Reported) by:\s*(.+)$")
_OUTLET_MARKERS = {"DW": re.compile(r"\bDW sites\b|More stories from DW|DW's Top Story")}


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Cleaned:
    """The kept body spans of an original text and the metadata found in it."""

    original: str
    kept: tuple[Span, ...]
    metadata: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The body text: kept spans joined by newlines (for display and keyword search)."""
        return "\n".join(self.original[s.start : s.end] for s in self.kept)

    def to_original(self, pos: int) -> int:
        """Map an offset in ``text`` back to an offset in ``original``."""
        starts = self._text_starts()
        i = max(0, bisect_right(starts, pos) - 1)
        span = self.kept[i]
        return span.start + min(pos - starts[i], span.end - span.start)

    def _text_starts(self) -> list[int]:
        starts, cursor = [], 0
        for span in self.kept:
            starts.append(cursor)
            cursor += span.end - span.start + 1
        return starts


def _iso(year: str | int, month: str | int, day: str | int) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _norm(line: str) -> str:
    """Collapse any whitespace (no-break spaces included) for matching, never for output."""
    return " ".join(line.split())


def _lines(text: str):
    """Yield (start, end) of each line without its newline."""
    start = 0
    for i, ch in enumerate(text):
        if ch == "\n":
            yield start, i
            start = i + 1
    yield start, len(text)


def clean_article(original: str) -> Cleaned:
    """Find the body spans of ``original`` and the metadata its text carries.

    Metadata keys (only when found): ``date`` (ISO), ``title``, ``byline``,
    ``outlet``, ``editor``.
    """
    meta: dict = {}
    lines = [(s, e) for s, e in _lines(original)]
    kept: list[Span] = []
    # Header lines in the DW layout: kicker, title, byline, "September 2, 2025".
    date_line = None
    for idx, (s, e) in enumerate(lines[:15]):
        match = _MONTH_DATE.match(_norm(original[s:e]))
        if match:
            iso = _iso(match.group(3), _MONTHS.index(match.group(1).lower()) + 1, match.group(2))
            if iso:
                meta["date"] = iso
                date_line = idx
            break
    header: set[int] = set()
    if date_line is not None:
        header.add(date_line)
        previous = [
            i
            for i in range(date_line)
            if _norm(original[lines[i][0] : lines[i][1]])
            and not _BOILERPLATE_LINE.match(_norm(original[lines[i][0] : lines[i][1]]))
        ]
        if previous:
            byline = _norm(original[lines[previous[-1]][0] : lines[previous[-1]][1]])
            if len(byline) <= 120 and not byline.endswith((".", "!", "?")):
                meta["byline"] = byline
                header.add(previous[-1])
                previous = previous[:-1]
        if previous:
            title = _norm(original[lines[previous[-1]][0] : lines[previous[-1]][1]])
            if len(title) <= 200 and len(title.split()) >= 3:
                meta["title"] = title
                header.update(previous)  # the title and the kicker above it
    for idx, (s, e) in enumerate(lines):
        line = original[s:e]
        stripped = _norm(line)
        if idx in header or not stripped or _BOILERPLATE_LINE.match(stripped) or _INJECTION_LINE.search(stripped):
            continue
        editor = _EDITOR_LINE.match(stripped)
        if editor:
            meta.setdefault("editor", editor.group(2).strip())
            continue
        if idx == 0 or not kept:
            lead = _LEADING_DATE.match(line)
            if lead:
                iso = _iso(*lead.groups())
                if iso:
                    meta.setdefault("date", iso)
                s += lead.end()
        credit = _CREDIT_SUFFIX.search(original, s, e)
        if credit:
            e = credit.start()
        while s < e and original[s].isspace():
            s += 1
        while e > s and original[e - 1].isspace():
            e -= 1
        if s >= e:
            continue
        if kept and not original[kept[-1].end : s].strip():
            kept[-1] = Span(kept[-1].start, e)  # only blank lines between: one body span
        else:
            kept.append(Span(s, e))
    for outlet, marker in _OUTLET_MARKERS.items():
        if marker.search(original):
            meta["outlet"] = outlet
    return Cleaned(original=original, kept=tuple(kept), metadata=meta)
