"""Turn a follow-up question into a standalone one, offline.

Without an LLM we carry the previous turn's topic: when a question leans on
the conversation (a pronoun, "and ...", "what about ...", or very few key
words), the names and key words of the last user turn are added to it.
"""

from __future__ import annotations

import re

from newsdesk.terms import content_words

_LEANS_ON_HISTORY = re.compile(
    r"^(and|also|but|so|what about|how about|then)\b|\b(he|him|his|she|her|hers|they|them|their|it|its|this|that|"
    r"these|those|there|the two|both|the same|the leader|the visit|the meeting|the trip|the country)\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"\b[A-Z][a-zA-Z'’\-]+(?:\s+[A-Z][a-zA-Z'’\-]+)*")


def needs_history(question: str) -> bool:
    return bool(_LEANS_ON_HISTORY.search(question)) or len(content_words(question)) <= 2


def standalone_question(question: str, history: list[dict] | None) -> str:
    """The question with the previous user turn's topic carried over when it needs it."""
    if not history or not needs_history(question):
        return question
    previous = next((t["content"] for t in reversed(history) if t.get("role") == "user" and t.get("content")), "")
    if not previous:
        return question
    names = [m.group(0) for m in _NAME.finditer(previous) if m.start() > 0 or " " in m.group(0)]
    first_word = previous.split()[0] if previous.split() else ""
    if (
        first_word
        and first_word[0].isupper()
        and first_word.lower()
        not in ("what", "who", "when", "where", "how", "which", "why", "did", "does", "is", "was", "were", "are")
    ):
        names.insert(0, first_word)
    reply = next((t["content"] for t in reversed(history) if t.get("role") == "assistant" and t.get("content")), "")
    reply_names = [m.group(0) for m in _NAME.finditer(re.sub(r"\[\d+\]", "", reply)) if " " in m.group(0)][:4]
    named = " ".join(names + reply_names).lower()
    carried = list(dict.fromkeys(names + reply_names + [w for w in content_words(previous) if w not in named]))
    own = set(content_words(question))
    extra = [w for w in carried if w.lower() not in own]
    return f"{question} ({' '.join(extra)})" if extra else question
