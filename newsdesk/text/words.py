"""Words: lowercased, lightly stemmed tokens, stopwords, and when two words are the same word."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

STOPWORDS = frozenset(
    """
a about above after again against all also am an and any are as at be because been before being below between both
but by can could did do does doing down during each few for from further had has have having he her here hers
herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on
once only or other our ours ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours yourself yourselves said says say told according reported
did does do what which who whom whose when where why how many much long
""".split()
)

# Letters of any script: "Pogačar", "Zürich", "São Paulo" are words, not "poga" + "car" or "z" + "rich".
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
# Capitals with full stops are one word: "U.K." is "UK" and "U.N." is "UN", not two letters too short to count.
_DOTTED_CAPITALS = re.compile(r"(?<![\w.])(?:[A-Z]\.){2,}")
# "US" in capitals is the country, not the pronoun "us": it reads as "usa", as "USA" does.
_CAPITALS_AS = {"US": "USA"}


def _tokens(text: str) -> list[str]:
    joined = _DOTTED_CAPITALS.sub(lambda m: m.group(0).replace(".", ""), text)
    return [_CAPITALS_AS.get(w, w) for w in _WORD.findall(joined)]


@lru_cache(maxsize=1 << 16)
def _folded(word: str) -> str:
    """Without accents ("pogačar" -> "pogacar", "chloé" -> "chloe"): a reader who types a name without its
    accents, or an outlet that drops them, still matches it."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """A light plural/possessive stem: enough to match 'troops'~'troop', 'Russia's'~'russia'."""
    word = re.sub(r"['’]s$", "", word)
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """Lowercased, lightly stemmed words, stopwords kept."""
    return [_stem(_lowered(w)) for w in _tokens(text)]


def _lowered(word: str) -> str:
    return word.lower() if word.isascii() else _folded(word.lower())


def content_words(text: str) -> list[str]:
    """Lowercased, stemmed words without stopwords: what keyword matching compares."""
    # A stopword is dropped before stemming too: "does" stems to "doe", which no stopword list holds.
    lowered = (_lowered(w) for w in _tokens(text))
    return [w for low in lowered if low not in STOPWORDS and (w := _stem(low)) not in STOPWORDS and len(w) > 1]


# Irregular past forms -> the verb: "What did Putin tell Xi?" is answered by what he "told" him.
IRREGULAR_VERBS = {
    form: verb
    for verb, forms in {
        "tell": "told", "meet": "met", "give": "gave given", "send": "sent", "take": "took taken", "make": "made",
        "hold": "held", "win": "won", "lose": "lost", "become": "became", "come": "came", "leave": "left",
        "speak": "spoke spoken", "run": "ran", "flee": "fled", "fall": "fell fallen", "rise": "rose risen",
        "lead": "led", "see": "saw seen", "write": "wrote written", "pay": "paid", "keep": "kept", "bring": "brought",
        "buy": "bought", "sell": "sold", "build": "built", "begin": "began begun", "grow": "grew grown",
        "know": "knew known", "go": "went gone", "strike": "struck", "seek": "sought", "fight": "fought",
        "think": "thought", "drive": "drove driven", "choose": "chose chosen", "stand": "stood", "spend": "spent",
        "mean": "meant", "feel": "felt", "find": "found", "hear": "heard", "fly": "flew flown", "throw": "threw thrown",
        "catch": "caught", "teach": "taught", "sit": "sat", "sing": "sang sung", "swear": "swore sworn",
        "steal": "stole stolen", "forbid": "forbade forbidden", "undertake": "undertook undertaken",
        "withdraw": "withdrew withdrawn", "overtake": "overtook overtaken", "arise": "arose arisen",
    }.items()
    for form in forms.split()
}  # fmt: skip


IRREGULAR_BASES = frozenset(IRREGULAR_VERBS.values())
# Light verbs mean little alone ("taking power", "taken part", "make way"): their -ing and -s forms are
# left as they are, so "taking" does not stand for "taken part".
_LIGHT_VERBS = frozenset({"take", "make", "give", "go", "come", "keep"})


@lru_cache(maxsize=65536)
def irregular_verb_of(word: str) -> str:
    """The irregular verb a word is a form of ('met', 'meeting', 'meets' -> 'meet'; 'writing' -> 'write';
    'winning' -> 'win'), else the word itself: so "their meeting" and "they met" share a word."""
    if word in IRREGULAR_VERBS:
        return IRREGULAR_VERBS[word]
    for suffix in ("ing", "s"):
        if not word.endswith(suffix) or len(word) <= len(suffix) + 1:
            continue
        stem = word[: -len(suffix)]
        for base in (stem, stem + "e", stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else ""):
            if base in IRREGULAR_BASES and base not in _LIGHT_VERBS:
                return base
    return word


def same_word(a: str, b: str) -> bool:
    """Equal, or one an inflection of the other ('visit'/'visited', 'conclude'/'concluded', 'tell'/'told',
    'meeting'/'met')."""
    if a == b:
        return True
    if irregular_verb_of(a) == irregular_verb_of(b):
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 4 and long_.startswith(short[: max(4, len(short) - 1)]) and len(long_) - len(short) <= 3
