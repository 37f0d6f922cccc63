"""What a question asks for: the kind of answer, its focus, its key words, and its language.

The focus is what the question is *about* asking: the counted thing of "how many
troops", the office of "which minister", the outlet of "which outlet", or, when
there is no such noun, the question's own words that are not names ("What
agreements did Putin and Kim sign?" -> agreements, sign). Evidence that names the
same people but not the focus does not answer the question.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from newsdesk.text.dates import TIME_NAMES
from newsdesk.text.numbers import NUMBER_WORD_VALUES, ORDINAL
from newsdesk.text.overlap import derived_forms
from newsdesk.text.words import STOPWORDS, content_words, words

_NUMBER_WORD_RE = "|".join(NUMBER_WORD_VALUES) + r"|\d+"

# Question words of other languages whose answers have a type: the default embedder is
# multilingual, so a German or Russian question reaches English evidence; its type comes from here.
# Nouns that name a quantity: "what was the company's revenue" asks for a number.
_MEASURE = (
    r"(?:revenue|revenues|profit|profits|sales|income|population|price|prices|cost|costs|budget|salary|debt|deficit|"
    r"turnover|earnings|valuation|worth|rate|percentage|share|score|toll|age|height|weight|distance|speed|"
    r"temperature|capacity|attendance|turnout|margin|fine|ransom|reward|fee|wage|tariff|tax)"
)
_TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "duration": (
        r"\bhow long\b", r"\bfor how long\b", r"\bwhat (?:was|is) the (?:duration|length)\b", r"\bhow many (?:days|weeks|months|years|hours)\b",
        r"\bwie lange?\b", r"\bcombien de temps\b", r"\bpendant combien\b", r"\bcuánto tiempo\b", r"\bкак долго\b",
        r"\bсколько (?:времени|дней|лет|часов)\b", r"\bquanto tempo\b",
    ),
    "number": (
        r"\bhow (?:many|much)\b", r"\bwhat (?:percentage|share|number|amount|proportion|sum|value|price|cost)\b",
        r"\bhow old\b", r"\bby how much\b",
        r"\bwhat (?:was|is|were|are) the (?:[\w-]+\s)?(?:number|amount|total|figure|value|price|cost|toll|size|sum)\b",
        r"\b(?:what|which)\b(?:\s+(?:is|was|are|were|will be))?(?:\s+the)?(?:\s+[\w'’-]+){0,2}?\s+" + _MEASURE + r"\b",
        r"\bwie viele?\b", r"\bcombien\b", r"\bcuánt[oa]s?\b", r"\bсколько\b", r"\bquant[oa]s?\b", r"\bwieviele?\b",
    ),
    "date": (
        r"^when\b", r"\bwhen\b", r"\b(?:what|which)\b(?:\s+(?:is|was|are|were|will be))?(?:\s+the)?(?:\s+[\w'’-]+){0,2}?\s+date\b", r"\bwhat (?:date|day|year|month|time)\b", r"\bsince when\b", r"\bon which (?:day|date)\b",
        r"\bin which (?:year|month)\b", r"\bwann\b", r"\bwelche[mns]? (?:datum|tag|jahr|monat)\b",
        r"\bquel(?:le)? (?:jour|date|année|mois)\b", r"\bqué (?:día|fecha|año|mes)\b", r"\bкакого числа\b",
        r"\bв какой день\b", r"\bqual (?:dia|data|ano|mês)\b", r"\bquand\b", r"\bcuándo\b", r"\bкогда\b", r"\bquando\b",
        r"\bв каком году\b", r"\ben quelle année\b", r"\bin welchem jahr\b",
    ),
    "person": (
        r"^(?:who|whom|whose)\b", r"\bwho\b", r"\b(?:which|what) (?:[\w-]+\s)?(?:leader|president|minister|official|person|people|agency|outlet|broadcaster|newspaper|"
        r"company|firm|team|organi[sz]ation|group|party|spokes\w+|reporter|journalist|author|ceo|head|chief|player|coach|"
        r"actor|actress|director|producer|singer|artist|band|writer|driver|rider|athlete|candidate|winner|champion|"
        r"studio|network|channel|publisher|label|brand|club|airline|manufacturer|developer|"
        r"movie|film|show|series|album|song|book|novel|game)(?:s|es)?\b",
        r"\bwer\b", r"\bwem\b", r"\bwen\b", r"\bqui\b", r"\bquién(?:es)?\b", r"\bкто\b", r"\bкого\b", r"\bкому\b", r"\bquem\b",
    ),
    "place": (
        r"^where\b", r"\bwhere\b", r"\b(?:which|what|in what|in which) (?:[\w-]+\s)?(?:city|cities|country|countries|place|region|venue|location|"
        r"province|state|town|capital|site|building|stadium|square|port|area)s?\b", r"\bwo\b", r"\bwohin\b", r"\boù\b", r"\bdónde\b",
        r"\bгде\b", r"\bкуда\b", r"\bonde\b", r"\bin welcher stadt\b", r"\bdans quelle ville\b", r"\b(?:location|venue)\b",
    ),
}  # fmt: skip
_TYPE_PATTERNS = {kind: re.compile("|".join(p), re.IGNORECASE) for kind, p in _TYPE_WORDS.items()}
_TYPE_ORDER = ("duration", "number", "date", "person", "place")

_WH_WORD = re.compile(r"\b(?:how many|how much|which|what|whose)\s+", re.IGNORECASE)
_COPULA_THE = re.compile(r"\s*(?:is|was|are|were)\s+the\s+", re.IGNORECASE)
# Words that end a wh-phrase: auxiliaries, prepositions, determiners, pronouns.
_PHRASE_END = frozenset(
    """did does do is was were are has have had will would can could should of in on at for to from with by that
    who whom the a an he she they it his her their its this these those there""".split()
)
_VERB_LIKE = re.compile(
    r"(?:ed|said|says|met|went|took|made|gave|sent|told|held|won|lost|became|came|left|stood|spoke|ran|fled|fell|rose|"
    r"hit|led|saw|wrote|sat|got|paid|put|set|kept|brought|bought|sold|built|began|grew|knew|read)$",
    re.I,
)
_CLASSIFIERS = frozenset("sort sorts kind kinds type types form forms manner".split())
_AUXILIARY = frozenset("did does do is was were are has have had will would can could should be been being".split())
_NAME_WORD = re.compile(r"[A-Z][\w'’-]*|[A-Z]{2,}")
# A light verb with a particle or an empty noun ("take place", "take part", "come up", "set out", "go on"): the
# phrase only says that something happened, so neither word is what the question is about. Both words are rare
# in news text, so rarity weighting alone would make them the question's heaviest key words.
_LIGHT_VERB_PHRASE = re.compile(
    r"\b(?:(?:take|takes|took|taken|taking)\s+(?:place|part)|"
    r"(?:come|comes|came|coming|go|goes|went|gone|going|set|sets|setting|get|gets|got|gotten|getting|"
    r"put|puts|putting|turn|turns|turned|turning|carry|carries|carried|carrying|bring|brings|brought|bringing|"
    r"take|takes|took|taken|taking|make|makes|made|making|give|gives|gave|given|giving)\s+"
    r"(?:up|out|off|on|over|back|down|away|about|through|forward|in))\b",
    re.IGNORECASE,
)
# "How long did the talks last?", "How long will it take?": the closing verb only says a duration is asked.
_DURATION_VERB = re.compile(r"^\W*how\s+long\b.*\b(last|lasts|lasted|take|takes|took)\W*$", re.IGNORECASE)
LIGHT_VERB_WEIGHT = (
    0.5  # share of its rarity weight a light-verb word keeps (CV top-1 0.8488 at 0.5 and 1, 0.8457 at 0.25)
)
_WORD_RE = re.compile(r"[\w'’-]+")


@dataclass(frozen=True)
class QuestionProfile:
    """What a question asks for: key words with rarity, the kind of answer, the focus."""

    text: str
    terms: tuple[str, ...]
    weights: tuple[float, ...]
    wants: str | None  # number | date | duration | person | place | None
    unknown_names: tuple[str, ...] = ()  # capitalised words of the question the corpus never uses
    focus: tuple[str, ...] = ()  # what the question asks about (stems), never a name
    names: tuple[str, ...] = ()  # key words that come from names in the question
    foreign: bool = False  # the question's words are mostly not the corpus's language
    focus_in_corpus: float = 1.0  # share of the focus words that some article uses at all
    focus_asked: bool = False  # the focus is the noun of "how many X" / "which X" / "what X", not just the words

    @property
    def total_weight(self) -> float:
        return sum(self.weights) or 1.0

    def weight_of(self, term: str) -> float:
        return dict(zip(self.terms, self.weights)).get(term, 0.0)


def answer_type(question: str) -> str | None:
    """number | duration | date | person | place | None (English and common other-language question words).
    The question word that comes first decides: in "Where were troops advancing when Putin arrived?" the
    "when" opens a clause that only places the question in time; the answer is a place. On a tie (the
    same words read two ways: "how many days") the order of ``_TYPE_ORDER`` decides."""
    found = [
        (m.start(), rank, kind) for rank, kind in enumerate(_TYPE_ORDER) if (m := _TYPE_PATTERNS[kind].search(question))
    ]
    return min(found)[2] if found else None


# Words that open a clause which only sets the scene of the question ("... when Putin arrived").
_SCENE_CLAUSE = re.compile(
    r"\s(?:when|while|after|before|as|since|because|during|until|whereas|although|though|following|amid)\s", re.I
)
_WH_START = re.compile(
    r"^\W*(?:(?:and|so|but|then|also)\s+)?(?:\w+\s+){0,2}?(?:who|whom|whose|what|which|where|when|how|why)\b", re.I
)


def main_clause(question: str) -> str:
    """The question without a trailing clause that only sets the scene: "Where in Ukraine were troops
    advancing when Putin arrived for his visit?" -> "Where in Ukraine were troops advancing". What the
    question asks about lies in its main clause; the scene's words still count as key words."""
    start = _WH_START.match(question)
    if not start:
        return question
    cut = _SCENE_CLAUSE.search(question, start.end())
    if not cut or len(_WORD_RE.findall(question[start.end() : cut.start()])) < 2:
        return question
    return question[: cut.start()]


