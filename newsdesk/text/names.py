"""Capitalised names in English text, the titles that introduce them, and what is plausibly a person."""

from __future__ import annotations

import re

# A run of capitalised words (or acronyms), allowing lower-case particles inside: "Republic of Congo", "bin Salman".
# Letters of any Latin alphabet ("Pogačar", "Đoković"); a name starts with a capital.
_CAPITAL = r"[A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ]"
_NAME_WORD = _CAPITAL + r"(?:[^\W\d_]|['’\-])+|[A-Z]{2,}"
NAME = re.compile(rf"(?:{_NAME_WORD})(?:\s+(?:{_NAME_WORD}|of|de|al|bin|von|van))*(?<!\s(?:of|de|al))")
# Capitalised words of at least three letters not at the start of the text: names mentioned in a claim.
MENTIONED_NAME = re.compile(r"(?<!^)\b[A-Z][a-z]{2,}\b")

TITLES = (
    "President", "Minister", "leader", "spokesperson", "spokesman", "spokeswoman", "aide", "Chancellor", "Premier",
    "Secretary", "counterpart", "ombudswoman", "ombudsman", "chief", "agency", "broadcaster", "media", "Prime Minister",
    "CEO", "chairman", "chairwoman", "governor", "mayor", "ambassador", "envoy", "general", "commander", "director",
    "head", "official", "prosecutor", "judge", "King", "Queen", "Prince", "Senator", "Representative", "coach",
)  # fmt: skip
TITLED_NAME = re.compile(r"\b(?:" + "|".join(TITLES) + r")\s+((?:[A-Z][a-zA-Z'’\-]+\s?){1,4})")
TITLE_BEFORE = re.compile(r"\b(?:" + "|".join(TITLES) + r")\s+$")

# Capitalised words that make a phrase a title, team, event or place rather than a person's name.
NOT_A_PERSON = frozenset(
    """the while after before team open united states big tech player year watch award cup championship league club
group inc co company corp platform platforms news media house state government ministry university party world
international national republic war day week month""".split()
)


def plausible_person(value: str) -> bool:
    """A person (or organisation) answer is a short name, not a title, team, event or place."""
    found = value.lower().replace("’", "'").split()
    return 1 <= len(found) <= 4 and not any(w.strip(".,'") in NOT_A_PERSON for w in found)


def trim_leading_non_name(value: str) -> str:
    """'While Meta' -> 'Meta': a sentence-initial capitalised word is not part of the name."""
    found = value.split()
    while len(found) > 1 and found[0].lower() in NOT_A_PERSON:
        found = found[1:]
    return " ".join(found)
