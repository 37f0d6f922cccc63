"""Who wrote, edited or supplied a story: credit lines found, quoted exactly, and only for such questions."""

from __future__ import annotations

import pytest

import rag
from index.records import Article
from rag.credits import credit_lines, is_credit_question

STORY = (
    "World\n\nPorts reopen after the storm\n\nJane Doe | John Roe with AFP, Reuters\nMarch 2, 2025\n\n"
    "Ports along the coast reopened on Monday after the storm. Officials said 12 ships were damaged.\n\n"
    "Edited by: Ann Smith\n"
)


@pytest.mark.parametrize(
    "question, credit",
    [
        ("Who wrote the report on the ports?", True),
        ("Which staffer is credited at the end of the story?", True),
        ("Which news agency contributed inputs to the report?", True),
        ("Who published the article about the storm?", True),
        ("Who won the election?", False),
        ("Who is the editor of the magazine?", False),
        ("Which reporters were injured in the blast?", False),
    ],
)
def test_credit_questions(question, credit):
    assert is_credit_question(question) is credit


def test_credit_lines_are_the_byline_and_the_editor_line_quoted_exactly():
    article = Article("a", STORY, "a.txt", byline="Jane Doe | John Roe with AFP, Reuters")
    spans = credit_lines(article)
    assert [STORY[s:e] for s, e in spans] == ["Jane Doe | John Roe with AFP, Reuters", "Edited by: Ann Smith"]
    body_only = Article("b", "Ports reopened on Monday. Officials said 12 ships were damaged.", "b.txt")
    assert credit_lines(body_only) == []


def test_who_wrote_a_story_is_answered_from_its_credit_lines(minilm_seed_index):
    answer = rag.answer("Who wrote the DW report on Putin's talks with Xi?", news_index=minilm_seed_index)
    assert not answer.refused and "Karl Sexton" in answer.text
    for c in answer.citations:
        assert minilm_seed_index.article(c.doc_id).text[c.start : c.end] == c.quote
    assert len({c.story for c in answer.citations}) == 1  # one story's credits, never its copy's twins too
