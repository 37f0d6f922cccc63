"""Where each article came from and when it arrived, as the Corpus page shows it: only what is known."""

from __future__ import annotations

import json
import os

from index.load import load_corpus
from ui.corpus_page import Origin, article_origins, origin_line

TEXT = "The council opened three new bus lines on Monday, the transport office said.\n"


def _record(**fields) -> str:
    return json.dumps({"id": fields.pop("id"), "text": TEXT, **fields}) + "\n"


def test_each_kind_of_article_says_where_it_came_from(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "web" / "example.org").mkdir(parents=True)
    (corpus / "web" / "local").mkdir(parents=True)
    (corpus / "added").mkdir()
    (corpus / "web" / "example.org" / "fed.jsonl").write_text(
        _record(
            id="fed",
            url="https://example.org/news/bus-lines",
            fetched_url="https://example.org/news/bus-lines?x=1",
            via="https://example.org/rss.xml",
            added_at="2026-12-01T10:15:30Z",
            updated_at="2026-12-01T10:15:59Z",  # changed within the same minute: still an update
        )
    )
    (corpus / "web" / "example.org" / "page.jsonl").write_text(
        _record(
            id="page",
            url="https://example.org/news/page",
            fetched_url="https://example.org/news/page",
            added_at="2026-12-02T08:00:00Z",
            updated_at="2026-12-02T08:00:00Z",
        )
    )
    (corpus / "web" / "local" / "saved.jsonl").write_text(
        _record(id="saved", via="/tmp/newsdesk-upload-x/saved page.html", added_at="2026-12-03T09:30:00Z")
    )
    (corpus / "web" / "example.org" / "private.jsonl").write_text(
        _record(
            id="private",
            url="https://reader:s3cret@example.org/members/story",
            fetched_url="https://reader:s3cret@example.org/members/story",
            via="https://reader:s3cret@example.org/members/rss.xml",
        )
    )
    (corpus / "added" / "notes.txt").write_text(TEXT)
    os.utime(corpus / "added" / "notes.txt", (1_764_000_000, 1_764_000_000))  # 2025-11-24 16:00 UTC
    (corpus / "by-hand.txt").write_text(TEXT)
    articles = load_corpus(corpus).articles
    origins = article_origins(articles, corpus)

    assert origins["fed"] == Origin(
        "https://example.org/news/bus-lines",
        via="https://example.org/rss.xml",
        added="2026-12-01 10:15 UTC",
        updated="2026-12-01 10:15 UTC",
    )
    assert origins["page"] == Origin("https://example.org/news/page", added="2026-12-02 08:00 UTC")
    assert origins["saved"] == Origin("added file saved page.html", added="2026-12-03 09:30 UTC")
    assert origins["notes"] == Origin("added file notes.txt", added="2025-11-24 16:00 UTC")
    assert origins["by-hand"] == Origin("corpus folder")  # no time made up
    assert origins["private"] == Origin(
        "https://***@example.org/members/story", via="https://***@example.org/members/rss.xml"
    )  # a password in a feed's address is never shown

    assert origin_line(origins["fed"]) == (
        "Came from https://example.org/news/bus-lines via https://example.org/rss.xml"
        " · added 2026-12-01 10:15 UTC · updated 2026-12-01 10:15 UTC"
    )
    assert origin_line(origins["by-hand"]) == "Came from corpus folder"


def test_an_index_built_from_a_relative_corpus_path_still_finds_its_added_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "corpus" / "added").mkdir(parents=True)
    (tmp_path / "corpus" / "added" / "notes.md").write_text(TEXT)
    articles = load_corpus("corpus").articles
    assert article_origins(articles, "corpus")["notes"].came_from == "added file notes.md"