def name_words(question: str) -> set[str]:
    """Key words of the question that are parts of capitalised names (not its first word)."""
    found: set[str] = set()
    for i, m in enumerate(re.finditer(r"[\w'’-]+", question)):
        if i > 0 and _NAME_WORD.fullmatch(m.group(0)):
            found.update(content_words(m.group(0)))
    return found


def _wh_phrase(question: str) -> list[str]:
    """The words of "how many <X>", "which <X>", "what is the <X> of <Y>": up to three, stopping at
    function words and at a word that reads as the question's verb."""
    m = _WH_WORD.search(question)
    if not m:
        return []
    rest = question[m.end() :]
    if c := _COPULA_THE.match(rest):  # "what was the dollar value of ..."
        rest = rest[c.end() :]
    tokens = re.findall(r"[\w'’-]+", rest)
    # "what sort of partnership", "which kind of weapons": the noun after the classifier is the focus.
    while len(tokens) > 2 and tokens[0].lower() in _CLASSIFIERS and tokens[1].lower() == "of":
        tokens = tokens[2:]
    phrase: list[str] = []
    for i, token in enumerate(tokens):
        low = token.lower()
        if low in _PHRASE_END or len(phrase) >= 3 or (i > 0 and _VERB_LIKE.search(low)):
            if low == "of" and phrase:  # "members of Kim Jong Un's family": the owner noun counts too
                phrase += [t for t in tokens[i + 1 : i + 5] if t.lower() not in _PHRASE_END][-1:]
            break
        phrase.append(token)
    return phrase


