"""Moved to ``newsdesk.text``; kept as an alias while callers move."""

from newsdesk.text.overlap import jaccard  # noqa: F401
from newsdesk.text.words import STOPWORDS, content_words, same_word, words  # noqa: F401
