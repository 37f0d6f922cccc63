"""Main text and metadata from real news pages (labelled), and the decoding and rules around it.

The 27 pages in tests/data/web/pages come from the article-extraction-benchmark (MIT,
tests/data/web/SOURCES.md); their title and date were labelled by reading each page, and
the body's first and last sentences from the benchmark's ground truth. `pytest -s` prints
the accuracy table that README's figures come from.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from index.web.extract import NoArticleText, decode_html, extract_html_bytes, extract_page, headline
from tests.web_site import article_html, real_pages

PAGES = real_pages()


def _squash(text: str) -> str:
    """Compare text as a reader would: quote style, case and spacing ignored."""
    table = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " "})
    return re.sub(r"\s+", "", (text or "").translate(table)).casefold()


def _token_f1(extracted: str, truth: str) -> float:
    """Bag-of-words F1 of the extracted body against the benchmark's body (its own metric's idea)."""
    from collections import Counter

    got, want = Counter(extracted.split()), Counter(truth.split())
    common = sum((got & want).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def _score(label: dict) -> dict:
    page = extract_html_bytes(label["html"], label["url"])
    date_ok_1 = False
    if page.date:
        delta = abs(dt.date.fromisoformat(page.date) - dt.date.fromisoformat(label["date"]))
        date_ok_1 = delta.days <= 1
    return {
        "file": label["file"],
        "title": _squash(page.title) == _squash(label["title"]),
        "date": page.date == label["date"],
        "date_1": date_ok_1,
        "first": _squash(label["body_first"]) in _squash(page.text),
        "last": _squash(label["body_last"]) in _squash(page.text),
        "f1": _token_f1(page.text, label["body"]),
        "page": page,
    }


@pytest.fixture(scope="module")
def scores() -> list[dict]:
    return [_score(label) for label in PAGES]


def test_extraction_accuracy_on_labelled_real_news_pages(scores):
    n = len(scores)
    assert n >= 20
    total = {k: sum(s[k] for s in scores) for k in ("title", "date", "date_1", "first", "last")}
    mean_f1 = sum(s["f1"] for s in scores) / n
    print(f"\nextraction accuracy on {n} labelled real news pages (tests/data/web):")
    for name, label in [
        ("title", "title exact"),
        ("date", "date exact"),
        ("date_1", "date within 1 day"),
        ("first", "first sentence kept"),
        ("last", "last sentence kept"),
    ]:
        print(f"  {label:22s} {total[name]:2d}/{n} = {total[name] / n:.2f}")
    print(f"  {'body token F1 (mean)':22s} {mean_f1:.3f}")
    for s in scores:
        misses = [k for k in ("title", "date", "first", "last") if not s[k]]
        if misses:
            print(f"  {s['file']}: missed {', '.join(misses)}")
    # Floors under what was measured (title 26, date 24 exact / 26 within a day, first 25, last 27 of 27;
    # F1 0.969): a regression fails here.
    assert total["title"] >= 0.85 * n
    assert total["date_1"] >= 0.85 * n
    assert total["first"] >= 0.85 * n
    assert total["last"] >= 0.85 * n
    assert mean_f1 >= 0.85


def test_every_real_page_yields_metadata_for_the_corpus(scores):
    for s in scores:
        page = s["page"]
        assert page.text and page.outlet, s["file"]
        assert "\r" not in page.text
        assert page.encoding == "utf-8"


def test_extraction_is_deterministic():
    label = PAGES[0]
    assert extract_html_bytes(label["html"], label["url"]) == extract_html_bytes(label["html"], label["url"])


def test_boilerplate_around_the_article_is_left_out():
    html = article_html(
        "Harbour bridge closed after cracks found",
        [
            "The harbour bridge was closed on Monday after engineers found three cracks in its main span.",
            "Traffic was diverted through the old tunnel, and commuters reported long delays in the city centre.",
            "A council spokesperson said repairs would take at least two weeks and cost several million euros.",
        ],
        canonical="https://gazette.example/harbour-bridge",
    )
    page = extract_page(html, "https://gazette.example/harbour-bridge?utm_source=x")
    assert "three cracks" in page.text and "several million euros" in page.text
    for junk in ("Most read", "Celebrity chef", "All rights reserved", "Privacy", "Sport"):
        assert junk not in page.text
    assert page.title == "Harbour bridge closed after cracks found"
    assert page.date == "2025-03-04"
    assert page.author == "Ann Reporter"
    assert page.outlet == "Test Gazette"
    assert page.canonical_url == "https://gazette.example/harbour-bridge"


def test_an_amp_page_is_recognised_and_its_canonical_link_resolved():
    html = article_html("Bridge", ["word " * 40], canonical="/harbour-bridge", amp=True)
    page = extract_page(html, "https://gazette.example/amp/harbour-bridge")
    assert page.is_amp and page.canonical_url == "https://gazette.example/harbour-bridge"


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav><footer>(c) 2025</footer></body></html>",
        "<html><body><p>Subscribe to read.</p></body></html>",
        "<html><head><title>Video</title></head><body><video src='a.mp4'></video></body></html>",
        "",
        "   ",
    ],
)
def test_a_page_with_no_main_text_is_a_clear_error(html):
    with pytest.raises(NoArticleText, match="no article text|not an HTML page"):
        extract_page(html, "https://x.example/a")


class TestDecoding:
    TEXT = "Le café de la gare a rouvert ses portes à Zürich – « enfin », disent les habitués."

    def test_utf8_is_read_as_utf8_even_when_mislabelled_latin1(self):
        raw = f"<html><body><p>{self.TEXT}</p></body></html>".encode()
        text, encoding = decode_html(raw, header_charset="iso-8859-1")
        assert self.TEXT in text and encoding == "utf-8"

    def test_legacy_encoding_from_the_http_header(self):
        raw = f"<html><body><p>{self.TEXT}</p></body></html>".encode("cp1252")
        text, encoding = decode_html(raw, header_charset="windows-1252")
        assert self.TEXT in text and encoding == "cp1252"

    def test_legacy_encoding_from_meta_charset(self):
        raw = f'<html><head><meta charset="iso-8859-1"></head><body><p>{self.TEXT}</p></body></html>'
        text, _ = decode_html(raw.replace("–", "-").encode("latin-1"))
        assert self.TEXT.replace("–", "-") in text

    def test_undeclared_legacy_encoding_is_detected(self):
        cyrillic = "Правительство объявило о новых мерах поддержки экономики и малого бизнеса в регионах страны."
        raw = f"<html><body><p>{cyrillic * 3}</p></body></html>".encode("cp1251")
        text, _ = decode_html(raw)
        assert cyrillic in text

    def test_bom_wins(self):
        raw = "\ufeff<p>Grüße</p>".encode("utf-16")
        assert "Grüße" in decode_html(raw, header_charset="iso-8859-1")[0]


def test_headline_prefers_the_h1_the_page_title_confirms():
    titles = ["Opinion | Republicans Are Following Trump to Nowhere - The New York Times"]
    assert headline(["Site", "Republicans Are Following Trump to Nowhere"], titles, "x") == (
        "Republicans Are Following Trump to Nowhere"
    )
    # several h1s are confirmed (the site name too): the longest, the headline, wins
    assert headline(
        ["The Review", "Ad agencies divided on viral campaign"],
        ["Ad agencies divided on viral campaign | The Review"],
        None,
    ) == ("Ad agencies divided on viral campaign")
    # an h1 the title does not confirm (a section name, a teaser) is not taken
    assert headline(["Offices"], ["What is the value of drugs?"], "What is the value of drugs?") == (
        "What is the value of drugs?"
    )
