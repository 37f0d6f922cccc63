"""Turn a follow-up question into a standalone one, offline.

Without an LLM we carry the previous turn's topic: when a question leans on
the conversation (a pronoun, "and ...", "what about ...", or no key word of its
own but one), the names and key words of the last user turn are added to it.
A question that stands on its own ("Who attended the parade?") carries nothing:
earlier turns must not leak into it.
"""

from __future__ import annotations

import re

from newsdesk.text.names import NOT_A_PERSON, TITLED_NAME
from newsdesk.text.words import content_words

_LEANS_ON_HISTORY = re.compile(
    r"^(and|also|but|so|what about|how about|then)\b|\b(he|him|his|she|her|hers|they|them|their|it|its|these|those|"
    r"the two|both|the same|the leader|the visit|the meeting|the trip|the country)\b"
    # Phrases that answer to something said before: "What did Zelensky decide in response?"
    r"|\b(in response|in return|in reaction|as a result|in turn|instead|afterwards|after that|before that|"
    r"at the time|at that point|by then|since then)\b"
    # "this"/"that" point back, except before a time word ("this week" is a date range, not a reference) ...
    r"|\b(this|that)\b(?!\s+(?:week|month|year|morning|afternoon|evening|weekend|time|day|spring|summer|autumn|fall|"
    r"winter)\b)"
    # ... and "there" does, except in "is there", "were there" (an existential, not a place).
    r"|(?<!\bis )(?<!\bare )(?<!\bwas )(?<!\bwere )(?<!\bbe )\bthere\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"\b[A-Z][a-zA-Z'’\-]+(?:\s+[A-Z][a-zA-Z'’\-]+)*")
_QUESTION_WORDS = frozenset(
    "what who when where how which why whom whose did does do is was were are has have had can could will would "
    "should counting".split()
)
_PERSON_PRONOUNS = re.compile(r"\b(he|him|his|she|her|hers)\b", re.IGNORECASE)


def needs_history(question: str) -> bool:
    """Whether the question leans on earlier turns: it points back, or it has at most one key word of its own."""
    return bool(_LEANS_ON_HISTORY.search(question)) or len(content_words(question)) <= 1


def _names(text: str) -> list[str]:
    """Capitalised names in ``text``, without a leading question word or a sentence-initial "The"."""
    found = []
    text = re.sub(r"['’]s\b", ",", re.sub(r"\[\d+\]", "", text))  # "Putin's Beijing visit": two names
    for m in _NAME.finditer(text):
        words = m.group(0).split()
        while words and (words[0].lower() in _QUESTION_WORDS or words[0].lower() in NOT_A_PERSON):
            words = words[1:]
        if words:
            found.append(" ".join(words))
    return found


def _titled(text: str) -> list[str]:
    """People named with a title ("President Vladimir Putin", "spokesperson Lin Jian")."""
    return [m.group(1).strip() for m in TITLED_NAME.finditer(text)]


def _previous_turns(history: list[dict] | None) -> tuple[str, str]:
    turns = history or []
    previous = next((t["content"] for t in reversed(turns) if t.get("role") == "user" and t.get("content")), "")
    reply = next((t["content"] for t in reversed(turns) if t.get("role") == "assistant" and t.get("content")), "")
    return previous, reply


def carried_names(question: str, history: list[dict] | None) -> list[str]:
    """The names a follow-up carries over: those of the previous question, then multi-word names of the reply."""
    if not history or not needs_history(question):
        return []
    previous, reply = _previous_turns(history)
    names = _names(previous) + [n for n in _names(reply) if " " in n][:4]
    own = question.lower()
    return [n for n in dict.fromkeys(names) if n.lower() not in own]


def standalone_question(question: str, history: list[dict] | None) -> str:
    """The question with the previous user turn's topic carried over when it needs it."""
    if not history or not needs_history(question):
        return question
    previous, _ = _previous_turns(history)
    if not previous:
        return question
    names = carried_names(question, history)
    named = " ".join(names).lower()
    carried = list(dict.fromkeys(names + [w for w in content_words(previous) if w not in named]))
    own = set(content_words(question))
    extra = [w for w in carried if w.lower() not in own]
    return f"{question} ({' '.join(extra)})" if extra else question


def describe_follow_up(question: str, history: list[dict] | None) -> str | None:
    """How a follow-up was read, in words: 'Read as a follow-up to “…” (“he” → Putin).'; None for a question
    that stands on its own. A pronoun is resolved only when one person of the previous turn fits it."""
    if not history or not needs_history(question):
        return None
    previous, reply = _previous_turns(history)
    if not previous:
        return None
    names = carried_names(question, history)
    line = f"Read as a follow-up to \u201c{previous.strip()}\u201d"
    pronoun = _PERSON_PRONOUNS.search(question)
    if pronoun:
        if previous.split()[0].lower() in ("who", "whom", "which"):  # it asked for a person: the reply names them
            asked = " ".join(_names(previous)).split()
            people = [t for t in _titled(reply) if not set(t.split()) & set(asked)]
        else:
            titled = _titled(f"{previous} {reply}")
            people = [n for n in _names(previous) if any(t.split()[-1] == n.split()[-1] for t in titled)]
        if len(set(people)) == 1:
            return f"{line} (\u201c{pronoun.group(1)}\u201d \u2192 {people[0]})."
    if names:
        listed = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
        return f"{line}: also searched for {listed}."
    return line + "."
