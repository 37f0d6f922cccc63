"""The command lines against hostile input: partial dates, --k 0, invisible questions, and article text or
file names that carry terminal escape sequences or URL passwords."""

from __future__ import annotations

import json
import re
import shutil

import pytest

import index
import rag
from eval.__main__ import main as eval_main
from index.__main__ import main as index_main
from index.load import normalize_date_bound
from newsdesk.errors import QuestionError
from newsdesk.safetext import clean_question_text, mask_url, mask_urls, terminal_text, without_bidi_controls
from rag.__main__ import main as rag_main
from tests.conftest import SEED_CORPUS, make_settings

TROOPS = "How many troops has North Korea sent to Russia?"
# What a terminal acts on: ESC, C1 controls (8-bit CSI/OSC), DEL, BEL, CR, backspace, bidi controls.
_ACTIVE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def seed_index(tmp_path):
    """The seed corpus under the fake embedder, at the store the CLI reads (NEWSDESK_INDEX__STORE_DIR)."""
    settings = make_settings(tmp_path)
    index.build(settings=settings)
    return settings


# --- dates and --k --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, since, until",
    [
        ("2025", "2025-01-01", "2025-12-31"),
        ("2025-02", "2025-02-01", "2025-02-28"),
        ("2024-02", "2024-02-01", "2024-02-29"),
        ("March 2025", "2025-03-01", "2025-03-31"),
        ("2025-09-02", "2025-09-02", "2025-09-02"),
        ("2 September 2025", "2025-09-02", "2025-09-02"),
        ("March 5", None, None),  # no year: which one would be a guess
        ("soon", None, None),
    ],
)
def test_a_partial_date_is_the_start_of_its_period_for_since_and_its_end_for_until(value, since, until):
    """--since 2025 became 2025-12-01: the missing month and day were taken from today."""
    assert normalize_date_bound(value) == since
    assert normalize_date_bound(value, end=True) == until


