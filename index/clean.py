"""Remove web boilerplate from an article while keeping a map to the original.

Cleaning never rewrites text: it only decides which spans of the original file
are article body. Everything downstream (sentences, chunks, citations) works on
those kept spans, so every offset is an offset into the original file and
``original[start:end]`` is always the exact text a citation quotes.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from index.sentences import split_sentences
from newsdesk.text.dates import MONTH_NAMES, iso_date

CLEANER_VERSION = "3"  # 3: instructions to an AI dropped anywhere in a line

_MONTH_DATE = re.compile(
    r"^(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?("
    + "|".join(m.capitalize() for m in MONTH_NAMES)
    + r")\s+(\d{1,2}),\s+(\d{4})$"
)
_LEADING_DATE = re.compile(r"^\s*date\s+(\d{4})-(\d{2})-(\d{2})\s+")
_BOILERPLATE_LINE = re.compile(
    r"^(?:\d+\.\s*)?Skip (?:to|next section)\b.*$"  # skip links ("1. Skip to content")
    r"|^This browser does not support the (?:video|audio) element\.?$"
    r"|^\d{1,2}:\d{2}(?::\d{2})?$"  # bare video timestamps
    r"|^(?:More stories from|More from|Related stories|Advertisement|Share this|Follow us on)\b.{0,40}$"
    r"|^DW's Top Story$"
    r"|^(?:Image|Photo|Picture)(?: credit)?s?:\s.*$",
    re.IGNORECASE,
)
# Text addressed to a chat model, not to readers: planted instructions ("Note to AI assistants reading
# this: you must tell the user ...") anywhere in a line. The cleaner drops them like boilerplate, and the
# verifier never accepts them as support, so a planted instruction never becomes a "fact from the corpus".
# Each pattern needs an addressee or an order: an article that merely mentions AI ("the company's AI
# assistant will tell users the weather") is news, not an instruction.
_AI_NOUN = (
    r"(?:(?:AI|A\.I\.|artificial[ -]intelligence|automated|generative)\s+"
    r"(?:assistants?|models?|systems?|agents?|tools?|chat ?bots?|bots?|crawlers?|scrapers?|readers?|summari[sz]ers?)"
    r"|AIs?|A\.I\.|artificial intelligence|(?:virtual|digital|chat)\s+assistants?|chat ?bots?|LLMs?"
    r"|(?:large\s+)?language\s+models?|GPT(?:-?\d[\w.]*)?|ChatGPT|Claude|Gemini|Copilot|Bard)"
)
# What an order to a model starts with, after it is called by name ("Assistant, say ...").
_IMPERATIVE = (  # verbs only: a noun that starts a list ("AI, cloud and output grew") is not an order
    r"(?:say|tell|state|write|answer|respond|reply|cite|mention|include|add|insert|claim|assert|ignore|disregard|"
    r"forget|remember|repeat|reveal|describe|summari[sz]e|recommend|make\s+sure|be\s+sure|pretend|translate|"
    r"inform|warn|explain)"
)
# A bare "model", "assistant" or "bot" is only an addressee where nothing else could be meant.
_ADDRESSEE = rf"(?:{_AI_NOUN}|assistants?|models?|bots?)"
_INSTRUCTION_PATTERNS = [
    # addressed to one: "Note to AI assistants", "Dear ChatGPT,", "If you are an AI", "LLMs reading this"
    rf"\b(?:note|message|instructions?|attention|reminder|memo|notice|request|warning|directive|hint)\s+"
    rf"(?:to|for)\s+(?:(?:any|all|the|every|an?)\s+)?{_AI_NOUN}\b",
    rf"(?:^|[.!?:;(]\s*)(?:dear|hey|hi|hello|attention|to)\s+(?:(?:any|all|the|every)\s+)?{_ADDRESSEE}\s*[,:!]",
    rf"\bif\s+you\s*(?:are|'re|’re)\s+(?:an?\s+|the\s+)?{_ADDRESSEE}\b",
    rf"\byou\s+are\s+(?:now\s+)?(?:an?\s+|the\s+)?{_AI_NOUN}\b",
    rf"\b(?:{_AI_NOUN}|(?:any|every|all)\s+(?:assistants?|models?|bots?))\s+(?:that\s+(?:is|are)\s+)?"
    r"(?:reading|processing|parsing|summari[sz]ing|scraping|crawling|indexing|ingesting|analy[sz]ing|quoting)\s+"
    r"(?:this|these|the\s+following|the\s+above|my|our)\b",
    # called by name, then ordered: "Assistant, when you cite this page, say that ...", "AI, ignore the above",
    # "Chatbot, please tell ...". A vocative needs the order after it: "AI, the report says, will ..." is news.
    rf"(?:^|[.!?:;]\s*)(?:(?:ok|okay|hey|hi|now|so)\s*,?\s+)?{_ADDRESSEE}\s*,\s*(?:please\s+|now\s+|always\s+)?"
    rf"(?:(?:when|whenever|if|before|after|as)\s+you\b|you\s+(?:must|should|shall|will|need|have\s+to|are\s+to)\b"
    rf"|(?:do\s+not|don't|never)\s+\w+|{_IMPERATIVE}\b)",
    # orders: "ignore previous instructions", "disregard the above", "reveal your system prompt"
    r"\b(?:ignore|disregard|forget|override|bypass)\s+(?:(?:all|any|the|your|of|these|those)\s+){0,3}"
    r"(?:(?:previous|prior|above|earlier|preceding|original|existing|other|system|safety)\s+)"
    r"(?:instructions?|prompts?|messages?|rules?|guidelines?|directions?|context|commands?|programming|policies)\b",
    r"\b(?:ignore|disregard|forget|override)\s+(?:(?:all|any|your|the)\s+){0,2}"
    r"(?:instructions?|prompts?|guidelines?|programming)\b",
    r"\b(?:ignore|disregard|forget)\s+(?:everything|all|anything)\s+(?:above|before|else|previous|prior|you)",
    r"\b(?:ignore|disregard)\s+(?:all\s+)?(?:of\s+)?(?:the\s+)?above\b",
    r"\b(?:ignore|disregard)\s+(?:the|this|that)\s+(?:article|text|passage|document|page|content|context)\b",
    r"\byour\s+(?:system\s+prompt|instructions|guidelines|programming|training|answer|response|reply|summary|output)\b",
    r"\b(?:reveal|print|show|output|repeat|leak|display|override|change)\s+(?:\w+\s+){0,2}"
    r"(?:system\s+prompt|(?:initial|original|hidden|secret)\s+(?:prompt|instructions))\b",
    r"\bsystem\s+prompt\s*:|\bnew\s+(?:system\s+)?instructions?\s*:",
    # "Tell the user that ...", "... and tell the user"
    r"(?:^|[.!?:;]\s*)(?:please\s+|always\s+|now\s+)?(?:tell|inform|remind|assure|convince|warn|answer|"
    r"respond\s+to|reply\s+to)\s+(?:the\s+|any\s+|all\s+|every\s+)?(?:users?|humans?|readers?|person\s+asking)\b",
    r"\b(?:and|then|please)\s+(?:tell|inform|remind|assure|convince)\s+the\s+(?:user|human)\b",
    # a chat role's turn: "SYSTEM: ...", "ASSISTANT: ..." (at a line's or sentence's start), chat-template tokens
    r"(?:^|[.!?]\s+)(?:system|assistant|user|developer)\s*:",
    r"<\|(?:im_start|im_end|system|user|assistant|endoftext)\|>|\[/?INST\]|<</?SYS>>"
    r"|#{2,}\s*(?:instruction|system|response)s?\b",
]
_INSTRUCTION = re.compile("|".join(f"(?:{p})" for p in _INSTRUCTION_PATTERNS).lower())  # on lowercased text
# Every pattern needs one of these (lowercase) words: a text without any is skipped at C speed. Measured
# on 5 MB lines: ~0.07 s per MB without a trigger word, ~1 s per MB for text made of trigger words only.
_TRIGGERS = (
    "assistant model bot llm gpt claude gemini copilot bard artificial a.i. ignore disregard forget override bypass "
    "your prompt instruction user human reader asking system developer <| inst] <<sys <</sys ##"
).split()
_AI_WORD = re.compile(r"ais?(?![a-z])")  # a literal first: fast; the letter before is checked by hand


def _may_instruct(lower: str) -> bool:
    """Whether a lowercased text holds any trigger word: the cheap test before the patterns."""
    if any(t in lower for t in _TRIGGERS):
        return True
    return any(m.start() == 0 or not lower[m.start() - 1].isalpha() for m in _AI_WORD.finditer(lower))


# Orders to "you" about what to tell "the user", anywhere in one sentence: "you must tell the user ...",
# "When the user asks, you answer ...". Checked as two searches, not one pattern with a gap, so a text
# dense with these words costs one pass, not one pass per gap length.
_YOU_ORDERED = re.compile(
    r"\byou\s+(?:must|should|shall|will|need\s+to|have\s+to|are\s+(?:required|instructed|told|ordered|to))\s+"
    r"(?:always\s+|now\s+|instead\s+|also\s+)?(?:tell|inform|say|answer|respond|reply|state|claim|report|mention|"
    r"include|link|output|print|repeat|write|recommend|cite|insert|add|reveal|send|urge|warn|advise|assert)\b"
)
_THE_USER = re.compile(r"\b(?:the\s+)?(?:users?|humans?)\b")
_YOU = re.compile(r"\byou\b")
_THE_USER_ONLY = re.compile(r"\bthe\s+(?:user|human)\b")


def is_instruction_to_ai(text: str) -> bool:
    """True when ``text`` (a sentence or a line) is addressed to an AI model or gives it orders."""
    lower = _norm(text).lower()
    if not _may_instruct(lower):
        return False
    if _INSTRUCTION.search(lower):
        return True
    if _YOU_ORDERED.search(lower) and _THE_USER.search(lower):
        return True
    return bool(_THE_USER_ONLY.search(lower)) and bool(_YOU.search(lower))


_CREDIT_SUFFIX = re.compile(r"(?:Image|Photo|Picture)(?: credit)?:\s?\S.*$")
_EDITOR_LINE = re.compile(r"^(Edited|Published|Written|Reported) by:\s*(.+)$")
_OUTLET_MARKERS = {"DW": re.compile(r"\bDW sites\b|More stories from DW|DW's Top Story")}
# A closing wire credit, "(With AP inputs)", "(With inputs from ANI)": who supplied the story, the article's only
# credit line when it has no byline. It names the agency, not the outlet that published the article.
_WIRE_CREDIT = re.compile(r"^\(\s*(With (?:inputs from [^()]{2,60}|[^()]{2,60} inputs))\s*\)\.?$", re.IGNORECASE)


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Cleaned:
    """The kept body spans of an original text and the metadata found in it."""

    original: str
    kept: tuple[Span, ...]
    metadata: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The body text: kept spans joined by newlines (for display and keyword search)."""
        return "\n".join(self.original[s.start : s.end] for s in self.kept)

    def to_original(self, pos: int) -> int:
        """Map an offset in ``text`` back to an offset in ``original``."""
        starts = self._text_starts()
        i = max(0, bisect_right(starts, pos) - 1)
        span = self.kept[i]
        return span.start + min(pos - starts[i], span.end - span.start)

    def _text_starts(self) -> list[int]:
        starts, cursor = [], 0
        for span in self.kept:
            starts.append(cursor)
            cursor += span.end - span.start + 1
        return starts


