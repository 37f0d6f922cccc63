"""Property tests for the pure text work: cleaning, sentences, chunking."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from index.chunk import chunk_article
from index.clean import clean_article
from index.sentences import split_sentences
from newsdesk.text.overlap import has_word, related_word
from newsdesk.text.words import IRREGULAR_VERBS, same_word
from tests.conftest import SEED_CORPUS

_pieces = st.sampled_from(
    [
        "Putin met Xi in Beijing.",
        "Kim Jong Un arrived by train!",
        "Is this real?",
        "Mr. Smith went to the U.S. Army.",
        "“Dear friend,” he said.",
        "02:03",
        "This browser does not support the video element.",
        "1. Skip to content",
        "Skip next section More stories from DW",
        "Image: Getty Images/AP",
        "caption textImage: Reuters/dpa",
        " date 2025-09-02 Lead sentence here.",
        "September 2, 2025",
        "Edited by: Sean Sinico",
        "",
        "  ",
        "\n",
        "Ünïcödé téxt — with dashes.",
        "word " * 50,
        "No punctuation at all",
        "Numbers 1.5 and 2,000 stay.",
    ]
)
article_texts = st.lists(_pieces, max_size=25).map("\n".join) | st.text(max_size=400)


@settings(max_examples=300, deadline=None)
@given(article_texts)
def test_sentence_spans_are_valid_ordered_and_trimmed(text):
    spans = split_sentences(text)
    prev_end = 0
    for start, end in spans:
        assert 0 <= prev_end <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip()
        assert "\n" not in text[start:end]
        prev_end = end
    covered = set()
    for s, e in spans:
        covered.update(range(s, e))
    assert all(text[i].isspace() for i in range(len(text)) if i not in covered)  # nothing lost


@settings(max_examples=300, deadline=None)
@given(article_texts, st.integers(min_value=5, max_value=80), st.integers(min_value=0, max_value=3))
def test_chunks_point_into_the_original_and_cover_the_kept_text(text, budget, overlap):
    cleaned = clean_article(text)
    chunks = chunk_article("doc", cleaned, budget=budget, overlap=overlap)
    for chunk in chunks:
        assert 0 <= chunk.start < chunk.end <= len(text)
        assert text[chunk.start : chunk.end] == chunk.text  # the exact source span
        assert any(s.start <= chunk.start and chunk.end <= s.end for s in cleaned.kept)
    covered = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    for span in cleaned.kept:  # every kept non-space character is in some chunk
        assert all(i in covered or text[i].isspace() for i in range(span.start, span.end))
    assert chunks == chunk_article("doc", clean_article(text), budget=budget, overlap=overlap)  # deterministic
    assert [c.index for c in chunks] == list(range(len(chunks)))


@settings(max_examples=200, deadline=None)
@given(article_texts)
def test_cleaned_text_maps_back_to_the_original(text):
    cleaned = clean_article(text)
    body = cleaned.text
    for pos in range(0, len(body), 7):
        if body[pos] != "\n" or pos == 0:
            orig = cleaned.to_original(pos)
            assert text[orig] == body[pos]


def test_seed_boilerplate_is_removed_and_metadata_found():
    original = (SEED_CORPUS / "002_102502518f9dd0d1.txt").read_text(encoding="utf-8")
    cleaned = clean_article(original)
    body = cleaned.text
    for junk in (
        "Skip to content",
        "This browser does not support the video element",
        "02:03",
        "More stories from DW",
        "Image: Sergei Bobylev",
        "Edited by",
    ):
        assert junk not in body
    assert "Choe Son Hui" in body
    assert cleaned.metadata["date"] == "2025-09-02"
    assert cleaned.metadata["title"] == "Putin hails 'unprecedented' Russia-China ties"
    assert cleaned.metadata["outlet"] == "DW"
    assert cleaned.metadata["byline"].startswith("Karl Sexton | Felix Tamsut")


def test_leading_date_header_becomes_metadata_not_text():
    original = (SEED_CORPUS / "004_54ac3c588acb31a6.txt").read_text(encoding="utf-8")
    cleaned = clean_article(original)
    assert cleaned.metadata["date"] == "2025-09-03"
    assert not cleaned.text.startswith("date")
    assert cleaned.text.startswith("Before sitting down for the talks")


def test_sentence_splitter_respects_abbreviations_and_glued_quotes():
    text = "He met Mr. Smith in the U.S. Army. Then he left! sectors.”Putin also praised China. John F. Kennedy spoke."
    got = [text[s:e] for s, e in split_sentences(text)]
    assert got == [
        "He met Mr. Smith in the U.S. Army.",
        "Then he left! sectors.”",
        "Putin also praised China.",
        "John F. Kennedy spoke.",
    ]


_words = st.one_of(
    st.sampled_from(sorted(IRREGULAR_VERBS) + sorted(set(IRREGULAR_VERBS.values()))),
    st.sampled_from(sorted(set(IRREGULAR_VERBS.values()))).map(lambda v: v + "s"),
    st.sampled_from(["meeting", "taking", "winning", "giving", "sitting", "writing", "holding", "making"]),
    st.sampled_from(["directed", "director", "direction", "elected", "election", "producer", "produced", "visitor"]),
    st.text(alphabet="abcdeilnorstvy", min_size=1, max_size=11),
)


@given(word=_words, found=st.frozensets(_words, max_size=12))
@settings(max_examples=400, deadline=None)
def test_has_word_asks_only_the_words_that_can_match_and_agrees_with_asking_all(word, found):
    """``has_word`` skips words that cannot be inflections or derivations of ``word``: it must say what asking
    every one says."""
    assert has_word(found, word) == (word in found or any(related_word(word, w) for w in found))


@given(a=_words, b=_words)
@settings(max_examples=400, deadline=None)
def test_related_word_is_symmetric_and_holds_for_inflections(a, b):
    assert related_word(a, b) == related_word(b, a)
    if same_word(a, b):
        assert related_word(a, b)
