"""Load a corpus folder into Articles, skipping bad files with one-line warnings.

A bad file never aborts a run: it is reported and left out. Only a corpus
folder that is missing or yields no article at all is an error.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path

from dateutil import parser as date_parser

from index.clean import Cleaned, clean_article
from index.records import Article
from index.sentences import split_sentences
from newsdesk.errors import CorpusError

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")  # saved web pages: their main text is extracted (index/web/extract.py)
CATALOG_NAMES = ("catalog.csv",)
_CATALOG_FIELDS = ("title", "date", "source", "url", "byline")


@dataclass
class LoadResult:
    articles: list[Article] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cleaned: dict[str, Cleaned] = field(default_factory=dict, repr=False)  # by doc_id: the build chunks these

    def cleaned_text(self, article: Article) -> Cleaned:
        """The article's cleaning from loading (cleaning is a fifth of a large build), or a fresh one."""
        known = self.cleaned.get(article.doc_id)
        return known if known is not None and known.original == article.text else clean_article(article.text)

    def warn(self, message: str) -> None:
        log.warning(message)
        self.warnings.append(message)


def normalize_date(value: str | None) -> str | None:
    """Any common date spelling to ISO yyyy-mm-dd, or None when it is not a date."""
    if not value or not str(value).strip():
        return None
    try:
        return date_parser.parse(str(value).strip(), fuzzy=False).date().isoformat()
    except (ValueError, OverflowError, TypeError):
        return None


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.1f} kB"


def decode_bytes(raw: bytes, name: str, result: LoadResult) -> str | None:
    """UTF-8 first; otherwise the best detected encoding, with a warning; None for binary."""
    if b"\x00" in raw[:8192]:
        result.warn(f"skipped {name}: looks like a binary file")
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    encoding = best.encoding if best is not None else "cp1252"
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        encoding, text = "latin-1", raw.decode("latin-1")
    result.warn(f"{name}: not UTF-8, read as {encoding}")
    return text


def derived_title(cleaned: Cleaned, limit: int = 90) -> str | None:
    """A display title from the first body sentence, for articles that carry none."""
    if not cleaned.kept:
        return None
    text = cleaned.original
    first = cleaned.kept[0]
    spans = split_sentences(text[first.start : first.end])
    sentence = text[first.start + spans[0][0] : first.start + spans[0][1]] if spans else ""
    sentence = " ".join(sentence.split())
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rsplit(" ", 1)[0] + "…"


def _from_text(doc_id: str, text: str, path: str, result: LoadResult) -> Article | None:
    """The article with the metadata its text carries; None (with a warning) when cleaning leaves no body."""
    cleaned = clean_article(text)
    if not cleaned.kept:
        result.warn(f"skipped {doc_id}: no article text left after cleaning")
        return None
    meta = cleaned.metadata
    result.cleaned[doc_id] = cleaned
    return Article(
        doc_id=doc_id,
        text=text,
        path=path,
        title=meta.get("title") or derived_title(cleaned),
        date=meta.get("date"),
        source=meta.get("outlet"),
        byline=meta.get("byline"),
    )


def _walk_files(root: Path, result: LoadResult) -> list[Path]:
    """All files under root, sorted, never following directory symlinks (no loops)."""
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(
        root, followlinks=False, onerror=lambda e: result.warn(f"cannot read folder {e.filename}: {e.strerror}")
    ):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                files.append(Path(dirpath) / name)
    return files


