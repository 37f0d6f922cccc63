"""Pure functions that turn answers and articles into display pieces (no Streamlit here).

Everything that ends up in ``st.markdown`` goes through ``escape_markdown`` first:
article text and model output are data, never markup. The only markup we add is
our own (bold for the short answer, ``:orange-background[...]`` for a quote).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path

HIGHLIGHT = "orange-background"
_PUNCTUATION = frozenset(string.punctuation)  # CommonMark: any ASCII punctuation may be backslash-escaped
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
# Some scraped articles open with a "date 2025-09-03" header line; it makes a poor title.
_DATE_HEADER = re.compile(r"^date:?\s+\d{4}-\d{2}-\d{2}\s*", re.IGNORECASE)


def escape_markdown(text: str) -> str:
    """``text`` as inert Markdown: every punctuation mark escaped, HTML shown as text, one line per paragraph.

    Whitespace runs collapse to one space (so indentation cannot make a code
    block); line breaks become paragraph breaks.
    """
    paragraphs = [p for p in (_escape_line(line) for line in text.splitlines()) if p]
    return "\n\n".join(paragraphs)


def _escape_line(line: str) -> str:
    return _escape_inline(line).strip()


def _escape_inline(text: str) -> str:
    """Escape one line, collapsing whitespace runs but keeping a space at either edge.

    Checked in Chromium against Streamlit 1.67: escaped ``:smile:``, ``:red[x]``,
    ``$x$``, ``<script>`` and ``[a](javascript:...)`` all show as plain text.
    """
    return "".join("\\" + ch if ch in _PUNCTUATION else ch for ch in _SPACES.sub(" ", text))


def highlighted(text: str) -> str:
    """``text`` escaped and marked as highlighted (one highlight per paragraph: the markup is inline)."""
    parts = [p for p in (_escape_line(line) for line in text.splitlines()) if p]
    return "\n\n".join(f":{HIGHLIGHT}[{p}]" for p in parts)


def visible_text(markdown_escaped: str) -> str:
    """What a reader sees of ``escape_markdown``'s output (for tests and checks)."""
    return re.sub(r"\\(.)", r"\1", markdown_escaped)


@dataclass(frozen=True)
class Segments:
    """A window of an article split around a quote: ``before + quote + after`` is the window's text."""

    before: str
    quote: str
    after: str
    clipped_start: bool = False  # the window starts after the article's start
    clipped_end: bool = False


def quote_segments(
    text: str, start: int, end: int, window_start: int | None = None, window_end: int | None = None
) -> Segments:
    """Split ``text[window_start:window_end]`` around ``text[start:end]`` (offsets into the ORIGINAL text).

    Bad or missing offsets fall back safely: the window always contains the quote.
    """
    n = len(text)
    start = max(0, min(start, n))
    end = max(start, min(end, n))
    lo = start if window_start is None else max(0, min(window_start, start))
    hi = end if window_end is None else min(n, max(window_end, end))
    return Segments(text[lo:start], text[start:end], text[end:hi], clipped_start=lo > 0, clipped_end=hi < n)


def segments_markdown(seg: Segments) -> str:
    """The window as Markdown, the quote highlighted; paragraphs kept, everything else escaped."""
    pieces: list[str] = []
    if seg.clipped_start:
        pieces.append("… ")
    pieces.append(_inline_block(seg.before))
    pieces.append(_inline_highlight(seg.quote))
    pieces.append(_inline_block(seg.after))
    if seg.clipped_end:
        pieces.append(" …")
    md = "".join(pieces)
    return re.sub(r"\n{3,}", "\n\n", md).strip()


def _inline_block(text: str) -> str:
    """Escape ``text``; its line breaks become paragraph breaks, a space at either edge is kept."""
    return "\n\n".join(_escape_inline(line) for line in text.split("\n")) if text else ""


def _inline_highlight(quote: str) -> str:
    return "\n\n".join(f":{HIGHLIGHT}[{_escape_line(line)}]" if line.strip() else "" for line in quote.split("\n"))


def split_paragraph_around(text: str, start: int, end: int) -> tuple[str, Segments, str]:
    """For the full-article view: (text before the quote's paragraph, the paragraph split around the quote, the rest)."""
    n = len(text)
    start = max(0, min(start, n))
    end = max(start, min(end, n))
    para_start = text.rfind("\n", 0, start) + 1
    nl = text.find("\n", end)
    para_end = n if nl < 0 else nl
    seg = Segments(text[para_start:start], text[start:end], text[end:para_end])
    return text[:para_start], seg, text[para_end:]


def display_title(title: str | None, text: str | None = None, doc_id: str = "", limit: int = 70) -> str:
    """The article's title, or its first words when it has none."""
    if title and title.strip():
        return " ".join(title.split())
    words = _DATE_HEADER.sub("", " ".join((text or "").split()))
    if words:
        if len(words) <= limit:
            return words
        cut = words[:limit].rsplit(" ", 1)[0]
        return cut + "…"
    return doc_id or "Untitled article"


def byline(source: str | None, date: str | None) -> str:
    """ "DW · 2025-09-02", with honest placeholders."""
    return f"{source or 'unknown outlet'} · {date or 'undated'}"


