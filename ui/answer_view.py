"""Streamlit widgets for one answer: its text with live ``[n]`` markers, source cards, refusal, full-article dialog.

Every string that came from an article or a model goes through ``ui.render``'s Markdown escaping, or, in the
answer text (``ui.inline_citations``), HTML escaping; nothing here uses ``unsafe_allow_html``.
"""

from __future__ import annotations

import streamlit as st

from ui import inline_citations, render


def article_title(news_index, doc_id: str, fallback: str | None = None) -> str:
    article = news_index.article(doc_id) if news_index is not None else None
    if article is None:
        return render.display_title(fallback, doc_id=doc_id)
    return render.display_title(article.title or fallback, article.text, doc_id)


def show_answer(answer, news_index, key: str, *, filters=None, search_all=None) -> None:
    """Render a checked Answer; ``key`` is unique per chat message so reruns keep the same widgets.

    ``filters`` are the ones the question was asked under; with a refusal they are named, and ``search_all``
    (a callback) is offered to ask again without them.
    """
    if answer.notice:
        st.info(render.escape_markdown(answer.notice), icon=":material/cloud_off:")
    if answer.refused:
        _show_refusal(answer, news_index, key, filters, search_all)
        return
    _show_text(answer, news_index, key)
    if answer.conflicts:
        _show_conflicts(answer)
    if answer.citations:
        _show_sources(answer, news_index, f"{key}-c")
    _show_footer(answer)


def _show_text(answer, news_index, key: str) -> None:
    """The checked, supported sentences as the answer; anything else the model wrote only in a labelled box.

    A click on a ``[n]`` in the text opens source n's passage in a dialog (the source cards below stay, and work
    where the component cannot run)."""
    headline = render.headline(answer)
    if headline:
        st.markdown(f"**{render.escape_markdown(headline)}**")
    shown = render.shown_sentences(answer)
    if shown:
        opened = inline_citations.show_answer_text(
            shown, answer.citation, lambda c: article_title(news_index, c.doc_id, c.title), key=f"{key}-text"
        )
        citation = answer.citation(opened) if opened is not None else None
        if citation is not None:
            show_cited_passage(citation, news_index, f"{key}-t{citation.n}")
    else:
        st.markdown(render.escape_markdown(answer.text))
    set_aside = [s for s in answer.sentences if not s.supported]
    if set_aside:
        with st.expander(render.set_aside_label(len(set_aside)), icon=":material/report:"):
            st.caption(render.escape_markdown(render.SET_ASIDE_NOTE))
            st.markdown(render.set_aside_markdown(set_aside))


def _show_refusal(answer, news_index, key: str, filters=None, search_all=None) -> None:
    st.warning(render.escape_markdown(answer.text), icon=":material/search_off:")
    chips = render.filter_chips(filters)
    if chips:
        st.info(
            render.escape_markdown(
                "You searched only " + "; ".join(chips) + ". The answer may lie outside these filters."
            ),
            icon=":material/filter_alt:",
        )
        if search_all is not None:
            st.button("Search all articles", key=f"{key}-all", icon=":material/filter_alt_off:", on_click=search_all)
    if answer.related:
        _show_sources(
            answer, news_index, f"{key}-r", answer.related, "Related passages (they do not answer the question)"
        )
    _show_footer(answer)


def _show_conflicts(answer) -> None:
    for conflict in answer.conflicts:
        lines = render.conflict_lines(conflict, answer.citation)
        heading = render.conflict_heading(conflict, answer.question)
        event = conflict.kind == "event"
        st.warning(
            f"**{render.escape_markdown(heading)}:**\n\n" + "\n".join(lines),
            icon=":material/event_repeat:" if event else ":material/compare_arrows:",
        )


def _show_sources(answer, news_index, key: str, citations=None, heading: str = "Sources") -> None:
    """One card per source, stacked: "[1] Title · DW · 2025-09-02"; it opens the quoted passage."""
    citations = answer.citations if citations is None else citations
    st.caption(heading)
    for c in citations:
        title = article_title(news_index, c.doc_id, c.title)
        meta = render.byline(c.source, c.date)
        label = f"[{c.n}] {render.display_title(title, limit=70)}" + (f" · {meta}" if meta else "")
        # Stateful (on_change="rerun") so "Open full article" can close it before the dialog opens.
        with st.popover(render.escape_markdown(label), key=f"{key}{c.n}", on_change="rerun", width="stretch"):
            show_source(c, news_index, key=f"{key}{c.n}")