def _read_catalog(path: Path, result: LoadResult) -> dict[str, dict]:
    """doc_id -> metadata overrides from a catalog.csv sidecar."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        result.warn(f"skipped catalog {path.name}: {exc}")
        return {}
    catalog = {}
    for line_no, row in enumerate(rows, start=2):
        doc_id = (row.get("doc_id") or "").strip()
        if not doc_id:
            result.warn(f"{path.name} line {line_no}: no doc_id, ignored")
            continue
        catalog[doc_id] = {k: row[k].strip() for k in _CATALOG_FIELDS if (row.get(k) or "").strip()}
    return catalog


def _load_jsonl(path: Path, text: str, result: LoadResult) -> list[Article]:
    articles = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path.name} line {line_no}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            result.warn(f"skipped {where}: not valid JSON ({exc.msg})")
            continue
        if not isinstance(row, dict):
            result.warn(f"skipped {where}: not a JSON object")
            continue
        doc_id, body = row.get("id"), row.get("text")
        if not isinstance(doc_id, (str, int)) or not str(doc_id).strip():
            result.warn(f"skipped {where}: missing 'id'")
            continue
        if not isinstance(body, str) or not body.strip():
            result.warn(f"skipped {where}: missing or empty 'text'")
            continue
        base = _from_text(str(doc_id).strip(), body, f"{path}#L{line_no}", result)
        if base is None:
            continue
        articles.append(
            replace(
                base,
                title=(row.get("title") or base.title),
                date=normalize_date(row.get("date")) or base.date,
                source=(row.get("source") or base.source),
                url=row.get("url") or None,
                byline=(row.get("byline") or base.byline),
            )
        )
    return articles


def load_corpus(corpus_dir: str | Path, max_bytes: int = 20_000_000) -> LoadResult:
    """Read every article under ``corpus_dir``; raise CorpusError if there is none."""
    root = Path(corpus_dir)
    if not root.exists():
        raise CorpusError(f"corpus folder {root} does not exist")
    if not root.is_dir():
        raise CorpusError(f"corpus path {root} is not a folder")
    result = LoadResult()
    catalog: dict[str, dict] = {}
    seen: dict[str, str] = {}
    for path in _walk_files(root, result):
        rel = path.relative_to(root)
        if path.name in CATALOG_NAMES:
            catalog.update(_read_catalog(path, result))
            continue
        suffix = path.suffix.lower()
        if suffix not in TEXT_SUFFIXES + (".jsonl",) + HTML_SUFFIXES:
            continue
        try:
            info = path.stat()  # follows file symlinks; a loop raises OSError
            if not stat.S_ISREG(info.st_mode):  # a named pipe or a device would block or never end
                result.warn(f"skipped {rel}: not a regular file")
                continue
            if info.st_size > max_bytes:
                result.warn(f"skipped {rel}: {_size(info.st_size)} is over the {_size(max_bytes)} limit")
                continue
            with path.open("rb") as fh:
                raw = fh.read(max_bytes + 1)  # never more than the limit, even if the file grew since stat
            if len(raw) > max_bytes:
                result.warn(f"skipped {rel}: over the {_size(max_bytes)} limit")
                continue
        except OSError as exc:
            result.warn(f"skipped {rel}: cannot read ({exc.strerror or exc})")
            continue
        if not raw.strip():
            result.warn(f"skipped {rel}: empty file")
            continue
        text = decode_bytes(raw, str(rel), result)
        if text is None:
            continue
        if not text.strip():
            result.warn(f"skipped {rel}: empty file")
            continue
        found = (
            _load_jsonl(path, text, result)
            if suffix == ".jsonl"
            else _load_html(path, raw, result)
            if suffix in HTML_SUFFIXES
            else [a for a in [_from_text(path.stem, text, str(path), result)] if a is not None]
        )
        for article in found:
            if article.doc_id in seen:
                result.warn(
                    f"skipped duplicate doc id {article.doc_id!r} in {rel} (first seen in {seen[article.doc_id]})"
                )
                continue
            seen[article.doc_id] = str(rel)
            result.articles.append(article)
    for doc_id in catalog:
        if doc_id not in seen:
            result.warn(f"catalog names unknown doc id {doc_id!r}")
    result.articles = [_apply_catalog(a, catalog.get(a.doc_id), result) for a in result.articles]
    if not result.articles:
        raise CorpusError(f"no readable articles in {root} (looked for .txt, .md and .jsonl files)")
    return result


def _apply_catalog(article: Article, overrides: dict | None, result: LoadResult) -> Article:
    if not overrides:
        return article
    values = dict(overrides)
    if "date" in values:
        iso = normalize_date(values["date"])
        if iso is None:
            result.warn(f"catalog: bad date {values['date']!r} for {article.doc_id}, ignored")
            values.pop("date")
        else:
            values["date"] = iso
    return replace(article, **values)


def _load_html(path: Path, raw: bytes, result: LoadResult) -> list[Article]:
    """A saved web page: its extracted main text is the article's original (as `python -m index add` saves it)."""
    from index.web.extract import NoArticleText, extract_html_bytes

    try:
        page = extract_html_bytes(raw)
    except NoArticleText as exc:
        result.warn(f"skipped {path.name}: {exc}")
        return []
    base = _from_text(path.stem, page.text, str(path), result)
    if base is None:
        return []
    return [
        replace(
            base,
            title=page.title or base.title,
            date=normalize_date(page.date) or base.date,
            source=page.outlet or base.source,
            url=page.canonical_url,
            byline=page.author or base.byline,
        )
    ]
