"""The Corpus page: every article with its metadata, searchable, readable in full."""

from __future__ import annotations

import streamlit as st

from ui import render
from ui.chat_page import offer_build
from ui.sidebar import Choices

MAX_CHOICES = 500  # the reading list; the table above shows every match


def show_corpus(choices: Choices, news_index, index_error: str | None) -> None:
    st.title("Corpus", anchor=False)
    if news_index is None:
        offer_build(choices, index_error)
        return
    articles = sorted(news_index.articles.values(), key=lambda a: (a.date or "", a.doc_id), reverse=True)
    st.caption(render.escape_markdown(render.corpus_summary(articles)))
    query = st.text_input("Search", key="corpus_query", placeholder="words in the title, outlet, date or text")
    found = [a for a in articles if render.matches(query, a.title, a.source, a.date, a.byline, a.text, a.doc_id)]
    st.caption(f"{len(found):,} of {len(articles):,} articles")
    if not found:
        return
    titles = {a.doc_id: render.display_title(a.title, a.text, a.doc_id) for a in found}
    st.dataframe(
        [
            {
                "title": titles[a.doc_id],
                "outlet": a.source or "",
                "date": a.date or "",
                "words": len(a.text.split()),
                "id": a.doc_id,
            }
            for a in found
        ],
        hide_index=True,
        width="stretch",
    )
    shown = found[:MAX_CHOICES]
    doc_id = st.selectbox(
        "Read an article", [a.doc_id for a in shown], key="corpus_read", format_func=lambda d: f"{titles[d]} ({d})"
    )
    article = news_index.article(doc_id) if doc_id else None
    if article is None:
        return
    with st.container(border=True):
        st.subheader(render.escape_markdown(titles[doc_id]), anchor=False)
        meta = render.byline(article.source, article.date) + (f" · {article.byline}" if article.byline else "")
        st.caption(render.escape_markdown(meta))
        if article.url:
            st.caption(render.escape_markdown(article.url))
        st.markdown(render.escape_markdown(article.text))
