"""What the checks of hand-written suite files share: reading them, normalising questions, the seed articles
as the index keeps them, and whether a case is grounded in its sources."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

from index.clean import clean_article


def jsonl_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def normalized(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def kept_seed_texts(corpus: Path) -> dict[str, str]:
    """Each seed article as the index keeps it (metadata lines and page furniture removed)."""
    kept = {}
    for path in sorted(corpus.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        kept[path.stem] = "\n".join(text[s.start : s.end] for s in clean_article(text).kept)
    return kept


def check_grounded(case: dict, texts: dict[str, str]) -> None:
    """Each quote is in a gold source, each gold source holds a quote, each alias is in a gold source
    (for "all": in the quotes)."""
    gold = {d: texts[d] for d in case["sources"]}
    for quote in case["evidence"]:
        assert any(quote in text for text in gold.values()), (case["id"], quote[:60])
    for doc_id, text in gold.items():
        assert any(quote in text for quote in case["evidence"]), (case["id"], f"no quote from {doc_id}")
    for alias in case["answers"]:
        assert any(alias.lower() in text.lower() for text in gold.values()), (case["id"], alias)
    if case["answer_match"] == "all":
        joined = " ".join(case["evidence"]).lower()
        assert all(alias.lower() in joined for alias in case["answers"]), case["id"]