def light_verb_words(question: str) -> set[str]:
    """Key words (stems) of the question's light-verb phrases: "take" and "place" of "Where did it take place?",
    "last" of "How long did the talks last?"."""
    words = {w for m in _LIGHT_VERB_PHRASE.finditer(question) for w in content_words(m.group(0))}
    duration = _DURATION_VERB.search(question)
    return words | set(content_words(duration.group(1))) if duration else words


def asked_focus(question: str) -> tuple[str, ...]:
    """The noun phrase of "how many X", "which X", "what is the X of" (stems, no names, no numbers); () if none."""
    names = name_words(question)
    phrase = [
        w
        for w in content_words(" ".join(_wh_phrase(question)))
        if w not in _AUXILIARY and w not in names and not re.fullmatch(ORDINAL + "|" + _NUMBER_WORD_RE, w)
    ]
    return tuple(dict.fromkeys(phrase))


def focus_words(question: str) -> tuple[str, ...]:
    """The noun the question asks about, or else its non-name key words (stems, in order)."""
    asked = asked_focus(question)
    if asked:
        return asked
    names = name_words(question)
    clause_words = tuple(dict.fromkeys(w for w in content_words(main_clause(question)) if w not in names | _AUXILIARY))
    # "take place" is no focus beside "summit"; but in "When did the Olympics take place?" the happening is all
    # the question asks about besides names and years.
    light = light_verb_words(question)
    rest = tuple(w for w in clause_words if w not in light)
    return rest if any(not re.fullmatch(r"\d+", w) for w in rest) else clause_words


