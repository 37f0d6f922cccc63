"""Answer values: normalise them, and decide whether two sources give the same one."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from newsdesk.text.dates import date_parts
from newsdesk.text.numbers import TENS_WORDS, UNIT_WORDS

_HEDGE = re.compile(
    r"^(?:roughly|about|around|nearly|almost|over|more than|some|at least|up to|approximately|in|on|the)\s+", re.I
)
_SMALL_NUMBERS = {w: str(v) for w, v in (UNIT_WORDS | TENS_WORDS).items() if 1 <= v} | {"a": "1", "an": "1"}


def normalize_value(value: str) -> str:
    """'roughly 15,000' ~ '15000'; 'four-day' ~ '4 day'; 'in Tampa, Florida' ~ 'tampa florida'."""
    text = value.lower().strip()
    while _HEDGE.match(text):
        text = _HEDGE.sub("", text, count=1)
    text = text.replace(",", "").replace("-", " ")
    parts = [_SMALL_NUMBERS.get(w, w) for w in re.findall(r"[a-z0-9.]+", text)]
    parts = [w[:-1] if w.endswith("s") and len(w) > 3 else w for w in parts]
    return " ".join(parts)


def values_agree(a: str, b: str, kind: str | None = None) -> bool:
    """Same value, or one a less precise form of the other ('May 2012' ~ 'May 15, 2012')."""
    if kind == "date":
        pa, pb = date_parts(a), date_parts(b)
        if pa and pb:
            return all(pa[k] == pb[k] for k in pa.keys() & pb.keys())
    na, nb = normalize_value(a), normalize_value(b)
    if na == nb or (len(na) > 2 and len(nb) > 2 and (na in nb or nb in na)):
        return True
    return kind == "person" and SequenceMatcher(None, na, nb).ratio() >= 0.85  # 'Cristophe' ~ 'Christophe'
