"""Who wrote, edited or supplied a story: answered from the article's credit lines.

Bylines ("Karl Sexton | Felix Tamsut with AFP, Reuters, AP"), editor lines
("Edited by: Sean Sinico") and agency credits ("(With inputs from ANI)") sit in
an article's header and footer, outside the body the index searches, so the
reader would never quote them. A question about a story's authors or sources is
answered by quoting those lines of the best-matching article, with exact offsets
into its original text like any other citation.
"""

from __future__ import annotations

import re

from index.records import Article
from rag.compose import Claim, Quote
from rag.records import Passage

CREDIT_QUESTION = re.compile(
    r"\b(?:who\s+(?:wrote|authored|reported|edited|published|filed|compiled|produced)|written\s+by|byline|"
    r"authors?|reporters?|correspondents?|journalists?\s+(?:wrote|behind)|(?:is|are|was|were)\s+credited|"
    r"editor|edited\s+by|published\s+by|staffers?|"
    r"(?:which|what)\s+(?:news\s+)?(?:agenc(?:y|ies)|wire\s+services?)\s+(?:contributed|provided|supplied|"
    r"gave|is|are|was|were))\b",
    re.IGNORECASE,
)
_CREDIT_LINE = re.compile(
    r"^\(?\s*(?:(?:edited|published|written|reported|compiled|produced|additional\s+reporting)\s+by\b:?"
    r"|with\s+inputs\s+from\b|by\s+[A-Z])",
    re.IGNORECASE,
)
_EDGE_LINES = 15  # credits sit in the header or the footer
_MAX_CREDIT_CHARS = 160


# The question is about the text itself, not about a person in the news ("the editor of the magazine").
_ABOUT_THE_TEXT = re.compile(
    r"\b(?:report|story|article|piece|dispatch|coverage|byline|credited|wrote|written|authored|filed|inputs?)\b",
    re.IGNORECASE,
)


def is_credit_question(question: str) -> bool:
    """Asks who wrote, edited or supplied a story (not about a person the story is about)."""
    return bool(CREDIT_QUESTION.search(question)) and bool(_ABOUT_THE_TEXT.search(question))


def credit_lines(article: Article) -> list[tuple[int, int]]:
    """(start, end) of the article's credit lines, in order: the byline, editor and agency lines."""
    text = article.text
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\r\n]+", text)]
    edges = lines[:_EDGE_LINES] + lines[max(_EDGE_LINES, len(lines) - _EDGE_LINES) :]
    byline = " ".join((article.byline or "").split())
    found = []
    for start, end in edges:
        raw = text[start:end]
        stripped = raw.strip()
        if not stripped or len(stripped) > _MAX_CREDIT_CHARS:
            continue
        if (byline and " ".join(stripped.split()) == byline) or _CREDIT_LINE.match(stripped):
            lead = len(raw) - len(raw.lstrip())
            found.append((start + lead, start + lead + len(stripped)))
    return sorted(set(found))


def credit_claims(article: Article) -> list[Claim]:
    """The article's credit lines as claims quoting themselves."""
    claims = []
    for start, end in credit_lines(article):
        quote = article.text[start:end]
        passage = Passage(
            chunk_id="", doc_id=article.doc_id, start=start, end=end, text=quote, score=0.0,
            title=article.title, date=article.date, source=article.source, url=article.url,
        )  # fmt: skip
        claims.append(Claim(text=quote, quotes=(Quote(passage, start, end, quote),), support=1.0))
    return claims


def story_credits(doc_id: str, stories, article) -> list[Claim]:
    """Credit lines of ``doc_id``'s story: its best copy's, or (when the best copy has none) the first
    other copy's. Copies credit the same people: one copy's lines are quoted, never two copies' twins."""
    best = stories.best_copy(doc_id)
    for doc in (best, *stories.copies(best)):
        found = article(doc)
        claims = credit_claims(found) if found is not None else []
        if claims:
            return claims
    return []


def credited_doc(question: str, ranked_docs: list[str], article) -> str | None:
    """The story the question asks about: the best-ranked article whose outlet the question names,
    else the best-ranked article."""
    if not ranked_docs:
        return None
    asked = question.lower()
    for doc in ranked_docs:
        found = article(doc)
        if found is not None and found.source and re.search(rf"\b{re.escape(found.source.lower())}\b", asked):
            return doc
    return ranked_docs[0]