def is_foreign(question: str, seen: Callable[[str], bool]) -> bool:
    """The question is not in the corpus's language: few words the corpus uses AND (few English function words
    or an ordinary word with letters English does not use). (Either alone misleads: an English question about
    something the corpus never covers uses few of its words; a short English question may hold no function
    word; German and French share "an", "in", "des" with English.)"""
    found = re.findall(r"[^\W\d_]+", question)
    tokens = [w.lower() for w in found]
    if len(tokens) < 2:
        return False
    stems = [(words(w) or [""])[0] for w in tokens]
    function_words = sum(1 for s in stems if s in STOPWORDS) / len(tokens)
    known = sum(1 for s in stems if s and (s in STOPWORDS or seen(s))) / len(tokens)
    # An ordinary (lower-case) word spelt with letters English does not use ("viertägigen", "défilé"): a
    # name such as "Pogačar" does not count.
    accented = any(w[:1].islower() and not w.isascii() for w in found)
    return known < 0.5 and (function_words < 0.2 or accented)


def _weight(term: str, idf: Callable[[str], float], seen: Callable[[str], bool]) -> float:
    """Rarity of a word; a word no article uses counts as rare as a word one chunk uses
    (often a paraphrase: 'send' for 'deployed'), not rarer."""
    weight = idf(term)
    return weight if seen(term) else weight * 0.8


_DEMONYM_ENDINGS = ("ian", "an", "ese", "ish", "i", "n")


def _known_name(word: str, seen: Callable[[str], bool]) -> bool:
    """The corpus uses the word, or the country or place its demonym comes from: an article about Bolivia
    answers a question about "Bolivian" clashes ("Syrian" - Syria, "Canadian" - Canada, "Chinese" - China)."""
    if seen(word):
        return True
    for ending in _DEMONYM_ENDINGS:
        base = word[: -len(ending)]
        if word.endswith(ending) and len(base) >= 3 and any(seen(b) for b in (base, base + "a", base + "ia")):
            return True
    return False


def profile_question(
    question: str,
    idf: Callable[[str], float],
    seen: Callable[[str], bool] = lambda w: True,
    context: str = "",
) -> QuestionProfile:
    """Key words weighted by rarity. Words carried from earlier turns (``context``) count
    for less than the question's own; names the corpus never mentions are noted."""
    own = tuple(dict.fromkeys(content_words(question)))
    carried = tuple(w for w in dict.fromkeys(content_words(context)) if w not in own)
    light = light_verb_words(question)
    own_weights = [_weight(t, idf, seen) * (LIGHT_VERB_WEIGHT if t in light else 1.0) for t in own]
    carried_weights = [_weight(t, idf, seen) for t in carried]
    # Carried words help find the topic but must not outvote the question's own words.
    budget = 0.5 * sum(own_weights) if own_weights else 1.0
    scale = min(0.3, budget / sum(carried_weights)) if carried_weights else 0.0
    weights = tuple(own_weights) + tuple(scale * w for w in carried_weights)
    # Whole capitalised words ("Spider-Man", not "Spider"); a function word ("The Crown") names nothing.
    capitalised = [
        m.group(0) for m in re.finditer(r"(?<!^)(?<![.?!]\s)(?<![\w'’-])[A-Z][a-z][\w'’-]*", question.strip())
    ]
    # A name is known when the corpus uses it or, hyphenated, one of its parts ("Jong-un", "Putin-Kim"). Months
    # and weekdays are times, not names: an article dated in March need not write "March".
    capitalised = [n for n in capitalised if n.lower() not in TIME_NAMES]
    parts = {n: content_words(n) + content_words(n.replace("-", " ")) for n in capitalised}
    unknown = tuple(n for n in capitalised if parts[n] and not any(_known_name(w, seen) for w in parts[n]))
    names = name_words(question) | name_words(context)
    focus = focus_words(question)
    return QuestionProfile(
        text=question,
        terms=own + carried,
        weights=weights,
        wants=answer_type(question),
        unknown_names=unknown,
        focus=focus,
        focus_in_corpus=(sum(1 for w in focus if seen(w) or any(seen(f) for f in derived_forms(w))) / len(focus))
        if focus
        else 1.0,
        focus_asked=bool(asked_focus(question)),
        names=tuple(sorted(names)),
        foreign=is_foreign(question, seen),
    )
