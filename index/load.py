"""Load a corpus folder into Articles, skipping bad files with one-line warnings.

A bad file never aborts a run: it is reported and left out. Only a corpus
folder that is missing or yields no article at all is an error.
"""

from __future__ import annotations

import calendar
import csv
import functools
import json
import logging
import math
import os
import re
import stat
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from dateutil import parser as date_parser

from index.clean import Cleaned, clean_article
from index.records import Article
from index.sentences import split_sentences
from newsdesk.errors import CorpusError
from newsdesk.safetext import mask_url, terminal_text, without_bidi_controls

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
        message = terminal_text(message)  # file names and ids may carry escape sequences
        log.warning(message)
        self.warnings.append(message)


# Two defaults that differ in every part: a part that comes out the same under both was written.
_DEFAULTS = (datetime(1904, 1, 1), datetime(1908, 2, 2))
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def normalize_date_bound(value: str | None, *, end: bool = False) -> str | None:
    """A date, or a partial one, as ISO yyyy-mm-dd: "2025" and "2025-02" are the first day of that
    period, or with ``end`` its last day (2025-12-31, 2025-02-28). Parts are never taken from today;
    None when it is not a date or names no year."""
    if value is None or not str(value).strip():
        return None
    return _normalized_date(str(value).strip(), end)


@functools.lru_cache(maxsize=4096)
def _normalized_date(text: str, end: bool) -> str | None:
    """Memoised: a corpus repeats its dates (dateutil took 7 s of loading 41k articles, ~85 µs a date)."""
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text).isoformat()  # already ISO: what parsing it would give
        except ValueError:
            pass  # "2025-02-30": left to the parser, which refuses it
    try:
        first, second = (date_parser.parse(text, default=d, fuzzy=False) for d in _DEFAULTS)
    except (ValueError, OverflowError, TypeError):
        return None
    if first.year != second.year:
        return None  # "March 5": which year is a guess
    month = first.month if first.month == second.month else (12 if end else 1)
    if first.day == second.day and first.month == second.month:
        day = first.day
    else:
        day = calendar.monthrange(first.year, month)[1] if end else 1
    return f"{first.year:04d}-{month:02d}-{day:02d}"


def normalize_date(value: str | None) -> str | None:
    """Any common date spelling to ISO yyyy-mm-dd (a partial date is the start of its period), or None."""
    return normalize_date_bound(value)


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
    spans = split_sentences(text[first.start : min(first.end, first.start + 20 * limit)])  # enough for one title
    sentence = text[first.start + spans[0][0] : first.start + spans[0][1]] if spans else ""
    sentence = " ".join(sentence.split())
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rsplit(" ", 1)[0] + "…"


def _from_text(doc_id: str, text: str, path: str, result: LoadResult) -> Article | None:
    """The article with the metadata its text carries; None (with a warning) when cleaning leaves no body.

    Bidi embeddings, overrides and isolates are removed first, so every offset (and every quote) is into
    text that reads the same as it is stored."""
    text, reordering = without_bidi_controls(text)
    if reordering:
        result.warn(f"{doc_id}: removed {reordering} bidirectional control character(s) that can reorder what is shown")
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
    """All files under root, sorted, never following directory symlinks (no loops); a folder link that leaves
    the corpus is said so in one warning (one inside it is a loop or a second path to the same files)."""
    files: list[Path] = []
    real_root = Path(os.path.realpath(root))
    for dirpath, dirnames, filenames in os.walk(
        root, followlinks=False, onerror=lambda e: result.warn(f"cannot read folder {e.filename}: {e.strerror}")
    ):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in dirnames:
            link = Path(dirpath) / name
            if link.is_symlink() and not Path(os.path.realpath(link)).is_relative_to(real_root):
                result.warn(f"skipped {link.relative_to(root)}: a link to a folder outside the corpus (not followed)")
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
    catalog: dict[str, dict[str, str | None]] = {}
    for line_no, row in enumerate(rows, start=2):
        doc_id = (row.get("doc_id") or "").strip()
        if not doc_id:
            result.warn(f"{path.name} line {line_no}: no doc_id, ignored")
            continue
        catalog[doc_id] = {
            k: without_bidi_controls(row[k].strip())[0] for k in _CATALOG_FIELDS if (row.get(k) or "").strip()
        }
        if "url" in catalog[doc_id]:
            catalog[doc_id]["url"] = mask_url(catalog[doc_id]["url"])
    return catalog


_JSONL_METADATA = ("title", "date", "source", "url", "byline")
_JSON_TYPE = {list: "a list", dict: "an object", bool: "true/false"}


def _metadata_text(value) -> str | None:
    """A .jsonl metadata value as text: strings as they are, numbers as written; ValueError for anything else."""
    if value is None:
        return None
    if isinstance(value, str):
        text = without_bidi_controls(" ".join(value.split()))[0]
        return text or None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return str(value)
    raise ValueError(_JSON_TYPE.get(type(value), f"a {type(value).__name__}"))


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
        if isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)) or not str(doc_id).strip():
            result.warn(f"skipped {where}: missing 'id' (text or a whole number)")
            continue
        if not isinstance(body, str) or not body.strip():
            result.warn(f"skipped {where}: missing or empty 'text'")
            continue
        metadata = {}
        for name in _JSONL_METADATA:
            try:
                metadata[name] = _metadata_text(row.get(name))
            except ValueError as exc:
                result.warn(f"skipped {where}: '{name}' is {exc}, not text")
                break
        else:
            base = _from_text(str(doc_id).strip(), body, f"{path}#L{line_no}", result)
            if base is None:
                continue
            articles.append(
                replace(
                    base,
                    title=metadata["title"] or base.title,
                    date=normalize_date(metadata["date"]) or base.date,
                    source=metadata["source"] or base.source,
                    url=mask_url(metadata["url"]),  # shown and stored: never a password in it
                    byline=metadata["byline"] or base.byline,
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
    real_root = Path(os.path.realpath(root))
    for path in _walk_files(root, result):
        rel = path.relative_to(root)
        suffix = path.suffix.lower()
        if path.name not in CATALOG_NAMES and suffix not in TEXT_SUFFIXES + (".jsonl",) + HTML_SUFFIXES:
            continue
        try:
            info = path.stat()  # follows file symlinks; a loop raises OSError
            if not stat.S_ISREG(info.st_mode):  # a named pipe or a device would block or never end
                result.warn(f"skipped {rel}: not a regular file")
                continue
            if path.is_symlink() and not _stays_inside(path, real_root, result, rel):
                continue
            if path.name in CATALOG_NAMES:
                catalog.update(_read_catalog(path, result))
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


def _stays_inside(link: Path, real_root: Path, result: LoadResult, rel: Path) -> bool:
    """Whether a file link leads to a file of the corpus that is not hidden; warns once when it does not
    (a link to ~/.env would otherwise be indexed and quoted back)."""
    target = Path(os.path.realpath(link))
    if not target.is_relative_to(real_root):
        result.warn(f"skipped {rel}: a link to a file outside the corpus folder (not followed)")
        return False
    if any(part.startswith(".") for part in target.relative_to(real_root).parts):
        result.warn(f"skipped {rel}: a link to a hidden file (dotfiles are never read)")
        return False
    return True


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
