"""'Ask about this article': the chat's questions limited to one article (a doc-id filter)."""

from __future__ import annotations

import rag
from rag import Filters


def test_a_doc_id_filter_answers_only_from_that_article(minilm_seed_index):
    question = "How many troops has North Korea sent to Russia?"
    everywhere = rag.answer(question, news_index=minilm_seed_index)
    assert "15,000" in everywhere.text
    one = "003_9b0c19500f436efb"  # Putin's 2024 visit: says nothing of North Korean troops
    scoped = rag.answer(question, news_index=minilm_seed_index, filters=Filters(doc_ids=(one,)))
    assert {p.doc_id for p in scoped.trace} <= {one}
    assert all(c.doc_id == one for c in scoped.citations + scoped.related)
    assert "15,000" not in scoped.text


def test_the_filter_is_on_only_when_it_names_articles():
    assert not Filters() and Filters(doc_ids=("a",))
    assert Filters(doc_ids=("a", "b")).to_chroma_where() == {"doc_id": {"$in": ["a", "b"]}}


def test_the_corpus_page_button_scopes_the_chat_and_asks_to_switch():
    from streamlit.testing.v1 import AppTest

    def page():
        import streamlit as st

        from ui.corpus_page import ask_about_article

        st.button("Ask about this article", key="ask", on_click=ask_about_article, args=("doc-1",))

    at = AppTest.from_function(page).run()
    at.button(key="ask").click().run()
    assert at.session_state["doc_ids"] == ["doc-1"] and at.session_state["switch_to_chat"] is True
