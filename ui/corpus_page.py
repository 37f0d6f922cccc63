"""The Corpus page: every article with its metadata and where it came from, searchable, readable in full."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from index.add import ADDED_FOLDER
from index.web.saved import SavedArticles
from newsdesk.safetext import mask_url, mask_urls
from ui import render
from ui.chat_page import offer_build
from ui.sidebar import Choices

MAX_CHOICES = 500  # the reading list; the table above shows every match
CORPUS_FOLDER = "corpus folder"
ADDED_FILE = "added file"
_LINE_SUFFIX = re.compile(r"#L\d+$")  # a .jsonl article's path names its line


@dataclass(frozen=True)
class Origin:
    """Where an article came from and when it arrived, as far as the corpus folder knows (None: not known)."""

    came_from: str  # its URL, "added file NAME" or "corpus folder"
    via: str | None = None  # the feed or sitemap that listed a web article
    added: str | None = None  # "2026-12-01 10:15 UTC"
    updated: str | None = None  # when its text last changed, if after it was added


def article_origins(articles, corpus_dir: str | Path) -> dict[str, Origin]:
    """Each article's origin: a web record (`index add` of a URL or an .html file), a file `index add` copied
    into ``CORPUS/added/`` (arrived when that copy was written), or a file put in the corpus folder by hand."""
    corpus = Path(corpus_dir)
    saved = SavedArticles(corpus)
    return {a.doc_id: _origin(a, saved.get(a.doc_id), corpus) for a in articles}


def _origin(article, record: dict | None, corpus: Path) -> Origin:
    if record is not None:
        via = record.get("via")
        added = _when(record.get("added_at"))
        updated = _when(record.get("updated_at")) if record.get("updated_at") != record.get("added_at") else None
        if record.get("fetched_url"):
            came_from = record.get("url") or record["fetched_url"]
            via = via if _is_web(via) and via != came_from else None
            return Origin(mask_urls(came_from), mask_url(via), added, updated)  # no password is shown
        return Origin(f"{ADDED_FILE} {Path(via).name}" if via else ADDED_FILE, None, added, updated)
    rel = _relative(article.path, corpus)
    if rel is not None and len(rel.parts) > 1 and rel.parts[0] == ADDED_FOLDER:
        return Origin(f"{ADDED_FILE} {Path(*rel.parts[1:]).as_posix()}", added=_file_time(corpus / rel))
    return Origin(CORPUS_FOLDER)


def _relative(path: str, corpus: Path) -> Path | None:
    if not path:
        return None
    try:
        return Path(_LINE_SUFFIX.sub("", path)).resolve().relative_to(corpus.resolve())
    except (ValueError, OSError):
        return None


def _is_web(value: str | None) -> bool:
    return bool(value) and value.lower().startswith(("http://", "https://"))  # type: ignore[union-attr]


def _when(iso: str | None) -> str | None:
    if not iso:
        return None
    try:
        when = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (when.astimezone(dt.UTC) if when.tzinfo else when).strftime("%Y-%m-%d %H:%M UTC")


def _file_time(path: Path) -> str | None:
    try:
        return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    except OSError:
        return None


@st.cache_data(max_entries=4, show_spinner=False)
def _cached_origins(corpus_dir: str, generation: int, _articles) -> dict[str, Origin]:  # noqa: ARG001 (cache keys)
    return article_origins(_articles, corpus_dir)


def origin_line(origin: Origin) -> str:
    """ "Came from https://… via https://…/rss.xml · added 2026-12-01 10:15 UTC", with only what is known."""
    line = f"Came from {origin.came_from}" + (f" via {origin.via}" if origin.via else "")
    if origin.added:
        line += f" · added {origin.added}"
    if origin.updated:
        line += f" · updated {origin.updated}"
    return line


SWITCH_TO_CHAT = "switch_to_chat"


def ask_about_article(doc_id: str) -> None:
    """A callback: scope the chat to one article and go to the chat page (app.py switches)."""
    st.session_state["doc_ids"] = [doc_id]
    st.session_state[SWITCH_TO_CHAT] = True


def show_corpus(choices: Choices, news_index, index_error: str | None) -> None:
    st.title("Corpus", anchor=False)
    if news_index is None:
        offer_build(choices, index_error)
        return
    articles = sorted(news_index.articles.values(), key=lambda a: (a.date or "", a.doc_id), reverse=True)
    origins = _cached_origins(str(choices.settings.index.corpus_dir), news_index.generation, articles)
    st.caption(render.escape_markdown(render.corpus_summary(articles)))
    query = st.text_input("Search", key="corpus_query", placeholder="words in the title, outlet, date, origin or text")
    found = [
        a
        for a in articles
        if render.matches(
            query,
            a.title,
            a.source,
            a.date,
            a.byline,
            a.text,
            a.doc_id,
            origins[a.doc_id].came_from,
            origins[a.doc_id].via,
        )
    ]
    st.caption(f"{len(found):,} of {len(articles):,} articles")
    if not found:
        return
    titles = {a.doc_id: render.display_title(a.title, a.text, a.doc_id) for a in found}
    rows = [
        {
            "title": titles[a.doc_id],
            "outlet": a.source or "",
            "date": a.date or "",
            "came from": origins[a.doc_id].came_from,
            "added": origins[a.doc_id].added or "",
            "updated": origins[a.doc_id].updated or "",
            "words": len(a.text.split()),
            "id": a.doc_id,
        }
        for a in found
    ]
    for column in ("added", "updated"):  # a column nobody has a value for says nothing
        if not any(row[column] for row in rows):
            for row in rows:
                del row[column]
    st.dataframe(rows, hide_index=True, width="stretch")
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
        origin = origins.get(doc_id) or Origin(CORPUS_FOLDER)
        st.caption(render.escape_markdown(origin_line(origin)))
        if article.url and mask_urls(article.url) != origin.came_from:
            st.caption(render.escape_markdown(mask_urls(article.url)))
        st.button(
            "Ask about this article",
            key=f"ask_about_{doc_id}",
            icon=":material/chat:",
            on_click=ask_about_article,
            args=(doc_id,),
            help="Open the chat with its questions limited to this article (clear the filter there to search all)",
        )
        st.markdown(render.escape_markdown(article.text))
