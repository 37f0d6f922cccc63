"""The app's Add articles page, Corpus origins and the chat's new-articles note, run with AppTest.

A writable copy of the seed corpus is indexed with the real MiniLM embedder; URLs are served by a
local HTTP server on 127.0.0.1 (tests/web_site.py). The pages run in one session through a small
script that routes like ui/app.py's navigation (AppTest cannot switch to a function page), and
one test runs ui/app.py itself to see the page is in the navigation.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import index
from tests.conftest import ROOT, make_settings
from tests.web_site import NewsSite, article_html
from ui import render
from ui.add_page import ADDING_OFF, AddJob, Upload

TIMEOUT = 120
TROOPS = "How many troops has North Korea sent to Russia?"

BRIDGE_TXT = (
    b"Portwen harbour bridge reopens after repairs\n\n"
    b"The Portwen harbour bridge reopened to traffic on Monday after 14 months of repairs, the city's transport "
    b"office said.\n\nThe repairs of the Portwen harbour bridge cost 38 million euros, more than twice the first "
    b"estimate, because corrosion in the steel deck was worse than inspectors had expected.\n\n"
    b"Ferries that carried commuters during the closure will stop running at the end of the month.\n"
)
MUSEUM_HTML = article_html(
    "Glacier museum in Trevik draws crowds",
    [
        "The glacier museum in Trevik welcomed 12,400 visitors in its first week, its director said on Sunday.",
        "The museum, built into the side of the valley, shows how far the Trevik glacier has retreated since 1900.",
        "Tickets for the coming weekend are already sold out, according to the regional tourism board.",
    ],
    date="2025-03-04",
).encode()
BRIDGE_Q = "How much did the repairs of the Portwen harbour bridge cost?"
MUSEUM_Q = "How many visitors did the glacier museum in Trevik have in its first week?"

PAGES_SCRIPT = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
import streamlit as st
from newsdesk.errors import NewsdeskError
from newsdesk.settings import load_settings
from rag import Filters
from ui import resources
from ui.add_page import show_add
from ui.chat_page import show_chat
from ui.corpus_page import show_corpus
from ui.sidebar import Choices
settings = load_settings()
news_index, index_error = None, None
try:
    news_index = resources.open_news_index(settings)
except NewsdeskError as exc:
    index_error = str(exc)
pages = {{"chat": show_chat, "corpus": show_corpus, "add": show_add}}
pages[st.session_state.setdefault("page", "chat")](Choices(settings, Filters()), news_index, index_error)
"""


@pytest.fixture
def corpus(seed_copy, tmp_path, monkeypatch) -> Path:
    """The seed corpus (writable) indexed with MiniLM; the app pointed at it."""
    settings = make_settings(tmp_path, embedder="minilm-onnx", corpus=seed_copy)
    index.build(settings=settings)
    monkeypatch.setenv("NEWSDESK_INDEX__CORPUS_DIR", str(seed_copy))
    monkeypatch.setenv("NEWSDESK_INDEX__STORE_DIR", str(settings.index.store_dir))
    monkeypatch.setenv("NEWSDESK_INDEX__EMBEDDER", "minilm-onnx")
    monkeypatch.setenv("NEWSDESK_WEB__DELAY_S", "0")
    monkeypatch.setenv("NEWSDESK_WEB__ALLOW_PRIVATE_ADDRESSES", "true")  # the site is on 127.0.0.1
    return seed_copy


def start(page: str = "chat") -> AppTest:
    at = AppTest.from_string(PAGES_SCRIPT, default_timeout=TIMEOUT)
    at.session_state["page"] = page
    return checked(at.run())


