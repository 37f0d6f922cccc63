"""Hostile corpora at load time: odd .jsonl metadata, bidi controls, links out of the corpus, dotfiles."""

from __future__ import annotations

import json
from pathlib import Path

import index
import rag
from index.load import load_corpus
from tests.conftest import ROOT, make_settings

TEXT = "North Korea sent 15,000 troops to Russia, officials in Seoul said. Kim met Putin in Beijing."


def _jsonl(folder: Path, rows: list) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "feed.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


# --- non-string metadata -------------------------------------------------------------------------------------


def test_jsonl_metadata_is_text_or_the_record_is_skipped_with_one_warning(tmp_path):
    corpus = tmp_path / "c"
    _jsonl(
        corpus,
        [
            {
                "id": "ok",
                "title": "Troops",
                "source": "DW",
                "date": "2025-09-02",
                "url": "https://x.example/a",
                "text": TEXT,
            },
            {"id": "int-title", "title": 42, "source": 7, "date": 2025, "url": 3.5, "text": TEXT},
            {"id": "url-pw", "url": "https://editor:hunter2@cms.example/a", "text": TEXT},
            {"id": "list-title", "title": ["a", "b"], "text": TEXT},
            {"id": "dict-source", "source": {"name": "DW"}, "text": TEXT},
            {"id": "bool-date", "date": True, "text": TEXT},
            {"id": "list-url", "url": ["https://x.example"], "text": TEXT},
            {"id": True, "text": TEXT},
            {"id": 7, "title": None, "text": TEXT},
        ],
    )
    result = load_corpus(corpus)
    by_id = {a.doc_id: a for a in result.articles}
    assert sorted(by_id) == ["7", "int-title", "ok", "url-pw"]
    assert by_id["url-pw"].url == "https://***@cms.example/a"
    coerced = by_id["int-title"]
    assert (coerced.title, coerced.source, coerced.date, coerced.url) == ("42", "7", "2025-01-01", "3.5")
    assert by_id["7"].title == "North Korea sent 15,000 troops to Russia, officials in Seoul said."  # derived
    for article in result.articles:
        assert all(v is None or isinstance(v, str) for v in (article.title, article.source, article.date, article.url))
    assert "skipped feed.jsonl line 4: 'title' is a list, not text" in result.warnings
    assert "skipped feed.jsonl line 5: 'source' is an object, not text" in result.warnings
    assert "skipped feed.jsonl line 6: 'date' is true/false, not text" in result.warnings
    assert "skipped feed.jsonl line 7: 'url' is a list, not text" in result.warnings
    assert any(w.startswith("skipped feed.jsonl line 8: missing 'id'") for w in result.warnings)
    assert len(result.warnings) == 5


def test_odd_metadata_builds_and_answers_citing_text_titles(tmp_path):
    """A list title crashed the build inside llama-index; an int title broke every answer citing it."""
    corpus = tmp_path / "c"
    _jsonl(
        corpus,
        [
            {"id": "n1", "title": 1234, "source": ["x"], "text": TEXT},
            {"id": "n2", "title": 1234, "source": 99, "date": 2025, "text": TEXT.replace("Seoul", "Tokyo")},
        ],
    )
    settings = make_settings(tmp_path, corpus=corpus)
    report = index.build(settings=settings)
    assert report.articles == 1 and any("'source' is a list" in w for w in report.warnings)
    answer = rag.answer("How many troops did North Korea send to Russia?", settings=settings)
    assert not answer.refused and answer.citations
    assert all(c.title == "1234" and c.source == "99" for c in answer.citations)


def test_the_chat_input_survives_an_unexpected_error_while_answering_or_rendering(monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    script = tmp_path / "chat_app.py"
    script.write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
        "from newsdesk.settings import load_settings\nfrom rag.retrieve import Filters\n"
        "from ui.chat_page import show_chat\nfrom ui.sidebar import Choices\n"
        "class EmptyIndex:\n    articles = {}\n"
        "show_chat(Choices(load_settings(), Filters()), EmptyIndex(), None)\n"
    )

    def broken_stream(*args, **kwargs):
        raise AttributeError("'int' object has no attribute 'strip'")
        yield  # a generator, as rag.answer_stream is

    monkeypatch.setattr(rag, "answer_stream", broken_stream)
    at = AppTest.from_file(str(script), default_timeout=60).run()
    at.chat_input(key="question").set_value("How many troops?").run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == ["Something went wrong (AttributeError); the details are in the server log."]
    assert at.chat_input(key="question") is not None
    # A stored answer that cannot be rendered (what an int title did) costs that answer, not the input box.
    at.session_state["messages"] = [{"role": "user", "content": "q"}, {"role": "assistant", "answer": object()}]
    at.run()
    assert not at.exception, at.exception
    assert len(at.error) == 1 and at.chat_input(key="question") is not None
    # A status line never shows a password from a URL (OPENAI_BASE_URL=http://user:pw@host).
    from newsdesk.errors import GeneratorUnavailable

    def unreachable(*args, **kwargs):
        raise GeneratorUnavailable("the LLM server at http://user:pw-SECRET@10.0.0.1:8080/v1 is unreachable")
        yield

    monkeypatch.setattr(rag, "answer_stream", unreachable)
    at.session_state["messages"] = []
    at.chat_input(key="question").set_value("How many troops?").run()
    from ui.render import visible_text

    shown = [visible_text(e.value) for e in at.error]
    assert len(shown) == 1 and "pw-SECRET" not in shown[0] and "http://***@10.0.0.1:8080/v1" in shown[0]