def show_source(c, news_index, key: str) -> None:
    """What a source card and an inline ``[n]`` both open: the passage, and where else the story ran."""
    show_passage(c, news_index, key=key)
    copies = [d for d in c.also_in if d != c.doc_id]
    if copies:
        also = ", ".join(render.escape_markdown(article_title(news_index, d)) for d in copies)
        st.caption(f"Also reported in: {also}")


@st.dialog("Cited passage", width="large")
def show_cited_passage(c, news_index, key: str) -> None:
    """Source ``c`` opened from its ``[n]`` in the answer text. "Open full article" reruns the whole page, which
    closes this dialog and opens the article's (a dialog's own buttons rerun only the dialog)."""
    show_source(c, news_index, key)
    if st.session_state.get(_OPEN) is not None:
        st.rerun()


def show_passage(c, news_index, key: str) -> None:
    """Title, outlet and date, and the retrieved passage with the quote highlighted; a button opens the article."""
    article = news_index.article(c.doc_id) if news_index is not None else None
    st.markdown(f"**{render.escape_markdown(article_title(news_index, c.doc_id, c.title))}**")
    st.caption(
        render.escape_markdown(
            render.byline(c.source or (article and article.source), c.date or (article and article.date))
        )
    )
    if article is None:  # the index changed since this answer: show what the answer kept
        st.markdown(render.highlighted(c.quote))
        st.caption("This article is no longer in the index.")
        return
    seg = render.quote_segments(article.text, c.start, c.end, c.passage_start, c.passage_end)
    with st.container(border=True):
        st.markdown(render.segments_markdown(seg))
    st.button(
        "Open full article",
        key=f"{key}-open",
        icon=":material/article:",
        on_click=request_article,
        args=(c.doc_id, c.start, c.end, key),
    )


_OPEN = "article_to_open"


def request_article(
    doc_id: str, start: int | None = None, end: int | None = None, popover_key: str | None = None
) -> None:
    """Ask for the full-article dialog on the next run (opened at page level), closing the popover it came from."""
    st.session_state[_OPEN] = (doc_id, start, end)
    if popover_key is not None:
        st.session_state[popover_key] = False


def open_requested_article(news_index) -> None:
    """Open the dialog a button asked for; it closes by itself on the next full rerun."""
    wanted = st.session_state.pop(_OPEN, None)
    if wanted is not None and news_index is not None:
        show_article(news_index, *wanted)


@st.dialog("Article", width="large")
def show_article(news_index, doc_id: str, start: int | None = None, end: int | None = None) -> None:
    """The whole article; with a quote, the text before its paragraph is folded so the highlight is in view."""
    article = news_index.article(doc_id)
    if article is None:
        st.error("This article is no longer in the index.")
        return
    st.subheader(render.escape_markdown(render.display_title(article.title, article.text, doc_id)), anchor=False)
    meta = render.byline(article.source, article.date)
    if article.byline:
        meta += f" · {article.byline}"
    st.caption(render.escape_markdown(meta))
    if article.url:
        st.caption(render.escape_markdown(article.url))
    if start is None or end is None:
        st.markdown(render.escape_markdown(article.text))
        return
    before, seg, after = render.split_paragraph_around(article.text, start, end)
    if before.strip():
        with st.expander(f"Earlier in the article ({len(before.split()):,} words)"):
            st.markdown(render.escape_markdown(before))
    st.markdown(render.segments_markdown(seg))
    if after.strip():
        st.markdown(render.escape_markdown(after))


def _show_footer(answer) -> None:
    bits = ["answered offline from the articles" if answer.backend == "offline" else f"written by {answer.backend}"]
    if "total" in answer.timings_ms:
        bits.append(f"{answer.timings_ms['total'] / 1000:.1f} s")
    st.caption(render.escape_markdown(" · ".join(bits)))