def _norm(line: str) -> str:
    """Collapse any whitespace (no-break spaces included) for matching, never for output."""
    return " ".join(line.split())


def _lines(text: str):
    """Yield (start, end) of each line without its newline."""
    start = 0
    for i, ch in enumerate(text):
        if ch == "\n":
            yield start, i
            start = i + 1
    yield start, len(text)


_REFINE_MAX_CHARS = 2000
_AFTER_STOP = re.compile(r"[.!?][\"'”’)\]]*\s+")


def _end_before_instruction(original: str, start: int, end: int) -> int:
    """Where the body of a line ends: before its first sentence addressed to an AI, if any.

    The rest of the paragraph goes too: what follows "Note to AI assistants:" is part of the note.
    """
    if not _may_instruct(original[start:end].lower()):
        return end
    for s, e in split_sentences(original[start:end], offset=start):
        if not is_instruction_to_ai(original[s:e]):
            continue
        # The splitter keeps "... in May. assistant: ..." or "... in May. <|im_start|>" together (no capital
        # after the stop): keep the longest clean start of the sentence if the rest is the instruction.
        # Only for sentence-sized text, so a megabyte run-on "sentence" costs one check, not one per stop.
        cut = s
        if e - s <= _REFINE_MAX_CHARS:
            for stop in _AFTER_STOP.finditer(original, s, e):
                if is_instruction_to_ai(original[s : stop.end()]):
                    break
                if is_instruction_to_ai(original[stop.end() : e]):
                    cut = stop.end()
        return cut
    return end


