"""How much two texts share, in key words: the one family of overlap measures.

All measures compare ``content_words`` (stopwords out, light stems), and treat
inflections as one word ('travel'/'traveled') through a 5-letter stem set; ``has_word``
also joins a verb to its doer and action nouns ('directed'/'director').
"""

from __future__ import annotations

import re
from functools import lru_cache

from newsdesk.text.words import IRREGULAR_BASES, content_words, irregular_verb_of, same_word

SAME_CLAIM = 0.6  # same_claim_overlap above which two sentences state the same thing


@lru_cache(maxsize=20_000)
def key_words(text: str) -> tuple[tuple[str, ...], frozenset[str], frozenset[str]] | None:
    """Key words, their set, and their 5-letter stems; None for a text without key words."""
    found = tuple(content_words(text))
    return (found, frozenset(found), frozenset(w[:5] for w in found if len(w) >= 5)) if found else None


@lru_cache(maxsize=1 << 14)
def word_set(text: str) -> frozenset[str]:
    """The set of ``content_words(text)``: the reader looks at each candidate sentence several times."""
    return frozenset(content_words(text))


@lru_cache(maxsize=1 << 16)
def has_word(found: frozenset[str], word: str) -> bool:
    """``word``, an inflection of it or its doer/action noun (``related_word``) is among ``found``.

    Memoised with ``word_set``: the reader asked ``same_word`` ~7,000 times per question about the same
    few hundred words, the largest share of an offline answer's time (profiled at 10k chunks). (Not in
    words.py: a change there marks every saved keyword index stale.)
    """
    if word in found:
        return True
    # ``same_word`` holds only for words that share their first four letters or that are irregular verb
    # forms ("tell"/"told"): the rest of ``found`` need not be asked (most of the reader's time otherwise).
    if irregular_verb_of(word) != word or word in IRREGULAR_BASES:
        return any(same_word(word, w) for w in found)
    prefix = word[:4]
    return any(related_word(word, w) for w in found if w[:4] == prefix or irregular_verb_of(w) != w)


_DERIVATION = re.compile(r"(?:ions?|ors?|ers?|ing|ed|e)$")
MIN_BASE = 5  # shorter bases join unrelated words ("former"/"formed", "station"/"stated")


def derivation_base(word: str) -> str | None:
    """The verb a doer or action noun shares with its verb: 'directed', 'director', 'direction' -> 'direct';
    None when the base would be too short to mean one thing."""
    base = _DERIVATION.sub("", word)
    return base if len(base) >= MIN_BASE else None


def related_word(a: str, b: str) -> bool:
    """``same_word``, or the same verb as doer, action and verb ("Who directed Parasite?" is answered by
    "Parasite director Bong Joon Ho"; "elected" by "election")."""
    if same_word(a, b):
        return True
    base = derivation_base(a)
    return base is not None and base == derivation_base(b)


def derived_forms(word: str) -> tuple[str, ...]:
    """The forms ``related_word`` joins to ``word``, to look up in a vocabulary (stems: no plural -s)."""
    base = derivation_base(word)
    if base is None:
        return ()
    return tuple(base + end for end in ("", "e", "ed", "ing", "er", "or", "ion"))


def jaccard(a: str, b: str) -> float:
    """Shared key words over all key words of both texts."""
    sa, sb = set(content_words(a)), set(content_words(b))
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def word_overlap(a: str, b: str) -> float:
    """Share of the shorter text's key words found in the other (names and all)."""
    wa, wb = key_words(a), key_words(b)
    if not wa or not wb:
        return 0.0
    short, long_ = (wa, wb) if len(wa[0]) <= len(wb[0]) else (wb, wa)
    _, exact, stems = long_
    return sum(1 for w in short[0] if w in exact or (len(w) >= 5 and w[:5] in stems)) / len(short[0])


def same_claim_overlap(a: str, b: str) -> float:
    """Word overlap measured against the LONGER text: a heading inside a sentence is not the sentence."""
    wa, wb = key_words(a), key_words(b)
    if not wa or not wb:
        return 0.0
    return word_overlap(a, b) * min(len(wa[0]), len(wb[0])) / max(len(wa[0]), len(wb[0]))


def weighted_coverage(terms: tuple[str, ...], weights: tuple[float, ...], text: str) -> float:
    """Weighted share of ``terms`` that ``text`` contains (a term matches itself or an inflection)."""
    total = sum(weights) or 1.0
    found = word_set(text)
    got = 0.0
    for term, weight in zip(terms, weights):
        if has_word(found, term):
            got += weight
    return got / total


def share_found(claim: str, source: str) -> float:
    """Share of the claim's key words (repeats counted) that the source contains."""
    claim_words = content_words(claim)
    if not claim_words:
        return 0.0
    source_words = word_set(source)
    return sum(1 for w in claim_words if has_word(source_words, w)) / len(claim_words)
