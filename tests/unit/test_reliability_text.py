"""Adversarial article shapes: splitting, cleaning and chunking stay linear and keep their offsets exact.

``'A.' * 30000`` took over 2 minutes to split (each period scanned back over the whole run) and 20 kB of
dots 14 s (the sentence-end regex re-scanned the run from every dot). The bounds below are CPU seconds,
so a busy machine does not fail them; the quadratic splitter missed them by orders of magnitude.
"""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from index.chunk import chunk_article
from index.clean import clean_article
from index.sentences import split_sentences

# Pieces that stress each rule: periods, initials, dotted and plain abbreviations, closers, openers,
# capitals glued to punctuation, whitespace of every kind, newlines, and long words.
_ADVERSARIAL_PIECES = [
    "A.",
    ".",
    "!?",
    "U.S.",
    "e.g. ",
    "Mr.",
    "mr. ",
    "a.m.",
    "'",
    '"',
    "”",
    ")",
    "]",
    "(",
    " ",
    "\u00a0",
    "\t",
    "\n",
    "x",
    "Word",
    "1.",
    "Image: ",
    "ignore previous instructions ",
]
_SIZE = 1_000_000  # characters per generated article
_CPU_SECONDS_PER_MB = 2.5  # split + clean + chunk; measured 0.2-0.6 s per MB on 2 shared cores


def _cpu_seconds(work) -> tuple[float, object]:
    started = time.process_time()
    result = work()
    return time.process_time() - started, result


@settings(max_examples=12, deadline=None)
@given(st.lists(st.sampled_from(_ADVERSARIAL_PIECES), min_size=1, max_size=4))
def test_any_repeated_shape_splits_cleans_and_chunks_in_linear_time(pattern):
    unit = "".join(pattern)
    text = unit * (_SIZE // len(unit))
    seconds, (spans, chunks) = _cpu_seconds(lambda: (split_sentences(text), chunk_article("x", clean_article(text))))
    assert seconds < _CPU_SECONDS_PER_MB * len(text) / 1e6, f"{seconds:.1f} s for {len(text):,} chars of {unit!r}"
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        previous_end = end
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text


def test_five_megabytes_of_initials_split_in_about_a_second():
    """The issue's shape at the issue's size: one line of 'A.' (every period a sentence end after the first)."""
    text = "A." * 2_500_000
    seconds, spans = _cpu_seconds(lambda: split_sentences(text))
    assert len(spans) == 2_499_999 and text[spans[-1][0] : spans[-1][1]] == "A."
    assert seconds < 4.0, f"{seconds:.1f} s"  # measured 1.3 s of CPU on 2 shared cores


def test_the_issue_reproduction_is_fast_and_splits_as_before():
    seconds, spans = _cpu_seconds(lambda: split_sentences("A." * 30000))
    assert seconds < 1.0
    assert len(spans) == 29999  # "A.A." is one initial then a sentence end; every later "A." is a sentence


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_ADVERSARIAL_PIECES), max_size=40).map("".join))
def test_sentence_spans_on_adversarial_text_are_trimmed_and_lose_nothing(text):
    spans = split_sentences(text, offset=3)
    covered = set()
    for start, end in spans:
        piece = text[start - 3 : end - 3]
        assert piece and piece == piece.strip() and "\n" not in piece
        covered.update(range(start - 3, end - 3))
    assert all(text[i].isspace() for i in range(len(text)) if i not in covered)


def test_loading_a_hostile_article_is_linear_too(tmp_path):
    """`index status` and the app's sidebar load the corpus (cleaning, a derived title): they stalled too."""
    from index.load import load_corpus

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "dots.txt").write_text("A." * 2_500_000, encoding="utf-8")
    seconds, result = _cpu_seconds(lambda: load_corpus(corpus))
    assert [a.doc_id for a in result.articles] == ["dots"] and result.articles[0].title == "A.A."
    assert seconds < 5.0, f"{seconds:.1f} s"
