"""What the Add articles page accepts before anything is written: safe upload names, http(s) addresses only."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ui.add_page import Upload, check_uploads, parse_addresses, safe_upload_name


@pytest.mark.parametrize(
    "name, safe",
    [
        ("Portwen bridge.txt", "Portwen-bridge.txt"),
        ("../../etc/cron.d/evil.txt", "evil.txt"),
        ("..\\..\\evil.md", "evil.md"),
        (".hidden.md", "hidden.md"),  # the loader skips dot files: it would never be indexed
        ("/abs/path/wires.JSONL", "wires.jsonl"),
        ("résumé – day 1.html", "résumé-day-1.html"),
        ("a\x00b\nc.txt", "a-b-c.txt"),
        ("....txt", "upload.txt"),
        ("..", "upload"),
        ("notes", "notes"),
    ],
)
def test_upload_names_are_one_harmless_path_component(name, safe):
    assert safe_upload_name(name) == safe


@given(st.text(min_size=1, max_size=400))
def test_any_upload_name_stays_in_the_folder_it_is_written_to(name):
    safe = safe_upload_name(name)
    folder = Path("/corpus/added")
    assert safe and "/" not in safe and "\\" not in safe and "\x00" not in safe
    assert not safe.startswith((".", "-"))
    assert len(safe.encode("utf-8")) <= 255
    assert (folder / safe).parent == folder and safe not in (".", "..")


def test_only_http_and_https_addresses_are_taken_each_bad_entry_is_one_failure():
    text = (
        "https://example.org/rss.xml\n"
        "  http://example.org/world/story.html  \n"
        "\n"
        "ftp://example.org/feed.xml\n"
        "/etc/passwd file:///etc/passwd\n"  # never read as a path on the server
        "example.org/sitemap.xml\n"
        "https://example.org/rss.xml\n"  # the same address twice is fetched once
    )
    addresses, failures = parse_addresses(text)
    assert addresses == ["https://example.org/rss.xml", "http://example.org/world/story.html"]
    assert [f.source for f in failures] == [
        "ftp://example.org/feed.xml",
        "/etc/passwd",
        "file:///etc/passwd",
        "example.org/sitemap.xml",
    ]
    assert all("http" in f.reason and "\n" not in f.line() for f in failures)


def test_uploads_over_the_limit_of_another_type_or_named_twice_are_refused_before_writing():
    kept, refused = check_uploads(
        [
            Upload("a.txt", b"x" * 100),
            Upload("big.md", b"x" * 5000),
            Upload("photo.png", b"\x89PNG"),
            Upload("sub/a.txt", b"another a"),
        ],
        max_bytes=1000,
    )
    assert list(kept) == ["a.txt"]
    assert [f"{f.source}: {f.reason}" for f in refused] == [
        "big.md: 5.0 kB, over the 1.0 kB limit (index.max_article_bytes)",
        "photo.png: not a supported file (.txt, .md, .jsonl, .html, .htm)",
        "sub/a.txt: another upload is also named a.txt; rename one",
    ]
