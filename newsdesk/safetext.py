"""Pure text guards for what people type, what articles carry and what Newsdesk shows.

- ``clean_question_text``: a question as typed, without controls or invisible characters; empty when
  nothing visible is left (a question of zero-width spaces is an empty question).
- ``without_bidi_controls``: article text without the explicit bidirectional embeddings, overrides and
  isolates (U+202A-202E, U+2066-2069) that can make a reader see text reversed.
- ``mask_url`` / ``mask_urls``: ``http://user:pw@host`` -> ``http://***@host``, for anything shown or stored.
- ``terminal_text``: text safe to print to a terminal: no escape sequences (CSI, OSC, DCS, ...), no C0/C1
  controls but newline and tab, no bidi controls, URL credentials masked.
- ``terminal_json``: JSON for a terminal, every string kept whole (controls are written as \\u escapes).
"""

from __future__ import annotations

import json
import re
import unicodedata

# Explicit directional formatting (UAX #9): embeddings and overrides (LRE RLE PDF LRO RLO) and isolates
# (LRI RLI FSI PDI). They reorder whole runs ("Trojan Source"); the implicit marks LRM/RLM/ALM only nudge
# neutral characters and are kept, as Arabic and Hebrew news text uses them.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")

# Zero-width joiners shape Indic, Arabic-script and emoji text: kept inside a question, but alone they
# are not something a person can see, so they never make a question non-empty.
_JOINERS = frozenset("\u200c\u200d")
# Characters that are letters or marks by category yet show nothing: Hangul fillers, the braille blank,
# the combining grapheme joiner and the variation selectors.
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f") | frozenset(map(chr, range(0xFE00, 0xFE10)))
_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _invisible(ch: str) -> bool:
    return (
        ch.isspace()
        or ch in _BLANK
        or unicodedata.category(ch) in ("Cc", "Cf", "Cs")
        or "\U000e0100" <= ch <= "\U000e01ef"  # variation selectors supplement
    )


def clean_question_text(text: str) -> str:
    """``text`` with controls as spaces, invisible format characters (zero-width spaces, bidi controls,
    tag characters, BOM) removed and whitespace collapsed; "" when no visible character is left."""
    if text.isascii():
        return " ".join(_ASCII_CONTROL.sub(" ", text).split())
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cc":
            kept.append(" ")
        elif (category == "Cf" and ch not in _JOINERS) or category == "Cs":
            continue  # a lone surrogate cannot even be encoded
        else:
            kept.append(ch)
    cleaned = " ".join("".join(kept).split())
    return cleaned if not all(_invisible(ch) for ch in cleaned) else ""


def without_bidi_controls(text: str) -> tuple[str, int]:
    """``text`` without explicit bidi embeddings, overrides and isolates, and how many were removed."""
    return _BIDI.subn("", text)


# scheme://userinfo@ -- greedy to the last "@" of the authority, as URL parsers read it.
# The scheme is bounded so that a long run like "a.a.a.a..." is not re-scanned from every letter.
_URL_USERINFO = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]{0,31}://)[^\s/?#@]*(?:@[^\s/?#@]*)*@")


def mask_urls(text: str) -> str:
    """Every ``scheme://user:password@`` in ``text`` with its user-info replaced by ``***``."""
    return _URL_USERINFO.sub(r"\1***@", text)


def mask_url(url: str | None) -> str | None:
    """A URL fit to show or store: ``http://user:pw@host:8080/v1`` -> ``http://***@host:8080/v1``."""
    return None if url is None else mask_urls(url)


# Terminal escape sequences (ECMA-48), 7-bit and 8-bit forms. A string sequence (OSC, DCS, SOS, PM, APC)
# is removed with its payload only when terminated (a terminal would swallow text up to the terminator;
# an unterminated one loses just its introducer below, its text stays visible and inert).
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: cursor moves, clear screen, colours
    r"|(?:\x1b[\]PX^_]|[\x9d\x90\x98\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"  # OSC (titles, clipboard), DCS...
    r"|\x1b[ -/]*[0-~]"  # any other escape: character sets, keypad modes, reset (ESC c)
)
_TERMINAL_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}]")


def terminal_text(text: str) -> str:
    """``text`` safe to print: escape sequences, controls (except newline and tab) and bidi controls
    removed, URL user-info masked. Everything the command lines print goes through this."""
    return mask_urls(_TERMINAL_CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text)))


# json.dumps(ensure_ascii=False) escapes C0 controls but writes DEL, C1 (8-bit CSI/OSC) and bidi controls raw.
_JSON_RAW_CONTROL = re.compile(f"[\x7f-\x9f\u2028\u2029{BIDI_CONTROLS}]")


def terminal_json(data, **dumps_options) -> str:
    """``json.dumps(data, ensure_ascii=False)`` with every character a terminal would act on written as a
    ``\\uXXXX`` escape: the text stays whole for a program reading it, inert for a person seeing it."""
    text = json.dumps(data, ensure_ascii=False, **dumps_options)
    return _JSON_RAW_CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