# --- bidi controls -------------------------------------------------------------------------------------------


BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_bidi_controls_are_removed_at_load_and_quotes_still_match(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    planted = (
        "North Korea sent \u202e000,51\u202c troops to Russia, officials said. "
        + "".join(f"Claim {c}number {i}\u2069 is here. " for i, c in enumerate(BIDI))
        + "Kim met Putin."
    )
    (corpus / "a.txt").write_text(planted, encoding="utf-8")
    _jsonl(corpus, [{"id": "j", "title": "Title \u202edesrever", "text": planted}])
    result = load_corpus(corpus)
    for article in result.articles:
        assert not any(ch in article.text for ch in BIDI)
        assert "sent 000,51 troops" in article.text and "Claim number 4 is here." in article.text
    assert next(a for a in result.articles if a.doc_id == "j").title == "Title desrever"
    assert sum("bidirectional control" in w for w in result.warnings) == 2  # one per article
    settings = make_settings(tmp_path, corpus=corpus)
    index.build(settings=settings)
    news = rag.open_index(settings)
    answer = rag.answer("How many troops did North Korea send to Russia?", settings=settings, news_index=news)
    for c in answer.citations:
        assert news.article(c.doc_id).text[c.start : c.end] == c.quote
        assert not any(ch in c.quote for ch in BIDI)


def test_marks_that_arabic_and_hebrew_text_needs_are_kept(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    text = "The minister said \u200fשלום\u200f and left. Officials confirmed the visit on Monday."
    (corpus / "a.txt").write_text(text, encoding="utf-8")
    result = load_corpus(corpus)
    assert result.articles[0].text == text and not result.warnings


# --- links out of the corpus and dotfiles ----------------------------------------------------------------------


def test_links_that_leave_the_corpus_are_not_followed_and_dotfiles_never_read(tmp_path):
    """A link to a .env holding OPENAI_API_KEY was indexed and quoted back as an answer."""
    secret = "sk-live-SECRET-0123456789"
    home = tmp_path / "home"
    home.mkdir()
    (home / ".env").write_text(f"OPENAI_API_KEY={secret}\nThe key is above. Keep it safe.\n", encoding="utf-8")
    (home / "outside.txt").write_text(f"Outside text with {secret}. It is not an article here.", encoding="utf-8")
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "good.txt").write_text(TEXT, encoding="utf-8")
    (corpus / "env.txt").symlink_to(home / ".env")
    (corpus / "outside.md").symlink_to(home / "outside.txt")
    (corpus / "feed.jsonl").symlink_to(home / "outside.txt")
    (corpus / "catalog.csv").symlink_to(home / ".env")
    (corpus / "elsewhere").symlink_to(home, target_is_directory=True)
    (corpus / ".hidden.txt").write_text(f"Hidden {secret}. Not for the index.", encoding="utf-8")
    (corpus / ".git").mkdir()
    (corpus / ".git" / "notes.txt").write_text(f"Notes {secret}. Not for the index.", encoding="utf-8")
    (corpus / "sub" / "copy.txt").symlink_to(corpus / "good.txt")  # inside the corpus: followed
    (corpus / "sub" / "to-hidden.txt").symlink_to(corpus / ".hidden.txt")
    result = load_corpus(corpus)
    assert sorted(a.doc_id for a in result.articles) == ["copy", "good"]
    assert not any(secret in a.text for a in result.articles)
    outside = [w for w in result.warnings if "outside the corpus" in w]
    assert sorted(w.split(":")[0] for w in outside) == [
        "skipped catalog.csv",
        "skipped elsewhere",
        "skipped env.txt",
        "skipped feed.jsonl",
        "skipped outside.md",
    ]
    assert "skipped sub/to-hidden.txt: a link to a hidden file (dotfiles are never read)" in result.warnings
    assert not any(secret in w for w in result.warnings)
