"""Loading a messy corpus folder: every bad file is skipped with one clear warning."""

from __future__ import annotations

import json
import os

import pytest

from index.load import load_corpus
from newsdesk.errors import CorpusError


def _ids(result):
    return [a.doc_id for a in result.articles]


def test_seed_corpus_loads_with_ids_from_file_stems(seed_copy):
    result = load_corpus(seed_copy)
    assert _ids(result) == sorted(p.stem for p in seed_copy.glob("*.txt"))
    assert result.warnings == []
    dw = next(a for a in result.articles if a.doc_id == "002_102502518f9dd0d1")
    assert (dw.date, dw.source) == ("2025-09-02", "DW")


def test_missing_and_empty_folders_are_errors(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match="no readable articles"):
        load_corpus(tmp_path / "empty")


def test_bad_files_are_skipped_with_one_line_warnings(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "good one ü.txt").write_text("A fine article about Putin. It has two sentences.", encoding="utf-8")
    (corpus / "empty.txt").write_text("   \n", encoding="utf-8")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    (corpus / "latin.txt").write_bytes("Caf\xe9 owners in M\xfcnchen said prices rose.".encode("latin-1"))
    (corpus / "big.txt").write_bytes(b"word " * 5000)
    secret = corpus / "locked.txt"
    secret.write_text("cannot read me", encoding="utf-8")
    secret.chmod(0)
    (corpus / "loop.txt").symlink_to(corpus / "loop.txt")
    (corpus / "dirloop").symlink_to(corpus, target_is_directory=True)
    (corpus / "notes.csv").write_text("ignored,file\n", encoding="utf-8")
    result = load_corpus(corpus, max_bytes=10_000)
    ids = _ids(result)
    assert "good one ü" in ids and "latin" in ids
    latin = next(a for a in result.articles if a.doc_id == "latin")
    assert "Café" in latin.text and "München" in latin.text
    text = "\n".join(result.warnings)
    assert "empty.txt: empty file" in text
    assert "binary.txt: looks like a binary file" in text
    assert "latin.txt: not UTF-8" in text
    assert "big.txt" in text and "limit" in text
    assert "loop.txt: cannot read" in text
    if os.geteuid() != 0:  # root reads anything
        assert "locked.txt: cannot read" in text
    assert all("\n" not in w for w in result.warnings)
    assert "dirloop" not in " ".join(ids)


def test_jsonl_articles_with_broken_lines_and_duplicates(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    rows = [
        {
            "id": "a1",
            "title": "T1",
            "date": "Feb 7, 2021",
            "source": "Wire",
            "url": "http://x/1",
            "text": "Alpha text here.",
        },
        "{not json",
        {"id": "a2", "title": "no text"},
        {"text": "no id"},
        {"id": "a1", "text": "duplicate id"},
        ["not", "an", "object"],
    ]
    (corpus / "feed.jsonl").write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows), encoding="utf-8"
    )
    result = load_corpus(corpus)
    assert _ids(result) == ["a1"]
    a1 = result.articles[0]
    assert (a1.title, a1.date, a1.source, a1.url) == ("T1", "2021-02-07", "Wire", "http://x/1")
    text = "\n".join(result.warnings)
    assert "feed.jsonl line 2: not valid JSON" in text
    assert "feed.jsonl line 3: missing or empty 'text'" in text
    assert "feed.jsonl line 4: missing 'id'" in text
    assert "duplicate doc id 'a1'" in text
    assert "line 6: not a JSON object" in text


def test_catalog_sidecar_overrides_metadata(tmp_path, seed_copy):
    (seed_copy / "catalog.csv").write_text(
        "doc_id,title,date,source\n003_9b0c19500f436efb,Putin in China,2024-05-16,ANI\nghost,x,2020-01-01,y\n"
        "000_d5ae959b64b4b853,,not a date,\n",
        encoding="utf-8",
    )
    result = load_corpus(seed_copy)
    art = next(a for a in result.articles if a.doc_id == "003_9b0c19500f436efb")
    assert (art.title, art.date, art.source) == ("Putin in China", "2024-05-16", "ANI")
    assert any("unknown doc id 'ghost'" in w for w in result.warnings)
    assert any("bad date 'not a date'" in w for w in result.warnings)


def test_an_article_that_is_all_boilerplate_is_skipped_with_a_warning(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "junk.txt").write_text(
        "1. Skip to content\n02:03\nThis browser does not support the video element.\n", encoding="utf-8"
    )
    (corpus / "feed.jsonl").write_text(
        '{"id": "j1", "text": "Skip next section More stories from DW"}\n'
        '{"id": "j2", "text": "A real sentence about the summit."}',
        encoding="utf-8",
    )
    result = load_corpus(corpus)
    assert [a.doc_id for a in result.articles] == ["j2"]
    assert "skipped junk: no article text left after cleaning" in result.warnings
    assert "skipped j1: no article text left after cleaning" in result.warnings
    assert result.articles[0].title == "A real sentence about the summit."


@pytest.mark.parametrize("end", [False, True])
def test_iso_dates_read_as_the_date_parser_reads_them(end):
    """Full ISO dates skip the parser (and every date is memoised): the same day, or None, as parsing gives."""
    from dateutil import parser as date_parser

    from index.load import normalize_date_bound

    days = [
        f"{y:04d}-{m:02d}-{d:02d}" for y in (999, 1904, 2024, 2025) for m in (1, 2, 12, 13) for d in (1, 28, 29, 30, 31)
    ]
    for text in days + [" 2024-02-29 ", "2024-2-29", "٢٠٢٤-٠٢-٢٩"]:
        try:
            expected = date_parser.parse(text.strip(), fuzzy=False).date().isoformat()
        except (ValueError, OverflowError):
            expected = None
        assert normalize_date_bound(text, end=end) == expected, text
        assert normalize_date_bound(text, end=end) == expected, text  # memoised, the same