def sentence_markdown(
    text: str, citations: tuple[int, ...] = (), highlight: tuple[int, int] | None = None, corroboration: int = 0
) -> str:
    """One answer sentence: escaped, the short-answer phrase in bold, citation markers and badge appended."""
    text = " ".join(text.split())  # offsets below refer to this normalised text; sentences are one line already
    if highlight and 0 <= highlight[0] < highlight[1] <= len(text) and text[highlight[0] : highlight[1]].strip():
        a, b = highlight
        while text[a] == " ":
            a += 1
        while text[b - 1] == " ":
            b -= 1
        body = _escape_inline(text[:a]) + "**" + _escape_inline(text[a:b]) + "**" + _escape_inline(text[b:])
    else:
        body = _escape_inline(text)
    marks = "".join(f" \\[{n}\\]" for n in citations)
    badge = f" :blue-badge[{corroboration} sources]" if corroboration >= 2 else ""
    return body.strip() + marks + badge


DRAFT_LABEL = "Model's draft, not checked yet: the checked answer replaces it"
SET_ASIDE_NOTE = (
    "The model also wrote these sentences. They are not backed by the articles, so they are not part of the answer."
)


def draft_markdown(text: str) -> str:
    """The model's reply while it streams: labelled as an unchecked draft on top, the text greyed, a cursor."""
    paragraphs = [p for p in (_escape_line(line) for line in text.splitlines()) if p]
    body = "\n\n".join(f":gray[{p}]" for p in paragraphs)
    return f":orange-badge[Unchecked draft] *{_escape_line(DRAFT_LABEL)}*\n\n{body} ▌"


def set_aside_label(count: int) -> str:
    """The heading of the box holding what the model wrote that failed the check."""
    return f"Model's unchecked words ({count}): not part of the answer"


def set_aside_markdown(sentences) -> str:
    """One list item per set-aside sentence: its text, then why it is not shown as sourced."""
    lines = []
    for s in sentences:
        reason = getattr(s, "reason", None) or "not backed by the articles"
        lines.append(f"- {_escape_line(s.text)}  \n  :gray[{_escape_line(reason)}]")
    return "\n".join(lines)


@dataclass(frozen=True)
class SourceEntry:
    """One cited article in an answer's Sources block."""

    doc_id: str
    title: str
    source: str | None
    date: str | None
    numbers: tuple[int, ...]
    also_in: tuple[str, ...] = ()
    url: str | None = None


def sources_of(citations, title_of=None) -> list[SourceEntry]:
    """The cited articles in first-cited order, each with its citation numbers (several quotes -> one entry)."""
    order: list[str] = []
    by_doc: dict[str, list] = {}
    for c in citations:
        if c.doc_id not in by_doc:
            order.append(c.doc_id)
            by_doc[c.doc_id] = []
        by_doc[c.doc_id].append(c)
    entries = []
    for doc_id in order:
        cs = by_doc[doc_id]
        first = cs[0]
        title = title_of(doc_id) if title_of else display_title(first.title, doc_id=doc_id)
        also = tuple(dict.fromkeys(d for c in cs for d in (c.also_in or ()) if d != doc_id))
        entries.append(SourceEntry(doc_id, title, first.source, first.date, tuple(c.n for c in cs), also, first.url))
    return entries


def conflict_lines(conflict, citation_of) -> list[str]:
    """Markdown lines for a "Sources disagree" box: each side's value with its citations, outlets and dates."""
    lines = []
    for value, numbers in conflict.sides:
        refs = []
        for n in numbers:
            c = citation_of(n)
            where = byline(c.source, c.date) if c is not None else ""
            refs.append(f"\\[{n}\\]" + (f" {_escape_line(where)}" if where else ""))
        lines.append(f"- **{_escape_line(str(value))}** — " + "; ".join(refs))
    return lines


def question_history(messages: list[dict]) -> list[dict]:
    """The chat so far as rag's history: user questions and the assistant's answer text."""
    history = []
    for m in messages:
        if m.get("role") == "user":
            history.append({"role": "user", "content": m["content"]})
        elif m.get("role") == "assistant" and m.get("answer") is not None:
            history.append({"role": "assistant", "content": m["answer"].text})
    return history


def matches(query: str, *fields: str | None) -> bool:
    """Corpus search: every word of ``query`` appears in one of the fields (case-insensitive)."""
    words = query.lower().split()
    hay = " ".join(f for f in fields if f).lower()
    return all(w in hay for w in words)


def latest_eval_report(runs_dir: Path) -> Path | None:
    """The newest ``runs_dir/*/report.json`` by modification time, or None."""
    if not runs_dir.is_dir():
        return None
    reports = [p for p in runs_dir.glob("*/report.json") if p.is_file()]
    return max(reports, key=lambda p: p.stat().st_mtime, default=None)


def metric_rows(metrics: dict) -> list[dict]:
    """An eval report's flat metrics as table rows; a missing or non-numeric value is shown, never made a number."""
    rows = []
    for name, value in (metrics or {}).items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            shown = "—" if value is None else str(value)
        elif isinstance(value, int):
            shown = f"{value:,}"
        else:
            shown = f"{value:.3f}"
        rows.append({"metric": str(name), "value": shown})
    return rows


def corpus_summary(articles) -> str:
    """One line about the corpus: how many articles, from which outlets, over which dates."""
    articles = list(articles)
    if not articles:
        return "The index is empty."
    outlets = sorted({a.source for a in articles if a.source})
    dates = sorted(a.date for a in articles if a.date)
    line = f"{len(articles):,} news article{'s' if len(articles) != 1 else ''}"
    if outlets:
        shown = ", ".join(outlets[:4]) + (f" and {len(outlets) - 4} more" if len(outlets) > 4 else "")
        line += f" from {shown}"
    if dates:
        line += f", {dates[0]}" + (f" to {dates[-1]}" if dates[-1] != dates[0] else "")
    return line + "."