def test_since_a_year_keeps_that_years_articles(seed_index, capsys):
    assert rag_main(["ask", TROOPS, "--since", "2025", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert not answer["refused"] and "15,000" in answer["text"]
    # --until 2024-05 ends on 31 May, so the visit of 16 May 2024 is in (the 1st, or today's day, left it out).
    question = "Which Chinese state outlet did Putin give an interview to about the strategic partnership?"
    assert rag_main(["ask", question, "--until", "2024-05", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert not answer["refused"] and {c["doc_id"] for c in answer["citations"]} == {"003_9b0c19500f436efb"}


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--k", "0"], "error: --k 0: the number of passages must be 1 or more"),
        (["--k", "-2"], "error: --k -2: the number of passages must be 1 or more"),
        (["--since", "soon"], "error: --since 'soon' is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)"),
        (["--since", "2025", "--until", "2024"], "error: --since 2025-01-01 is after --until 2024-12-31"),
    ],
)
def test_bad_k_and_dates_are_one_line_errors(seed_index, capsys, argv, message):
    assert rag_main(["ask", TROOPS, *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1


# --- invisible questions ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "\u200b\u200b\u200b",  # zero-width spaces
        "\u200d\u200c\u2060\ufeff",  # joiners, word joiner, BOM
        "\u202e\u2066\u2069\u200e",  # bidi controls and a mark
        "\U000e0048\U000e0069",  # tag characters ("ASCII smuggling")
        "\u3164 \u115f\u00ad",  # Hangul fillers, soft hyphen
        " \u200b\t\u2028\x1b ",
    ],
)
def test_a_question_of_invisible_characters_is_empty(question):
    with pytest.raises(QuestionError, match="the question is empty"):
        rag.clean_question(question, 2000)


def test_invisible_characters_inside_a_question_are_dropped_and_real_joiners_kept():
    assert rag.clean_question("How\u200b many \u202etroops\u202c?\ufeff", 2000) == "How many troops?"
    assert clean_question_text("می\u200cخواهم") == "می\u200cخواهم"  # Persian needs its ZWNJ
    assert clean_question_text("👩\u200d💻 news") == "👩\u200d💻 news"  # one emoji, joined


# --- terminal escapes and URL passwords in what the command lines print -------------------------------------------

PLANTED = (
    "North Korea has sent \x1b[2J\x1b[H15,000 troops\x1b]0;owned\x07 to Russia, officials in Seoul said"
    "\x1b]52;c;cm0gLXJmIH4=\x1b\\ on Monday.\x9b31m The deployment\u202e was confirmed\u202c by both sides.\r\n"
)


def test_rag_ask_prints_article_text_without_escape_sequences(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()  # the planted article alone: whatever the answer quotes comes from it
    (corpus / "planted.txt").write_text(PLANTED, encoding="utf-8")
    index.build(settings=make_settings(tmp_path, corpus=corpus))
    assert rag_main(["ask", TROOPS, "--k", "10"]) == 0
    out = capsys.readouterr().out
    assert "15,000 troops to Russia, officials in Seoul said" in out  # the planted passage, shown inert
    assert not _ACTIVE.search(out), repr(_ACTIVE.findall(out))
    assert rag_main(["ask", TROOPS, "--k", "10", "--json"]) == 0
    raw = capsys.readouterr().out
    assert not _ACTIVE.search(raw)
    answer = json.loads(raw)  # JSON keeps the text whole, only escaped
    planted = [c for c in answer["citations"] + answer["related"] if c["doc_id"] == "planted"]
    stored = without_bidi_controls(PLANTED)[0]  # the loader removes those; escape sequences stay in the article
    assert planted and all(c["quote"] in stored for c in planted) and any("\x1b]52;" in c["quote"] for c in planted)


def test_index_cli_prints_file_names_without_escape_sequences(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    (corpus / "evil\x1b]0;owned\x07\x1b[31m.txt").write_text("  \n", encoding="utf-8")  # empty: a warning
    assert index_main(["build", "--corpus", str(corpus), "--embedder", "fake"]) == 0
    printed = capsys.readouterr()
    assert "empty file" in printed.err and not _ACTIVE.search(printed.err + printed.out)


def test_eval_compare_prints_questions_without_escape_sequences(tmp_path, capsys):
    rows = [{"id": "q1", "type": "single", "question": "Who\x1b]0;owned\x07 won\x1b[2J?", "status": "ok"}]
    for name, correct in (("a", True), ("b", False)):
        (tmp_path / name).mkdir()
        report = {"metrics": {}, "n_cases": 1, "n_errors": 0, "rows": [rows[0] | {"correct": correct}]}
        (tmp_path / name / "report.json").write_text(json.dumps(report), encoding="utf-8")
    assert eval_main(["compare", str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    assert "q1 [single] correct -> wrong: Who won?" in out and not _ACTIVE.search(out)


@pytest.mark.parametrize(
    "text, shown",
    [
        ("a\x1b[2Jb", "ab"),  # CSI: clear screen
        ("a\x1b]0;title\x07b", "ab"),  # OSC: window title, BEL-terminated
        ("a\x1b]52;c;ZXZpbA==\x1b\\b", "ab"),  # OSC 52: clipboard write, ST-terminated
        ("a\x1bPq#0;2;0;0;0\x1b\\b", "ab"),  # DCS (sixel)
        ("a\x1bcb", "ab"),  # RIS: reset the terminal
        ("a\x9b31mb\x9d0;t\x9cc", "abc"),  # 8-bit CSI and OSC
        ("a\x1b]0;no end b", "a0;no end b"),  # unterminated: the introducer goes, the text stays, inert
        ("line\r\nnext\tcol\x08\x7f", "line\nnext\tcol"),
        ("ab\u202ecd\u2066ef", "abcdef"),
        ("see http://u:pw@h:1/v1 and https://tok@x.example/a", "see http://***@h:1/v1 and https://***@x.example/a"),
    ],
)
def test_terminal_text_removes_every_kind_of_control_sequence(text, shown):
    assert terminal_text(text) == shown


def test_mask_url_hides_user_info_only():
    assert mask_url("http://user:pw@127.0.0.1:8080/v1") == "http://***@127.0.0.1:8080/v1"
    assert mask_url("http://a@b:c@host/v1") == "http://***@host/v1"  # the last "@" ends the user-info
    assert mask_url("http://127.0.0.1:8080/v1") == "http://127.0.0.1:8080/v1"
    assert mask_url(None) is None
    assert mask_urls("mail me@x.example, path http://h/p@q") == "mail me@x.example, path http://h/p@q"


def test_index_add_prints_names_without_escape_sequences(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    outside = tmp_path / "incoming"
    outside.mkdir()
    (outside / "evil\x1b]0;owned\x07\x9b2J.txt").write_text(PLANTED, encoding="utf-8")
    code = index_main(["add", str(outside), "--corpus", str(corpus), "--embedder", "fake", "--no-build"])
    printed = capsys.readouterr()
    assert code == 0 and "new: evil0;owned" not in printed.out and "new: evil" in printed.out
    assert not _ACTIVE.search(printed.out + printed.err), repr(printed.out + printed.err)
