"""The answer text with live citation markers: each ``[n]`` is a button that opens source n's highlighted passage,
and hovering or focusing it shows a short preview (title, outlet and date, the cited sentence).

Rendered by an ``st.components.v2`` component: inline HTML, CSS and JS registered from this file, mounted in the
page (no iframe, no build step, nothing fetched). The HTML is built here, in Python, from escaped text only
(``answer_html``): answers, titles and quotes come from untrusted articles. The JS adds no markup of its own; it
turns a click (or Enter/Space) on a marker into the trigger value ``open`` = n, read back by ``show_answer_text``.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

from ui import render

COMPONENT_NAME = "newsdesk_inline_citations"
PREVIEW_QUOTE_CHARS = 240  # a preview is a glance; the passage itself is one click away
OPEN_HINT = "Click or press Enter to open the highlighted passage"


@dataclass(frozen=True)
class Preview:
    """What a marker's preview says about its source."""

    title: str
    byline: str  # "DW · 2025-09-02", only what is known
    quote: str  # the article's sentence the answer cites


def preview_of(citation, title: str) -> Preview:
    quote = " ".join((citation.quote or "").split())
    if len(quote) > PREVIEW_QUOTE_CHARS:
        quote = quote[:PREVIEW_QUOTE_CHARS].rsplit(" ", 1)[0] + "…"
    return Preview(title=title, byline=render.byline(citation.source, citation.date), quote=quote)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def marker_html(n: int, preview: Preview | None, marker_id: str) -> str:
    """``[n]`` as a focusable button described by its preview (a tooltip); a number with no source stays text."""
    if preview is None:
        return f'<span class="marker-text">[{int(n)}]</span>'
    meta = f'<span class="meta">{_e(preview.byline)}</span>' if preview.byline else ""
    quote = f'<span class="quote">\u201c{_e(preview.quote)}\u201d</span>' if preview.quote else ""
    return (
        f'<span class="cite"><button type="button" class="marker" data-cite="{int(n)}" '
        f'aria-label="Source {int(n)}: {_e(preview.title)}" aria-describedby="{marker_id}">[{int(n)}]</button>'
        f'<span class="preview" role="tooltip" id="{marker_id}"><span class="title">{_e(preview.title)}</span>'
        f'{meta}{quote}<span class="hint">{_e(OPEN_HINT)}</span></span></span>'
    )


def sentence_html(sentence, previews: Callable[[int], Preview | None], index: int) -> str:
    """One shown sentence: its words exactly (the short-answer phrase in bold), its markers, its corroboration badge."""
    before, bold, after = render.split_highlight(sentence.text, sentence.highlight)
    body = _e(before) + (f"<strong>{_e(bold)}</strong>" if bold else "") + _e(after)
    marks = "".join(marker_html(n, previews(n), f"cite-{index}-{k}") for k, n in enumerate(sentence.citations))
    out = f'<span class="sentence">{body}</span>'
    if marks:
        out += f' <span class="marks">{marks}</span>'
    if sentence.corroboration >= 2:
        out += f'<span class="badge">{int(sentence.corroboration)} sources</span>'  # spaced by CSS, not text
    return out


def answer_html(sentences, previews: Callable[[int], Preview | None]) -> str:
    """The answer paragraph: ``ShownSentence``s joined by a space, as ``Answer.text`` joins them."""
    return '<p class="answer">' + " ".join(sentence_html(s, previews, i) for i, s in enumerate(sentences)) + "</p>"


CSS = """
.answer { margin: 0; font-family: var(--st-font, inherit); color: var(--st-text-color, inherit); line-height: 1.6;
  font-size: 1rem; overflow-wrap: break-word; }
.cite { position: relative; }
.marker { font: inherit; color: var(--st-link-color, var(--st-primary-color, #1c83e1)); background: none;
  border: none; padding: 0 0.1em; margin: 0; cursor: pointer; border-radius: 0.25rem; }
.marker:hover { text-decoration: underline; background: var(--st-secondary-background-color, rgba(0, 0, 0, 0.05)); }
.marker:focus-visible { outline: 2px solid var(--st-primary-color, #1c83e1); outline-offset: 1px; }
.preview { display: none; position: absolute; z-index: 1000; top: 1.7em; left: 0; width: max-content;
  max-width: min(24rem, 80vw); padding: 0.5rem 0.75rem; border-radius: 0.5rem; text-align: left;
  font-size: 0.875rem; line-height: 1.4; font-weight: normal; white-space: normal;
  color: var(--st-text-color, #31333f); background: var(--st-background-color, #fff);
  border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2)); box-shadow: 0 4px 16px rgba(0, 0, 0, 0.16); }
.cite:hover .preview, .cite:focus-within .preview { display: block; }
.cite.dismissed .preview { display: none; }
.preview > span { display: block; }
.preview .title { font-weight: 600; }
.preview .meta, .preview .hint { opacity: 0.7; font-size: 0.8125rem; }
.preview .quote { margin: 0.25rem 0; }
.badge { margin-left: 0.3em; font-size: 0.875rem; padding: 0.05em 0.4em; border-radius: 0.5rem; white-space: nowrap;
  color: var(--st-blue-text-color, #0054a3); background: var(--st-blue-background-color, rgba(28, 131, 225, 0.1)); }
"""

# Event delegation on one root, wired once; a rerun with a new answer only swaps the (escaped) HTML.
JS = """
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let root = parentElement.querySelector("div.inline-citations");
  if (!root) {
    root = document.createElement("div");
    root.className = "inline-citations";
    parentElement.appendChild(root);
  }
  root._open = (n) => setTriggerValue("open", n);
  const markup = (data && data.html) || "";
  if (root._markup !== markup) {
    root.innerHTML = markup;
    root._markup = markup;
  }
  if (root._wired) return;
  root._wired = true;
  root.addEventListener("click", (event) => {
    const marker = event.target.closest("button[data-cite]");
    if (marker) root._open(Number(marker.dataset.cite));
  });
  root.addEventListener("keydown", (event) => {
    const cite = event.target.closest(".cite");
    if (cite && event.key === "Escape") cite.classList.add("dismissed");
  });
  const place = (event) => {
    const cite = event.target.closest(".cite");
    if (!cite) return;
    cite.classList.remove("dismissed");
    const preview = cite.querySelector(".preview");
    preview.style.left = "0px";
    requestAnimationFrame(() => {
      const right = preview.getBoundingClientRect().right;
      const room = document.documentElement.clientWidth - 8;
      if (right > room) preview.style.left = `${Math.round(room - right)}px`;
    });
  };
  root.addEventListener("mouseover", place);
  root.addEventListener("focusin", place);
}
"""

_component = None


def _renderer():
    """The component, registered on first use (registering at import would run outside any Streamlit session)."""
    global _component
    if _component is None:
        import streamlit as st

        _component = st.components.v2.component(COMPONENT_NAME, css=CSS, js=JS)
    return _component


def show_answer_text(sentences, citation_of, title_of, key: str) -> int | None:
    """Mount the answer text; return the number of the marker clicked in this run (None when none was).

    ``citation_of(n)`` is the answer's Citation n (or None); ``title_of(citation)`` its article's display title.
    """

    def previews(n: int) -> Preview | None:
        c = citation_of(n)
        return None if c is None else preview_of(c, title_of(c))

    result = _renderer()(key=key, data={"html": answer_html(sentences, previews)}, on_open_change=_ignore)
    opened = result.open
    return opened if isinstance(opened, int) and not isinstance(opened, bool) else None


def _ignore() -> None:
    """A trigger needs a callback to be reported at all; the value is read from the mount's result instead."""