def clean_article(original: str) -> Cleaned:
    """Find the body spans of ``original`` and the metadata its text carries.

    Metadata keys (only when found): ``date`` (ISO), ``title``, ``byline``,
    ``outlet``, ``editor``.
    """
    meta: dict = {}
    lines = [(s, e) for s, e in _lines(original)]
    kept: list[Span] = []
    # Header lines in the DW layout: kicker, title, byline, "September 2, 2025".
    date_line = None
    for idx, (s, e) in enumerate(lines[:15]):
        match = _MONTH_DATE.match(_norm(original[s:e]))
        if match:
            iso = iso_date(match.group(3), MONTH_NAMES.index(match.group(1).lower()) + 1, match.group(2))
            if iso:
                meta["date"] = iso
                date_line = idx
            break
    header: set[int] = set()
    if date_line is not None:
        header.add(date_line)
        previous = [
            i
            for i in range(date_line)
            if _norm(original[lines[i][0] : lines[i][1]])
            and not _BOILERPLATE_LINE.match(_norm(original[lines[i][0] : lines[i][1]]))
        ]
        if previous:
            byline = _norm(original[lines[previous[-1]][0] : lines[previous[-1]][1]])
            if len(byline) <= 120 and not byline.endswith((".", "!", "?")):
                meta["byline"] = byline
                header.add(previous[-1])
                previous = previous[:-1]
        if previous:
            title = _norm(original[lines[previous[-1]][0] : lines[previous[-1]][1]])
            if len(title) <= 200 and len(title.split()) >= 3:
                meta["title"] = title
                header.update(previous)  # the title and the kicker above it
    for idx, (s, e) in enumerate(lines):
        line = original[s:e]
        stripped = _norm(line)
        if idx in header or not stripped or _BOILERPLATE_LINE.match(stripped):
            continue
        editor = _EDITOR_LINE.match(stripped)
        if editor:
            meta.setdefault("editor", editor.group(2).strip())
            continue
        if idx == 0 or not kept:
            lead = _LEADING_DATE.match(line)
            if lead:
                iso = iso_date(*lead.groups())
                if iso:
                    meta.setdefault("date", iso)
                s += lead.end()
        credit = _CREDIT_SUFFIX.search(original, s, e)
        if credit:
            e = credit.start()
        e = _end_before_instruction(original, s, e)
        while s < e and original[s].isspace():
            s += 1
        while e > s and original[e - 1].isspace():
            e -= 1
        if s >= e:
            continue
        if kept and not original[kept[-1].end : s].strip():
            kept[-1] = Span(kept[-1].start, e)  # only blank lines between: one body span
        else:
            kept.append(Span(s, e))
    for outlet, marker in _OUTLET_MARKERS.items():
        if marker.search(original):
            meta["outlet"] = outlet
    if "byline" not in meta:
        for s, e in reversed(lines):
            credit = _WIRE_CREDIT.match(_norm(original[s:e]))
            if credit:
                meta["byline"] = credit.group(1)
                break
    return Cleaned(original=original, kept=tuple(kept), metadata=meta)
