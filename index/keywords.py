"""The keyword index over chunk texts: BM25 (bm25s), built by a build, saved beside the store, memory-mapped by opening.

Rebuilding it over every chunk was most of the ~32 s it took to open a 100k-chunk
index; bm25s saves its sparse score matrix as .npy files that load memory-mapped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

from newsdesk.text import words as _words
from newsdesk.text.words import content_words

EMPTY_TOKEN = "_empty_"  # a chunk with no content word still needs one token


def keyword_tokens(text: str) -> list[str]:
    return content_words(text) or [EMPTY_TOKEN]


def tokenizer_signature() -> str:
    """Changes when the word rules change, so a saved keyword index made with other rules counts as stale."""
    source = Path(_words.__file__).read_bytes()
    return hashlib.sha256(source).hexdigest()[:16]


def build_bm25(texts: Iterable[str]):
    import bm25s

    model = bm25s.BM25()
    tokens = [keyword_tokens(t) for t in texts]
    if tokens:
        model.index(tokens, show_progress=False)
    return model


def save_bm25(model, folder: Path) -> None:
    model.save(str(folder), show_progress=False)


def load_bm25(folder: Path):
    """The saved model, its score matrix memory-mapped (pages load as queries touch them)."""
    import bm25s

    return bm25s.BM25.load(str(folder), mmap=True, show_progress=False, verbosity=0)


class DocumentFrequencies(Mapping):
    """How many chunks hold each word, read from the BM25 matrix (one column per word) instead of counted again.

    bm25s adds an empty token to its vocabulary that has no column; it is not a word here.
    """

    def __init__(self, model):
        scores = getattr(model, "scores", None) or {}
        self._indptr = np.asarray(scores.get("indptr", np.zeros(1, dtype=np.int64)))
        columns = len(self._indptr) - 1
        vocab = getattr(model, "vocab_dict", None) or {}
        self._vocab: dict[str, int] = {w: int(c) for w, c in vocab.items() if 0 <= int(c) < columns and w}

    def __getitem__(self, word: str) -> int:
        column = self._vocab[word]
        return int(self._indptr[column + 1] - self._indptr[column])

    def __contains__(self, word: object) -> bool:
        return word in self._vocab

    def __iter__(self):
        return iter(self._vocab)

    def __len__(self) -> int:
        return len(self._vocab)
