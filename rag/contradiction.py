"""Explicit rules for a claim its evidence contradicts: negation, changed numbers, names, antonyms.

Word overlap cannot tell "North Korea has deployed roughly 15,000 troops" from
"North Korea has not deployed any troops": they share every key word. These
rules catch the usual ways a generated sentence turns its evidence around, so
the verifier (``rag.verify``) never shows such a sentence as sourced:

- negation: the claim negates what the passage states, or states what it negates;
- numbers: a number (digits, "15k", "fifteen thousand", "1.5 million") the passage
  does not give, or gives differently;
- names: a person, place or organisation the passage does not name, or two names
  whose roles are swapped ("Kim welcomed Putin" for "Putin welcomed Kim");
- antonyms: "rose" for "fell", "won" for "lost", "approved" for "rejected" (a
  general table of English opposites).

This is the explicit half of the check; semantic similarity is the other. A
paraphrase ("sent" for "deployed", "about 15,000" for "roughly 15,000") passes.
Pure functions of text, no model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from newsdesk.text.dates import MONTH_NAMES, MONTH_NUMBERS
from newsdesk.text.names import CAPITALS, COUNTRY_OF_CAPITAL, TITLED_NAME, capital_of_each_other
from newsdesk.text.numbers import ORDINAL_WORDS, SCALE_SUFFIXES, SCALE_WORDS, TENS_WORDS, UNIT_WORDS
from newsdesk.text.words import STOPWORDS, same_word

# Kinds. The first four mean the passage says otherwise; the last two that it does not say it.
NEGATION = "negation"
ANTONYM = "antonym"
NUMBER = "number"
SWAPPED_NAMES = "swapped names"
UNSTATED_NUMBER = "unstated number"
UNSTATED_NAME = "unstated name"
STATED_OTHERWISE = frozenset({NEGATION, ANTONYM, NUMBER, SWAPPED_NAMES})


@dataclass(frozen=True)
class Contradiction:
    kind: str
    reason: str  # one line for people, e.g. 'the passage says "deployed", the claim "not deployed"'


def contradicts(claim: str, evidence: str, context: str | None = None) -> str | None:
    """Why ``evidence`` does not back ``claim`` (a one-line reason), or None when no rule objects.

    ``context`` (e.g. the whole passage around the evidence sentence) may supply
    the rest of a name the evidence gives in part ("Kim" -> "Kim Jong Un").
    """
    found = find_contradiction(claim, evidence, context)
    return found.reason if found else None


def find_contradiction(claim: str, evidence: str, context: str | None = None) -> Contradiction | None:
    """The first rule ``claim`` breaks against ``evidence``: negation, antonym, number, names (in that order)."""
    c, e = _Text(claim), _Text(evidence)
    ctx = _Text(context) if context else None
    for rule in (_negation, _antonym, _numbers, _swapped_names, _other_winner):
        found = rule(c, e)
        if found:
            return found
    return _unstated_name(c, e, ctx)


# -- tokens ---------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[A-Za-z]+(?:['’][A-Za-z]+)*|\S")
_BOUNDARY_MARKS = frozenset(',;:.!?()[]{}"“”')


def _stem(word: str) -> str:
    """Lowercase, possessive and plural removed ('Russia's' -> 'russia', 'troops' -> 'troop')."""
    word = re.sub(r"['’]s$", "", word.lower())
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _forms(base: str, extra: str = "") -> set[str]:
    """A word's regular inflections plus the irregular ones given."""
    if base.endswith("e"):
        regular = {base, base + "s", base + "d", base[:-1] + "ing"}
    elif base.endswith("y") and base[-2:-1] not in "aeiou":
        regular = {base, base[:-1] + "ies", base[:-1] + "ied", base + "ing"}
    else:
        regular = {base, base + "s", base + "ed", base + "ing"}
    return regular | set(extra.split())


# Opposites: (word, its forms) pairs. General English, not any suite's words. Words whose
# everyday senses are mostly not the opposite ("close to", "last year", "before", "up") are left out.
_LEXICON: dict[str, set[str]] = {
    "increase": _forms("increase"),
    "decrease": _forms("decrease"),
    "reduce": _forms("reduce", "reduction reductions"),
    "cut": {"cut", "cuts", "cutting"},
    "raise": _forms("raise"),
    "lower": _forms("lower"),
    "rise": {"rise", "rises", "rose", "risen", "rising"}
    | _forms("surge", "soar soars soared soaring jump jumped jumps"),
    "fall": {"fall", "falls", "fell", "fallen", "falling"}
    | _forms("plunge", "slump slumps slumped slumping tumble tumbled plummet plummeted sank sink sinks"),
    "drop": {"drop", "drops", "dropped", "dropping"},
    "decline": _forms("decline"),
    "climb": _forms("climb"),
    "grow": {"grow", "grows", "grew", "grown", "growing", "growth"},
    "shrink": {"shrink", "shrinks", "shrank", "shrunk", "shrinking"},
    "expand": _forms("expand", "expansion"),
    "contract": {"contracted", "contracting", "contraction"},
    "gain": _forms("gain"),
    "lose": {"lose", "loses", "lost", "losing", "loss", "losses"},
    "win": {"win", "wins", "won", "winning", "winner", "winners"},
    "defeat": _forms("defeat") | {"loser", "losers"},
    "victory": {"victory", "victories"},
    "approve": _forms("approve", "approval"),
    "reject": _forms("reject", "rejection"),
    "veto": {"veto", "vetoes", "vetoed", "vetoing"},
    "accept": _forms("accept"),
    "refuse": _forms("refuse", "refusal"),
    "confirm": _forms("confirm", "confirmation"),
    "deny": _forms("deny", "denial"),
    "admit": {"admit", "admits", "admitted", "admitting"},
    "allow": _forms("allow"),
    "permit": {"permit", "permits", "permitted", "permitting"},
    "ban": {"ban", "bans", "banned", "banning"},
    "forbid": {"forbid", "forbids", "forbade", "forbidden", "forbidding"},
    "prohibit": _forms("prohibit", "prohibition"),
    "open": {"open", "opens", "opened", "opening", "reopened", "reopen"},
    "close": {"closed", "closes", "closing", "closure", "shut"},
    "start": _forms("start"),
    "begin": {"begin", "begins", "began", "begun", "beginning"},
    "end": {"end", "ends", "ended", "ending"},
    "stop": {"stop", "stops", "stopped", "stopping"},
    "resume": _forms("resume"),
    "suspend": _forms("suspend", "suspension"),
    "hold": {"hold", "holds", "held", "holding"},
    "cancel": {"cancel", "cancels", "cancelled", "canceled", "cancelling", "canceling", "cancellation"},
    "arrive": _forms("arrive", "arrival"),
    "depart": _forms("depart", "departure"),
    "leave": {"leave", "leaves", "left", "leaving"},
    "enter": _forms("enter"),
    "exit": _forms("exit"),
    "join": _forms("join"),
    "quit": {"quit", "quits", "quitting"},
    "support": _forms("support"),
    "oppose": _forms("oppose", "opposition"),
    "agree": {"agree", "agrees", "agreed", "agreeing"},
    "disagree": {"disagree", "disagrees", "disagreed", "disagreeing"},
    "include": _forms("include"),
    "exclude": _forms("exclude"),
    "succeed": _forms("succeed", "success successful"),
    "fail": _forms("fail", "failure unsuccessful"),
    "legal": {"legal", "lawful"},
    "illegal": {"illegal", "unlawful"},
    "guilty": {"guilty"},
    "innocent": {"innocent"},
    "convict": _forms("convict", "conviction"),
    "acquit": {"acquit", "acquits", "acquitted", "acquittal"},
    "alive": {"alive"},
    "dead": {"dead"},
    "survive": _forms("survive", "survivor survivors"),
    "die": {"die", "dies", "died", "dying"},
    "kill": _forms("kill"),
    "add": _forms("add"),
    "remove": _forms("remove", "removal"),
    "import": _forms("import"),
    "export": _forms("export"),
    "buy": {"buy", "buys", "bought", "buying"} | _forms("acquire", "acquisition purchase purchased purchases"),
    "sell": {"sell", "sells", "sold", "selling"},
    "borrow": _forms("borrow"),
    "lend": {"lend", "lends", "lent", "lending"},
    "strengthen": _forms("strengthen"),
    "deepen": _forms("deepen"),
    "cool": {"cool", "cools", "cooled", "cooling"},
    "maintain": _forms("maintain"),
    "sever": _forms("sever"),
    "weaken": _forms("weaken"),
    "improve": _forms("improve", "improvement"),
    "worsen": _forms("worsen", "deteriorate deteriorated deteriorating"),
    "deploy": _forms("deploy", "deployment"),
    "withdraw": {"withdraw", "withdraws", "withdrew", "withdrawn", "withdrawing", "withdrawal"},
    "advance": _forms("advance"),
    "retreat": _forms("retreat"),
    "arrest": _forms("arrest", "detain detained detention"),
    "release": _forms("release", "freed"),
    "ally": {"ally", "allies", "allied"},
    "enemy": {
        "enemy",
        "enemies",
        "foe",
        "foes",
        "adversary",
        "adversaries",
        "rival",
        "rivals",
        "opponent",
        "opponents",
    },
    "profit": _forms("profit"),
    "surplus": {"surplus", "surpluses"},
    "deficit": {"deficit", "deficits"},
    "strong": {"strong", "stronger", "strongest"},
    "weak": {"weak", "weaker", "weakest"},
    "high": {"high", "higher", "highest"},
    "low": {"low", "lowest"},
    "large": {"large", "larger", "largest", "big", "bigger", "biggest"},
    "small": {"small", "smaller", "smallest"},
    "more": {"more", "most"},
    "less": {"less", "fewer", "fewest"},  # not "least": "at least 15,000" agrees with "more than"
    "maximum": {"maximum"},
    "minimum": {"minimum"},
    "early": {"early"},
    "late": {"late"},
    "cheap": {"cheap", "cheaper", "cheapest"},
    "expensive": {"expensive"},
    "positive": {"positive"},
    "negative": {"negative"},
    "true": {"true"},
    "false": {"false"},
    "above": {"above"},
    "below": {"below"},
    "majority": {"majority"},
    "minority": {"minority"},
    "rich": {"rich", "richer", "richest", "wealthy"},
    "poor": {"poor", "poorer", "poorest"},
    "best": {"best", "better"},
    "worst": {"worst", "worse"},
    "praise": _forms("praise", "laud lauds lauded lauding hail hailed hailing acclaim acclaimed commend commended"),
    "criticise": _forms("criticise", "criticize criticizes criticized criticizing criticism criticisms")
    | _forms("condemn", "condemnation"),
    "young": {"young", "younger", "youngest"},
    "old": {"old", "older", "oldest", "elderly"},
    "present": {"present"},
    "absent": {"absent", "absence"},
    "top": {"top"},
    "bottom": {"bottom"},
    "mount": {"mounting"},
    "ease": {"ease", "eases", "eased", "easing"},
    "tighten": _forms("tighten"),
    "loosen": _forms("loosen"),
    "thwart": _forms("thwart", "foil foiled foiling"),
}
_OPPOSITE_PAIRS = [
    tuple(pair.split("/"))
    for pair in """
    increase/decrease increase/reduce increase/cut increase/lower increase/fall increase/drop increase/decline
    raise/lower raise/cut raise/reduce rise/fall rise/drop rise/decline rise/decrease climb/fall climb/drop
    climb/decline grow/shrink grow/decline grow/fall expand/shrink expand/contract gain/lose win/lose win/defeat
    victory/defeat victory/lose approve/reject approve/veto accept/reject accept/refuse confirm/deny admit/deny
    allow/ban allow/forbid allow/prohibit permit/ban permit/forbid permit/prohibit open/close start/end start/stop
    begin/end resume/suspend hold/cancel arrive/depart arrive/leave enter/exit enter/leave join/leave join/quit
    support/oppose agree/disagree include/exclude succeed/fail legal/illegal guilty/innocent convict/acquit
    alive/dead survive/die survive/kill add/remove import/export buy/sell borrow/lend strengthen/weaken
    improve/worsen deploy/withdraw advance/retreat arrest/release ally/enemy profit/lose surplus/deficit
    strong/weak high/low high/lower large/small more/less maximum/minimum early/late cheap/expensive positive/negative
    true/false above/below majority/minority rich/poor best/worst praise/criticise young/old present/absent top/bottom
    mount/ease increase/ease tighten/ease tighten/loosen strengthen/loosen agree/refuse succeed/thwart
    deepen/cool strengthen/cool deepen/weaken maintain/cut maintain/sever maintain/end
    """.split()
]
_LEMMA: dict[str, str] = {form: lemma for lemma, forms in _LEXICON.items() for form in forms}
_OPPOSITES: dict[str, set[str]] = {}
for _a, _b in _OPPOSITE_PAIRS:
    _OPPOSITES.setdefault(_a, set()).add(_b)
    _OPPOSITES.setdefault(_b, set()).add(_a)


def _lemma(lower: str) -> str:
    return _LEMMA.get(lower) or _stem(lower)


# -- negation -------------------------------------------------------------------------------------

_NEGATORS = frozenset("not no never none nobody nothing neither nor without cannot nowhere".split())
# "not only", "no less than", "no matter": not a negation of what follows.
_NOT_NEGATING_NEXT = frozenset("only just less fewer more least doubt matter sooner".split())
_FAILED_TO = frozenset("fail fails failed failing refuse refuses refused refusing declined declines".split())
# A negation's scope ends at a clause boundary ...
_CLAUSE_WORDS = frozenset(
    "but while although though whereas because which who whom whose that whether if when where how why what and or "
    "unless until since so".split()
)
# ... and skips words that carry no content of their own.
_SCOPE_FILLER = frozenset(
    """a an the any be been being have has had having do does did is are was were am will would shall should can could
    may might must yet even ever far also too very really actually officially publicly formally directly immediately
    fully entirely necessarily to of in on at for from with by into onto about as its their his her our your my this
    these those there it they he she we you i them him single one more longer much many such all enough once again
    either""".split()
)
_SCOPE_WORDS = 2  # the negated predicate and the word after it: "not deployed any troops" -> deployed, troops
_CLAUSE_SCOPE_WORDS = 6  # how far a negation may reach when asking whether a passage states a word plainly


# -- numbers --------------------------------------------------------------------------------------

_ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
_TIME_UNITS = frozenset("minute hour day week month year decade century".split())
# Words between a number and what it counts ("two more years", "five consecutive titles").
_BEFORE_COUNTED_NOUN = frozenset("more additional other further extra consecutive successive straight full".split())
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class _Number:
    value: float
    kind: str  # amount | year | month | day | ordinal
    text: str  # as written
    noun: str | None  # the counted word after it ("15,000 troops" -> "troop")
    weak: bool = False  # "two" .. "ten" or a word ordinal: compared only against a count of the same thing
    at: int = -1  # index of its first token


def _digits_value(text: str) -> float | None:
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
        return float(text.replace(",", ""))
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    return None  # "1,5" or "1.2.3": not a number we can compare


def _same_value(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1.0)


def _same_number(a: _Number, b: _Number) -> bool:
    """The same value of comparable kinds: a month is only ever another month ("March" is not "Diablo 3")."""
    return _same_value(a.value, b.value) and (a.kind == b.kind or "month" not in (a.kind, b.kind))


# -- names ----------------------------------------------------------------------------------------

_DAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
# Common sentence openers that are capitalised only because they start the sentence.
_OPENERS = frozenset(
    """however meanwhile moreover furthermore nevertheless nonetheless instead still today yesterday tomorrow tonight
    earlier later last next following despite amid amidst among although though unlike like several every either
    neither another overall together thus therefore hence indeed please yes previously currently recently
    separately elsewhere finally since along across around during within without upon throughout toward towards
    beyond besides amid while unless whether once asked speaking according""".split()
)
_SYMMETRIC = frozenset(
    "meet met meets meeting talk talked talks spoke speak speaks negotiate negotiated agree agreed sign signed shook "
    "chat chatted confer conferred clash clashed fought compete competed partner partnered cooperate cooperated "
    "collaborate collaborated".split()
)
_IRREGULAR_PAST = frozenset(
    """sent gave took made won lost held left went came saw began fought led paid sold bought brought built chose
    drew flew hit kept let ran rose fell set shot spoke stood struck threw wrote became broke caught met sent sought
    taught thought wore grew knew rode shook hosted beat bore bound bit bled fed felt fled forgot forgave froze hid
    hung laid lent lit meant put quit read rang sang sank sat slew slid spent spun stole stuck swore swept swam tore
    told understood woke won withdrew""".split()
)
_AGENT_FILLER = frozenset(
    "has have had was were is are will would also reportedly then had already just later has since once again".split()
)


class _Text:
    """A sentence cut into tokens once, with what the rules ask of it."""

    def __init__(self, text: str):
        self.text = text
        self.tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
        self.lower = [t[0].lower() for t in self.tokens]
        self.lemmas = [_lemma(w) for w in self.lower]

    def is_word(self, i: int) -> bool:
        return self.tokens[i][0][0].isalpha()

    def is_boundary(self, i: int) -> bool:
        return self.tokens[i][0] in _BOUNDARY_MARKS or self.lower[i] in _CLAUSE_WORDS

    # negation ----------------------------------------------------------------------------------
    def _negator_scope_start(self, i: int) -> int | None:
        """Where the scope of a negation at token i starts, or None when token i negates nothing."""
        w = self.lower[i]
        nxt = self.lower[i + 1] if i + 1 < len(self.lower) else ""
        if w in _NEGATORS or w.endswith(("n't", "n’t")):
            return None if nxt in _NOT_NEGATING_NEXT else i + 1
        if w in _FAILED_TO and nxt == "to":
            return i + 2
        return None

    def _negated_within(self, scope_words: int) -> frozenset[int]:
        """Indices of the words a negation applies to: the first ``scope_words`` content words of its clause."""
        out: set[int] = set()
        for i in range(len(self.tokens)):
            start = self._negator_scope_start(i)
            if start is None:
                continue
            taken = 0
            for j in range(start, len(self.tokens)):
                if self.is_boundary(j) or self._negator_scope_start(j) is not None:
                    break
                if not self.is_word(j) or self.lower[j] in _SCOPE_FILLER or self.lower[j] in STOPWORDS:
                    continue
                out.add(j)
                taken += 1
                if taken == scope_words:
                    break
        return frozenset(out)

    @cached_property
    def negated(self) -> frozenset[int]:
        """The words a negation applies to: its predicate and the word after it."""
        return self._negated_within(_SCOPE_WORDS)

    @cached_property
    def negated_clause(self) -> frozenset[int]:
        """The words a negation may reach: the rest of its clause ("did not mention the Ukraine war")."""
        return self._negated_within(_CLAUSE_SCOPE_WORDS)

    def negator_of(self, i: int) -> int:
        """The negation whose scope holds token i (the nearest one before it)."""
        return max(k for k in range(i) if self._negator_scope_start(k) is not None)

    def polarity_of(self, lemma: str, whole_clause: bool = False) -> tuple[bool, bool]:
        """(said positively somewhere, said negated somewhere) for a word; ``whole_clause``: a word anywhere
        in a negated clause counts as negated."""
        negated = self.negated_clause if whole_clause else self.negated
        pos = neg = False
        for j, other in enumerate(self.lemmas):
            if self.is_word(j) and self.lower[j] not in STOPWORDS and same_word(lemma, other):
                if j in negated:
                    neg = True
                else:
                    pos = True
        return pos, neg

    # numbers -----------------------------------------------------------------------------------
    @cached_property
    def numbers(self) -> list[_Number]:
        out: list[_Number] = []
        i, n = 0, len(self.tokens)
        while i < n:
            tok, start, end = self.tokens[i]
            low = self.lower[i]
            value, kind, j, weak = None, "amount", i + 1, False
            if tok[0].isdigit():
                iso = self._iso_date(i)
                if iso:
                    for v, k in iso[0]:
                        out.append(_Number(v, k, self.text[start : self.tokens[iso[1] - 1][2]], None, at=i))
                    i = iso[1]
                    continue
                value = _digits_value(tok)
                if value is None:
                    i += 1
                    continue
                glued = j < n and self.tokens[j][1] == end
                if glued and self.lower[j] in SCALE_SUFFIXES:
                    value *= SCALE_SUFFIXES[self.lower[j]]
                    j += 1
                elif glued and self.lower[j] in _ORDINAL_SUFFIXES:
                    kind = "ordinal"
                    j += 1
                elif re.fullmatch(r"\d{4}", tok) and 1000 <= value <= 2100:
                    kind = "year"
                elif re.fullmatch(r"\d{1,2}", tok) and 1 <= value <= 31 and self._beside_month(i, j):
                    kind = "day"  # "October 19", "3 September": a date, not a count of anything
                while j < n and self.lower[j] in SCALE_WORDS and kind == "amount":
                    value *= SCALE_WORDS[self.lower[j]]
                    j += 1
            elif low in ("a", "an") and i + 1 < n and self.lower[i + 1] in _TIME_UNITS:
                value, weak = 1.0, True  # "over an hour" against "three hours": a count of one hour
            elif (
                low in UNIT_WORDS
                or low in TENS_WORDS
                or (low in ("a", "an") and i + 1 < n and self.lower[i + 1] in SCALE_WORDS)
            ):
                value, j = self._word_number(i)
                weak = value <= 10 and j == i + 1  # "the two leaders": compared only against a count of the same thing
            elif low in ORDINAL_WORDS:
                value, kind, weak = float(ORDINAL_WORDS[low]), "ordinal", True
            elif low in MONTH_NUMBERS and self._is_month(i):
                value, kind = float(MONTH_NUMBERS[low]), "month"
            if value is None:
                i += 1
                continue
            noun = None
            # "15% of X", "four-day": skip the sign or hyphen; a comma or a full stop ends the number's phrase
            skip = j < n and (self.lower[j] in ("%", "percent") or not self.is_word(j) and not self.is_boundary(j))
            k = j + 1 if skip else j
            while k + 1 < n and self.lower[k] in _BEFORE_COUNTED_NOUN:
                k += 1  # "two more years", "three consecutive terms": the count is of the noun after
            compound = k
            while compound + 2 < n and self.is_word(compound) and self.tokens[compound + 1][0] == "-":
                compound += 2  # "the fourth in-person meeting", "face-to-face talks": a hyphenated modifier ...
            if compound > k and compound + 1 < n and self.is_word(compound) and self.is_word(compound + 1):
                k = compound + 1  # ... then the noun
            if k < n and self.is_word(k) and self.lower[k] not in STOPWORDS and kind != "month":
                noun = _stem(self.lower[k])
            out.append(_Number(value, kind, self.text[start : self.tokens[j - 1][2]], noun, weak, at=i))
            i = j
        return out

    def _iso_date(self, i: int):
        """2025-09-03 as a year, a month and a day; (values, next index) or None."""
        if i + 4 < len(self.tokens) and self.tokens[i + 1][0] == "-" and self.tokens[i + 3][0] == "-":
            text = self.text[self.tokens[i][1] : self.tokens[i + 4][2]]
            if _ISO_DATE.match(text):
                y, m, d = (int(x) for x in text.split("-"))
                return [(float(y), "year"), (float(m), "month"), (float(d), "day")], i + 5
        return None

    def _word_number(self, i: int) -> tuple[float, int]:
        """'two hundred and fifty thousand' -> 250000.0, and the index after it."""
        total, current, j, n = 0.0, 0.0, i, len(self.tokens)
        if self.lower[j] in ("a", "an"):
            current, j = 1.0, j + 1
        while j < n:
            w = self.lower[j]
            if w in UNIT_WORDS:
                current += UNIT_WORDS[w]
            elif w in TENS_WORDS:
                current += TENS_WORDS[w]
            elif w == "hundred":
                current = (current or 1) * 100
            elif w in SCALE_WORDS:
                total += (current or 1) * SCALE_WORDS[w]
                current = 0.0
            elif (
                (w == "and" and self.lower[j - 1] in SCALE_WORDS or w == "-" and self.lower[j - 1] in TENS_WORDS)
                and j + 1 < n
                and (self.lower[j + 1] in UNIT_WORDS or self.lower[j + 1] in TENS_WORDS)
            ):
                pass  # "two hundred and fifty", "twenty-five"
            else:
                break
            j += 1
        return total + current, j

    def _beside_month(self, i: int, after: int) -> bool:
        """The number at token i (ending before ``after``) is next to a month name: the day of a date."""
        return (i > 0 and self.lower[i - 1] in MONTH_NUMBERS and self._is_month(i - 1)) or (
            after < len(self.tokens) and self.lower[after] in MONTH_NUMBERS and self._is_month(after)
        )

    def _is_month(self, i: int) -> bool:
        """A capitalised month name; "May" (not the verb) and "Jan" (not the name) only next to a date's number."""
        if not self.tokens[i][0][0].isupper():
            return False
        if self.lower[i] in MONTH_NAMES and self.lower[i] != "may":
            return True
        near = [k for k in (i - 1, i + 1) if 0 <= k < len(self.tokens)]
        return any(self.tokens[k][0][0].isdigit() for k in near) or (
            i + 1 < len(self.tokens) and self.tokens[i + 1][0] == "." and self.lower[i] != "may"
        )

    # names -------------------------------------------------------------------------------------
    @cached_property
    def _first_word(self) -> int | None:
        return next((i for i in range(len(self.tokens)) if self.is_word(i)), None)

    def is_name(self, i: int) -> bool:
        tok, low = self.tokens[i][0], self.lower[i]
        if not tok[0].isupper() or not self.is_word(i) or low in STOPWORDS or low == "i":
            return False
        if low in UNIT_WORDS or low in TENS_WORDS or low in SCALE_WORDS or low in ORDINAL_WORDS:
            return False
        if low in MONTH_NUMBERS and self._is_month(i):
            return False  # a date: checked as a number
        if i != self._first_word:
            return True
        # Sentence-initial: capitalised by position. Count it when it looks like a name anyway.
        nxt = self.tokens[i + 1][0] if i + 1 < len(self.tokens) else ""
        if tok.isupper() and len(tok) >= 2:
            return True
        if any(ch.isupper() for ch in tok[1:]):
            return True  # "DreamWorks", "McLaren": capitals inside a word are never positional
        if nxt[:1].isdigit() or nxt.lower() in UNIT_WORDS or nxt.lower() in TENS_WORDS:
            return False  # "Around 15,000", "Some twenty": a word before a number
        if nxt[:1].isupper() and nxt[:1].isalpha() and nxt.lower() not in STOPWORDS:
            return True  # "North Korea", "Kim Jong Un"
        if nxt == "," or low.endswith("ly") or low in _OPENERS:
            return False
        if low.endswith("ing") and nxt[:1].islower():
            return False  # "Speaking to reporters, ...": a participle opening the sentence
        stem = re.sub(r"['’]s$", "", low)
        return not (stem.endswith("s") and not stem.endswith(("ss", "us", "is")))  # "Officials", "Troops"

    @cached_property
    def name_phrases(self) -> list[tuple[int, int]]:
        """(first, last+1) token ranges of runs of names; a weekday stands alone ("Tuesday Kim" is two)."""
        runs: list[tuple[int, int]] = []
        i, n = 0, len(self.tokens)
        while i < n:
            if not self.is_name(i):
                i += 1
                continue
            j = i + 1
            if self.lower[i] not in _DAYS:
                while j < n and self.is_name(j) and self.lower[j] not in _DAYS:
                    j += 1
            runs.append((i, j))
            i = j
        return runs

    def phrase_stems(self, run: tuple[int, int]) -> list[str]:
        return [_stem(self.lower[k]) for k in range(*run)]

    @cached_property
    def word_stems(self) -> list[str]:
        return [_stem(w) for i, w in enumerate(self.lower) if self.is_word(i)]

    def has_word(self, stem: str) -> bool:
        return any(same_word(stem, w) for w in self.word_stems)

    # roles -------------------------------------------------------------------------------------
    def agents(self, i: int) -> list[list[str]] | None:
        """The names that do the action of the verb at token i ("Putin welcomed", "welcomed by Putin"), or None."""
        runs = self.name_phrases
        if i + 1 < len(self.tokens) and self.lower[i + 1] == "by":  # passive: the agent follows "by"
            after = [r for r in runs if r[0] == i + 2]
            return self._coordinated(after[0], forward=True) if after else None
        j, skipped = i - 1, 0
        while j >= 0 and skipped <= 3:
            run = next((r for r in runs if r[0] <= j < r[1]), None)
            if run is not None:
                return None if self.lower[run[0]] in _DAYS else self._coordinated(run, forward=False)
            if self.lower[j] in _AGENT_FILLER or self.lower[j].endswith("ly"):
                j, skipped = j - 1, skipped + 1
                continue
            return None
        return None

    def _coordinated(self, run: tuple[int, int], forward: bool) -> list[list[str]]:
        """A name and those joined to it by "and" or commas ("Putin and Kim")."""
        group = [run]
        runs = self.name_phrases
        while True:
            edge = group[-1][1] if forward else group[-1][0] - 1
            k = edge
            while 0 <= k < len(self.tokens) and self.lower[k] in (",", "and"):
                k = k + 1 if forward else k - 1
            if k == edge:
                break
            nxt = next((r for r in runs if (r[0] == k if forward else r[1] - 1 == k)), None)
            if nxt is None:
                break
            group.append(nxt)
        return [self.phrase_stems(r) for r in group if self.lower[r[0]] not in _DAYS]

    def verbs(self) -> list[int]:
        """Past-tense verbs (regular -ed or a common irregular): where roles can be compared."""
        out = []
        for i, w in enumerate(self.lower):
            if not self.is_word(i) or w in STOPWORDS or w in _SYMMETRIC or self.is_name(i):
                continue
            if (len(w) > 4 and w.endswith("ed")) or w in _IRREGULAR_PAST:
                out.append(i)
        return out


# -- rules ----------------------------------------------------------------------------------------


def _negation(claim: _Text, evidence: _Text) -> Contradiction | None:
    # The claim negates something the passage states (any negated word the passage says plainly) ...
    agreeing = {claim.negator_of(i) for i in claim.negated if _negates_other_value(claim, i, evidence)}
    for i in sorted(claim.negated):
        if claim.lower[i] in STOPWORDS or claim.negator_of(i) in agreeing:
            continue
        # Stated plainly: not anywhere inside a negated clause of the passage (both may negate one thing
        # in other words: "did not name the war" / "did not explicitly mention the Ukraine war").
        pos, neg = evidence.polarity_of(claim.lemmas[i], whole_clause=True)
        if pos and not neg:
            said = claim.text[claim.tokens[claim.negator_of(i)][1] : claim.tokens[i][2]]
            return Contradiction(
                NEGATION, f'the claim says "{said}"; the passage states "{claim.tokens[i][0]}" plainly'
            )
    # ... or states plainly what the passage negates (every word of the negated phrase).
    scopes: dict[int, list[int]] = {}
    for i in sorted(evidence.negated):
        scopes.setdefault(evidence.negator_of(i), []).append(i)
    for owner, members in scopes.items():
        words = [evidence.lemmas[i] for i in members if evidence.lower[i] not in STOPWORDS]
        if words and all(pos and not neg for pos, neg in (claim.polarity_of(w) for w in words)):
            said = evidence.text[evidence.tokens[owner][1] : evidence.tokens[members[-1]][2]]
            return Contradiction(NEGATION, f'the passage says "{said}"; the claim states it without the negation')
    return None


def _negates_other_value(claim: _Text, i: int, evidence: _Text) -> bool:
    """The claim negates a number or an ordinal the passage gives differently: "not the first" / "the fourth"."""
    negated = [n for n in claim.numbers if n.at == i]
    return bool(negated) and any(
        e.kind == negated[0].kind and not _same_value(e.value, negated[0].value) for e in evidence.numbers
    )


def _antonym(claim: _Text, evidence: _Text) -> Contradiction | None:
    def said(text: _Text, lemma: str, plainly: bool) -> int | None:
        for j, other in enumerate(text.lemmas):
            if other == lemma and (not plainly or j not in text.negated):
                return j
        return None

    for i, lemma in enumerate(claim.lemmas):
        if lemma not in _OPPOSITES or i in claim.negated or said(evidence, lemma, plainly=False) is not None:
            continue
        if _in_measure(claim, i) or _same_winner(claim, i, evidence):
            continue
        for opposite in sorted(_OPPOSITES[lemma]):
            j = said(evidence, opposite, plainly=True)
            if j is not None and not _in_measure(evidence, j) and said(claim, opposite, plainly=False) is None:
                return Contradiction(
                    ANTONYM, f'the claim says "{claim.tokens[i][0]}" where the passage says "{evidence.tokens[j][0]}"'
                )
    return _negating_prefix(claim, evidence) or _negating_prefix(evidence, claim, reverse=True)


_WINNING = frozenset({"win", "defeat", "victory", "beat"})


def _winner_of_loss(text: _Text, i: int) -> list[str] | None:
    """The winner in "A lost (the final) to B" when token i is "lost": B's name, else None."""
    if text.lemmas[i] != "lose":
        return None
    to = next((k for k in range(i + 1, min(i + 9, len(text.tokens))) if text.lower[k] == "to"), None)
    run = next((r for r in text.name_phrases if to is not None and r[0] == to + 1), None)
    return text.phrase_stems(run) if run else None


def _winners(text: _Text) -> list[list[str]]:
    """Who wins in the text: the doers of "won", "defeated", "beat", and B of "A lost to B"."""
    out: list[list[str]] = []
    for j, lemma in enumerate(text.lemmas):
        if lemma in _WINNING or text.lower[j] in ("beats", "beating"):
            out += text.agents(j) or _participle_subject(text, j)
        out += [w] if (w := _winner_of_loss(text, j)) else []
    return out


def _participle_subject(text: _Text, j: int) -> list[list[str]]:
    """Who does a participle that opens a clause ("Barty claimed the title, beating Pliskova", "after defeating
    Croatia"): the name the sentence starts with; [] when it starts otherwise."""
    if not text.lower[j].endswith("ing") or j == 0 or text.lower[j - 1] not in (",", "-", "after", "by", "before"):
        return []
    first = text.name_phrases[0] if text.name_phrases else None
    return [text.phrase_stems(first)] if first and first[0] == text._first_word else []


def _same_winner(claim: _Text, i: int, evidence: _Text) -> bool:
    """Winning and losing told from the other side: "B lost to A" for "A defeated B", and the other way round."""
    if claim.lemmas[i] == "lose":
        winner = _winner_of_loss(claim, i)
        claimed = [winner] if winner else []
    elif claim.lemmas[i] in _WINNING:
        claimed = claim.agents(i) or []
    else:
        return False
    return any(_same_phrase(c, w) for c in claimed for w in _winners(evidence))


def _other_winner(claim: _Text, evidence: _Text) -> Contradiction | None:
    """Winner and loser exchanged across "lost to" and "defeated": "Jones lost to Smith" for "Jones defeated Smith"."""
    found = _winners(evidence)
    if not found:
        return None
    for i, lemma in enumerate(claim.lemmas):
        winner = _winner_of_loss(claim, i)
        claimed = [winner] if winner else (claim.agents(i) or [] if lemma in _WINNING else [])
        named = [c for c in claimed if all(evidence.has_word(w) for w in c)]
        if named and not any(_same_phrase(c, w) for c in named for w in found):
            return Contradiction(
                SWAPPED_NAMES, f"the passage has {_names(evidence, found)} win, the claim {_names(claim, named)}"
            )
    return None


def _in_measure(text: _Text, i: int) -> bool:
    """The word closes a hyphenated measure ("18-year-old", "a two-week-long visit"): not an adjective of its own."""
    return i >= 2 and text.tokens[i - 1][0] == "-" and text.lower[i - 2] in _MEASURE_UNITS


_MEASURE_UNITS = frozenset("year month week day hour minute".split())
# Prefixes that make an opposite: un-/non- before any word; in-/im-/il-/ir-/dis- only before adjectives
# ("impartial", "dishonest"), since before verbs they mostly make other words ("inform", "dismissed").
_OPPOSITE_PREFIXES = ("non", "un")
_ADJECTIVE_PREFIXES = ("dis", "im", "in", "il", "ir")
_ADJECTIVE_ENDINGS = ("al", "ar", "ible", "able", "ent", "ant", "ive", "ous", "ect", "ate", "est", "ful", "ic")
_PREFIXED_BASE_LETTERS = 5  # "unless" is not the opposite of "less"


def _prefixed(text: _Text) -> dict[int, tuple[str, int]]:
    """Words made opposite by a prefix: index of the base word -> (the base, index where the form starts)."""
    out: dict[int, tuple[str, int]] = {}
    for i, low in enumerate(text.lower):
        if not text.is_word(i):
            continue
        if low == "non" and i + 2 < len(text.tokens) and text.tokens[i + 1][0] == "-" and text.is_word(i + 2):
            out[i + 2] = (text.lower[i + 2], i)  # "non-profit"
            continue
        for prefix in _OPPOSITE_PREFIXES + _ADJECTIVE_PREFIXES:
            base = low[len(prefix) :]
            if not low.startswith(prefix) or len(base) < _PREFIXED_BASE_LETTERS:
                continue
            if prefix in _ADJECTIVE_PREFIXES and not base.endswith(_ADJECTIVE_ENDINGS):
                continue
            out[i] = (base, i)
            break
    return out


def _negating_prefix(claim: _Text, evidence: _Text, reverse: bool = False) -> Contradiction | None:
    """The passage says a word with a negating prefix ("impartial", "non-profit") and the claim the bare
    word ("partial", "for-profit"); with ``reverse``, the claim has the prefix."""
    claim_forms = _prefixed(claim)
    for j, (base, form_start) in _prefixed(evidence).items():
        if j in evidence.negated or any(same_word(base, b) for b, _ in claim_forms.values()):
            continue
        for i, low in enumerate(claim.lower):
            if i in claim_forms or i in claim.negated or not claim.is_word(i) or not same_word(base, low):
                continue
            form = evidence.text[evidence.tokens[form_start][1] : evidence.tokens[j][2]]
            a, b = (claim.tokens[i][0], form) if not reverse else (form, claim.tokens[i][0])
            return Contradiction(ANTONYM, f'the claim says "{a}" where the passage says "{b}"')
    return None


def _numbers(claim: _Text, evidence: _Text) -> Contradiction | None:
    given = evidence.numbers
    for num in claim.numbers:
        if num.at in claim.negated:
            continue  # "not the first": any other value agrees; the same value is a negation (that rule's)
        # A count of something the passage counts too is compared with that count ("19 countries" is not
        # backed by "nine countries"), or with the same value given without saying what it counts ("with 39").
        counted = [e for e in given if e.kind == num.kind and num.noun and e.noun and same_word(num.noun, e.noun)]
        if counted:
            if any(_same_number(num, e) and (e in counted or e.noun is None and e.kind == num.kind) for e in given):
                continue
            return Contradiction(NUMBER, f'the claim says "{num.text}" where the passage says "{counted[0].text}"')
        if any(_same_number(num, e) for e in given):
            continue
        if num.weak:
            continue
        same_kind = [e for e in given if e.kind == num.kind and not e.weak]
        if same_kind:
            shown = ", ".join(f'"{e.text}"' for e in same_kind[:3])
            return Contradiction(NUMBER, f'the claim says "{num.text}" where the passage says {shown}')
        return Contradiction(UNSTATED_NUMBER, f'the passage does not give "{num.text}"')
    return None


def _same_phrase(a: list[str], b: list[str]) -> bool:
    """One name is part of the other ("Kim" / "Kim Jong Un", "North Korean" / "North Korea"), its
    initialism ("US" / "United States"), or a country and its capital ("China" / "Beijing")."""
    pa, pb = " ".join(a), " ".join(b)
    if capital_of_each_other(pa, pb):
        return True
    small, big = sorted((a, b), key=len)
    if len(small) == 1 and len(big) > 1 and 2 <= len(small[0]) <= 4 and small[0] == "".join(w[0] for w in big):
        return True
    return all(any(same_word(x, y) for y in big) for x in small)


def _swapped_names(claim: _Text, evidence: _Text) -> Contradiction | None:
    for i in claim.verbs():
        claim_agents = claim.agents(i)
        if not claim_agents:
            continue
        if i + 1 < len(claim.lower) and claim.lower[i + 1] == "with":
            continue  # "travelled with": either way round
        verdicts = []
        for j in evidence.verbs():
            if not same_word(claim.lemmas[i], evidence.lemmas[j]):
                continue
            if j + 1 < len(evidence.lower) and evidence.lower[j + 1] == "with":
                continue
            ev_agents = evidence.agents(j)
            if not ev_agents:
                continue
            verdicts.append((any(_same_phrase(a, b) for a in claim_agents for b in ev_agents), j, ev_agents))
        if verdicts and not any(ok for ok, _, _ in verdicts):
            _, j, ev_agents = verdicts[0]
            return Contradiction(
                SWAPPED_NAMES,
                f'the passage says {_names(evidence, ev_agents)} "{evidence.tokens[j][0]}", '
                f"the claim says {_names(claim, claim_agents)}",
            )
    return None


def _names(text: _Text, phrases: list[list[str]]) -> str:
    """The names as written in ``text`` ("Putin and Kim")."""
    shown = []
    for stems in phrases:
        run = next((r for r in text.name_phrases if text.phrase_stems(r) == stems), None)
        shown.append(text.text[text.tokens[run[0]][1] : text.tokens[run[1] - 1][2]] if run else " ".join(stems))
    return " and ".join(shown)


def _unstated_name(claim: _Text, evidence: _Text, context: _Text | None) -> Contradiction | None:
    """Every name in the claim is in the evidence, or partly there and completed by the context.

    A name may be written as an initialism ("US", "U.N." / "United States", "United Nations") or
    abbreviated ("Kan." / "Kansas").
    """
    covered = 0  # a dotted initialism ("U.N.") is cut into one run per letter: its later letters are covered
    for run in claim.name_phrases:
        if run[0] < covered:
            continue
        initialism = _initialism_of_either(claim, run, evidence)
        if initialism is not None:
            covered = initialism
            continue
        stems = claim.phrase_stems(run)
        in_evidence = [
            evidence.has_word(s) or _abbreviated_in_either(claim, k, evidence) for k, s in zip(range(*run), stems)
        ]
        if all(in_evidence):
            continue
        if any(in_evidence) and context is not None and all(context.has_word(s) or evidence.has_word(s) for s in stems):
            continue
        missing = [s for s, found in zip(stems, in_evidence) if not found]
        if _stood_for_by_capital(stems, missing, evidence) or _referred_to(stems, claim, evidence, context):
            continue
        name = claim.text[claim.tokens[run[0]][1] : claim.tokens[run[1] - 1][2]]
        return Contradiction(UNSTATED_NAME, f'the passage does not name "{name}"')
    return None


def _stood_for_by_capital(stems: list[str], missing: list[str], evidence: _Text) -> bool:
    """The words of the name the evidence lacks are a country whose capital it names, or a capital whose country
    (or "the Chinese capital") it names: "China" / "Beijing", "Moscow and Pyongyang" / "Russia and North Korea"."""
    covered: set[str] = set()
    for size in (3, 2, 1):
        for k in range(len(stems) - size + 1):
            phrase = " ".join(stems[k : k + size])
            if phrase in CAPITALS:
                other = CAPITALS[phrase].split()
                if all(evidence.has_word(w) for w in other):
                    covered.update(stems[k : k + size])
            elif phrase in COUNTRY_OF_CAPITAL:
                country = COUNTRY_OF_CAPITAL[phrase].split()
                named = all(evidence.has_word(w) for w in country)
                said_capital = any(
                    evidence.lower[j] == "capital" and j > 0 and same_word(evidence.lower[j - 1], country[-1])
                    for j in range(len(evidence.tokens))
                )
                if named or said_capital:
                    covered.update(stems[k : k + size])
    return bool(missing) and all(m in covered for m in missing)


# Words that refer to a person the sentence does not name: "he", "the Russian leader", "the two leaders".
_PRONOUNS = frozenset("he she him his her".split())
_ROLE_NOUNS = frozenset(
    """leader president minister premier chancellor counterpart chief spokesperson spokesman spokeswoman aide
    envoy""".split()
)
_GROUP_NOUNS = frozenset("leaders presidents ministers counterparts pair duo".split())  # "the two leaders"
_REFERENCE_OPENERS = frozenset("the his her its their both".split())


def _titled_people(context: _Text) -> list[tuple[int, list[str], str]]:
    """People the context names with a title: (where, the name's stems, the title and the words before it)."""
    out = []
    for m in TITLED_NAME.finditer(context.text):
        name = [_stem(w) for w in re.findall(r"[A-Za-z'’\-]+", m.group(1))]
        out.append((m.start(), name, context.text[max(0, m.start() - 30) : m.start(1)].lower()))
    return out


def _referents(evidence: _Text, context: _Text) -> list[list[str]]:
    """The titled people of the context the evidence's pronouns and roles may stand for: for a role with words
    before it ("the North Korean leader") those titled with the same words; for a group ("the two leaders") all;
    for a pronoun or a bare role those named before the evidence (all when it is not found in the context)."""
    people = _titled_people(context)
    where = context.text.find(evidence.text[:60])
    before = [p for p in people if where < 0 or p[0] < where]
    found: list[list[str]] = []
    for i, low in enumerate(evidence.lower):
        if low in _PRONOUNS:
            found += [name for _, name, _ in before]
            continue
        if (low not in _ROLE_NOUNS and low not in _GROUP_NOUNS) or (
            i + 1 < len(evidence.tokens) and evidence.is_name(i + 1)
        ):
            continue  # not a role, or a title ("President Xi")
        k = i - 1
        while k >= 0 and i - k <= 4 and evidence.lower[k] not in _REFERENCE_OPENERS and evidence.is_word(k):
            k -= 1
        if k < 0 or evidence.lower[k] not in _REFERENCE_OPENERS:
            continue  # "other leaders", "leaders from 26 countries": no one in particular
        modifiers = [_stem(w) for w in evidence.lower[k + 1 : i] if w not in UNIT_WORDS and w not in ("'s", "’s")]
        if low in _GROUP_NOUNS:
            found += [name for _, name, _ in people]
        elif modifiers:
            found += [
                name for _, name, title in people if all(any(same_word(m, w) for w in title.split()) for m in modifiers)
            ]
        else:
            found += [name for _, name, _ in before]
    return found


def _referred_to(stems: list[str], claim: _Text, evidence: _Text, context: _Text | None) -> bool:
    """The claim names a person the evidence refers to by pronoun or role ("he", "the North Korean leader"),
    named with a title in the context ("North Korean leader Kim Jong Un"), while the evidence names no titled
    person of the context the claim leaves out (so "Kim lauded ..." is not backed by "Putin lauded ..., he said")."""
    if context is None:
        return False
    referents = _referents(evidence, context)
    if not any(all(any(same_word(s, w) for w in person) for s in stems) for person in referents):
        return False
    for _, person, _ in _titled_people(context):
        in_evidence = any(len(w) >= 3 and evidence.has_word(w) for w in person)
        if in_evidence and not any(len(w) >= 3 and claim.has_word(w) for w in person):
            return False
    return True


def _initials(text: _Text, run: tuple[int, int]) -> str:
    return "".join(text.tokens[k][0][0] for k in range(*run) if text.tokens[k][0][0].isupper())


def _initialism(text: _Text, run: tuple[int, int]) -> tuple[str, int] | None:
    """The letters of a name written as an initialism ("US", "U.S.", "SCO") and the token after it, or None."""
    letters = "".join(text.tokens[k][0] for k in range(*run))
    if run[1] - run[0] == 1 and 2 <= len(letters) <= 6 and letters.isupper():
        return letters, run[1]
    end = run[1]
    while end + 1 < len(text.tokens) and text.tokens[end][0] == "." and text.tokens[end + 1][0].isupper():
        end += 2  # "U . S ." is tokenised letter by letter
    if end > run[1] and all(len(text.tokens[k][0]) == 1 for k in range(run[0], end)):
        return "".join(text.tokens[k][0] for k in range(run[0], end) if text.tokens[k][0] != "."), end
    return None


def _initialism_of_either(claim: _Text, run: tuple[int, int], evidence: _Text) -> int | None:
    """Where the claim's name ends when it is the initialism of one of the evidence's names, or the other
    way round; None otherwise."""
    short = _initialism(claim, run)
    if short and any(_initials(evidence, r) == short[0] and r[1] - r[0] > 1 for r in evidence.name_phrases):
        return short[1]
    initials = _initials(claim, run) if run[1] - run[0] > 1 else ""
    if initials and any((_initialism(evidence, r) or ("", 0))[0] == initials for r in evidence.name_phrases):
        return run[1]
    return None


def _abbreviated_in_either(claim: _Text, k: int, evidence: _Text) -> bool:
    """Word k of the claim is abbreviated in the evidence ("Kansas" / "Kan."), or abbreviates one of its words."""
    word = claim.lower[k]
    claim_dotted = k + 1 < len(claim.tokens) and claim.tokens[k + 1][0] == "." and len(word) >= 2
    for j, other in enumerate(evidence.lower):
        if not evidence.is_word(j) or not evidence.tokens[j][0][0].isupper():
            continue
        dotted = j + 1 < len(evidence.tokens) and evidence.tokens[j + 1][0] == "." and len(other) >= 2
        if dotted and len(word) > len(other) and word.startswith(other):
            return True
        if claim_dotted and len(other) > len(word) and other.startswith(word):
            return True
    return False