def checked(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    return at


def go(at: AppTest, page: str) -> AppTest:
    at.session_state["page"] = page
    return checked(at.run())


def add(at: AppTest, files: list[tuple[str, bytes]] = (), addresses: str = "") -> AppTest:
    """On the Add page: choose the files, type the addresses, press Add articles."""
    uploader = at.file_uploader[0]
    if files:
        uploader.set_value([(name, data, "application/octet-stream") for name, data in files])
    at.text_area(key="add_addresses").set_value(addresses)
    at.button(key="add_run").click()
    return checked(at.run())


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input(key="question").set_value(question)
    return checked(at.run())


def last_answer(at: AppTest):
    message = at.session_state["messages"][-1]
    assert message["role"] == "assistant" and "answer" in message, message
    return message["answer"]


def texts(elements) -> list[str]:
    return [render.visible_text(e.value) for e in elements]


def corpus_rows(at: AppTest) -> dict[str, dict]:
    table = at.dataframe[0].value
    return {row["id"]: row for row in table.to_dict("records")}


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def test_two_uploaded_files_show_on_the_corpus_page_and_the_chat_answers_from_them(corpus, tmp_path):
    before = files_under(tmp_path)
    at = add(start("add"), files=[("Portwen bridge.txt", BRIDGE_TXT), ("trevik-museum.html", MUSEUM_HTML)])
    assert texts(at.success) == ["Added: 2 new, 0 updated, 0 unchanged, 0 failed"]
    assert not at.error
    assert any("Index: 7 articles" in c for c in texts(at.caption))
    assert at.file_uploader[0].value == []  # a fresh uploader for the next add

    written = files_under(tmp_path) - before
    saved = {p.relative_to(corpus).as_posix() for p in written if corpus in p.parents}
    assert "added/Portwen-bridge.txt" in saved and any(s.startswith("web/local/") for s in saved)
    assert (corpus / "added" / "Portwen-bridge.txt").read_bytes() == BRIDGE_TXT

    at = go(at, "corpus")
    assert "7 of 7 articles" in texts(at.caption)
    rows = corpus_rows(at)
    assert rows["Portwen-bridge"]["came from"] == "added file Portwen-bridge.txt"
    museum = next(r for r in rows.values() if r["came from"] == "added file trevik-museum.html")
    assert museum["added"].endswith(" UTC") and rows["Portwen-bridge"]["added"].endswith(" UTC")
    seed = [r for r in rows.values() if r["came from"] == "corpus folder"]
    assert len(seed) == 5 and all(r["added"] == "" for r in seed)  # nothing made up for files put there by hand
    assert "updated" not in rows["Portwen-bridge"]  # no article was updated: no column of blanks

    at = go(at, "chat")
    for question, fact, doc_id in [
        (BRIDGE_Q, "38 million euros", "Portwen-bridge"),
        (MUSEUM_Q, "12,400", museum["id"]),
    ]:
        answer = last_answer(ask(at, question))
        assert not answer.refused, question
        assert fact in answer.text
        cited = [c for c in answer.citations if fact in c.quote]
        assert cited and cited[0].doc_id == doc_id
        article = index.open_store(make_settings(tmp_path, embedder="minilm-onnx", corpus=corpus)).all_articles()
        text = next(a.text for a in article if a.doc_id == doc_id)
        assert text[cited[0].start : cited[0].end] == cited[0].quote


def test_a_bad_url_and_a_non_http_address_get_one_line_each_and_lose_nothing(corpus):
    with NewsSite() as site:
        site.page("/news/bridge.html", "Portwen harbour bridge reopens", BRIDGE_TXT.decode().split("\n\n")[1:])
        good = site.url("/news/bridge.html")
        missing = site.url("/news/gone.html").replace("http://", "http://reader:s3cret@")
        addresses = f"{good}\n{missing}\n\nftp://example.org/rss.xml\n"
        at = add(start("add"), files=[("trevik.html", MUSEUM_HTML)], addresses=addresses)
    assert texts(at.warning) == ["Added: 2 new, 0 updated, 0 unchanged, 2 failed"]
    errors = texts(at.error)
    assert len(errors) == 2
    assert errors[0].startswith("ftp://example.org/rss.xml: not an http(s) URL")
    assert (
        errors[1].startswith(f"{site.url('/news/gone.html').replace('http://', 'http://***@')}: ")
        and "404" in errors[1]
    )
    assert all("\n" not in e for e in errors)
    # The two failed addresses stay in the box to be fixed; the good page and the upload were added.
    assert at.text_area(key="add_addresses").value == f"ftp://example.org/rss.xml\n{missing}"
    at = go(at, "corpus")
    came_from = {r["came from"] for r in corpus_rows(at).values()}
    assert good in came_from and "added file trevik.html" in came_from
    assert "7 of 7 articles" in texts(at.caption)


def test_uploads_are_written_only_into_the_corpus_under_safe_names_and_never_over_another_article(
    corpus, tmp_path, monkeypatch
):
    monkeypatch.setenv("NEWSDESK_INDEX__MAX_ARTICLE_BYTES", "6000")  # the seed's largest file is 5.6 kB
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # where the uploads wait for `add`
    (tmp_path / "tmp").mkdir()
    seed_file = corpus / "000_d5ae959b64b4b853.txt"
    seed_bytes = seed_file.read_bytes()
    before = files_under(tmp_path.parent)
    at = add(
        start("add"),
        files=[
            ("../../escaped.txt", BRIDGE_TXT),
            ("..\\..\\escaped.txt", b"another text with the same safe name\n"),
            ("000_d5ae959b64b4b853.txt", b"Not the seed article.\n"),
            ("huge.txt", b"word " * 2000),
            (".hidden.md", b"A note that would be skipped as a hidden file.\n"),
        ],
    )
    errors = texts(at.error)
    assert len(errors) == 3, errors
    assert "..\\..\\escaped.txt: another upload is also named escaped.txt; rename one" in errors
    assert "huge.txt: 10.0 kB, over the 6.0 kB limit (index.max_article_bytes)" in errors
    assert any(e.startswith("000_d5ae959b64b4b853.txt: doc id '000_d5ae959b64b4b853' is already used") for e in errors)
    assert texts(at.warning) == ["Added: 2 new, 0 updated, 0 unchanged, 3 failed"]
    assert seed_file.read_bytes() == seed_bytes
    assert (corpus / "added" / "escaped.txt").read_bytes() == BRIDGE_TXT
    assert (corpus / "added" / "hidden.md").is_file()
    store = tmp_path / "store"
    new_files = files_under(tmp_path.parent) - before
    assert new_files and all(corpus in p.parents or store in p.parents for p in new_files), new_files
    assert not any((tmp_path / "tmp").iterdir())  # the uploads' waiting room is cleared


def test_the_chat_says_once_per_change_how_many_articles_arrived_since_it_began(corpus):
    at = ask(start("chat"), TROOPS)
    assert not at.info  # nothing new yet
    at = add(go(at, "add"), files=[("bridge.txt", BRIDGE_TXT)])
    at = go(at, "chat")
    assert texts(at.info) == ["1 new article since this conversation began"]
    at = checked(at.run())
    assert texts(at.info) == ["1 new article since this conversation began"]  # still there until the next question
    answer = last_answer(ask(at, BRIDGE_Q))  # answered from the index with the new article
    assert "38 million euros" in answer.text
    at = checked(at.run())
    assert not at.info  # said once: not again for the same change

    at = add(go(at, "add"), files=[("trevik.html", MUSEUM_HTML), ("b.md", b"The ferry to Trevik runs daily.\n")])
    at = go(at, "chat")
    assert texts(at.info) == ["3 new articles since this conversation began"]

    at.session_state["messages"] = []  # New chat: a new conversation, nothing to announce
    at = checked(at.run())
    assert not at.info


def test_progress_is_reported_per_source_per_page_and_per_embedding_batch(tmp_path, seed_copy):
    settings = make_settings(
        tmp_path, embedder="fake", corpus=seed_copy, web={"delay_s": 0, "allow_private_addresses": True}
    )
    index.build(settings=settings)
    with NewsSite() as site:
        links = []
        for i in range(3):
            paragraphs = [f"Story number {i} from the council: {i * 7} new bus lines open on Monday across the city."]
            paragraphs += [
                "The council said the lines were planned after a survey of more than two thousand riders."
            ] * 2
            site.page(f"/news/{i}.html", f"Story {i}", paragraphs)
            links.append({"title": f"Story {i}", "link": site.url(f"/news/{i}.html")})
        site.feed("/feed.xml", links)
        job = AddJob(settings, {"bridge.txt": Upload("bridge.txt", BRIDGE_TXT)}, [site.url("/feed.xml")])
        job.run()
    updates = []
    while not job.updates.empty():
        updates.append(job.updates.get_nowait())
    shares = [share for share, _ in updates]
    assert shares == sorted(shares) and shares[-1] == 1.0
    said = [text for _, text in updates]
    assert "Source 1 of 2: bridge.txt" in said
    assert "Source 1 of 2: bridge.txt — 1 file saved or failed" in said
    assert f"Source 2 of 2: {site.url('/feed.xml')} — 3 pages saved or failed" in said
    assert any(text.startswith("Reading the articles:") for text in said)
    assert job.outcome.summary == "Added: 4 new, 0 updated, 0 unchanged, 0 failed", job.outcome.failures
    assert job.index_changed


def test_the_app_navigation_has_the_add_page(corpus):
    from streamlit.util import calc_hash

    at = checked(AppTest.from_file(str(ROOT / "ui" / "app.py"), default_timeout=TIMEOUT).run())
    at._page_hash = calc_hash("add")  # AppTest.switch_page() only knows file pages; ours are functions
    at = checked(at.run())
    assert [t.value for t in at.title] == ["Add articles"]
    assert at.button(key="add_run").label == "Add articles"


@pytest.mark.parametrize("allowed", [True, False])
def test_a_shared_deployment_turns_the_add_page_off(tmp_path, monkeypatch, allowed):
    """ui.allow_adding=false: the page is not in the navigation, and the page itself refuses to add."""
    from streamlit.util import calc_hash

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    monkeypatch.setenv("NEWSDESK_INDEX__CORPUS_DIR", str(corpus))
    monkeypatch.setenv("NEWSDESK_INDEX__EMBEDDER", "fake")
    if not allowed:
        monkeypatch.setenv("NEWSDESK_UI__ALLOW_ADDING", "false")

    at = checked(AppTest.from_file(str(ROOT / "ui" / "app.py"), default_timeout=TIMEOUT).run())
    at._page_hash = calc_hash("add")  # as a bookmarked /add address would
    at = checked(at.run())
    assert ("Add articles" in [t.value for t in at.title]) is allowed
    assert bool([b for b in at.button if b.key == "add_run"]) is allowed

    at = start("add")  # the page drawn directly (as a stale session or a script would)
    if allowed:
        assert at.button(key="add_run").label == "Add articles" and at.file_uploader
    else:
        assert texts(at.error) == [ADDING_OFF]
        assert not at.file_uploader and not at.text_area and not [b for b in at.button if b.key == "add_run"]
    assert not any(corpus.iterdir())


@pytest.mark.parametrize("allowed", [True, False])
def test_a_shared_deployment_turns_the_rebuild_button_off(tmp_path, monkeypatch, allowed):
    """ui.allow_rebuild=false: no app user can start an indexing run from the sidebar."""
    from ui.sidebar import REBUILD_OFF

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    monkeypatch.setenv("NEWSDESK_INDEX__CORPUS_DIR", str(corpus))
    monkeypatch.setenv("NEWSDESK_INDEX__STORE_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("NEWSDESK_INDEX__EMBEDDER", "fake")
    if not allowed:
        monkeypatch.setenv("NEWSDESK_UI__ALLOW_REBUILD", "false")
    at = checked(AppTest.from_file(str(ROOT / "ui" / "app.py"), default_timeout=TIMEOUT).run())
    buttons = [b.key for b in at.sidebar.button] + [b.key for b in at.button]
    assert ("rebuild_sidebar" in buttons) is allowed
    assert ("build_main" in buttons) is False or allowed
    assert (REBUILD_OFF in [c.value for c in at.sidebar.caption]) is not allowed
