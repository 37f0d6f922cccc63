"""Load and validate an eval suite (JSON Lines, one case a line).

Every problem is a ``SuiteError`` naming the file and the line, so a person
can open the file and fix it. Unknown fields are kept (``extra``) because
external suites carry their own (RGB's ``false_answer``).

Two kinds of suite: question suites (``load_suite``: a question, gold answers
and sources) and claim suites for the verifier (``load_claims``: a claim, one
evidence quote and whether the quote supports it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

from newsdesk.errors import SuiteError

ANSWER_MATCHES = ("any", "all")
SPLITS = ("dev", "test", "train", "heldout")  # train: fitted on, never reported; heldout: written after test was seen
_REQUIRED = ("id", "question", "answers", "answer_match", "sources", "answerable", "type")


@dataclass(frozen=True)
class Case:
    """One question of a suite, with where it came from (for error messages)."""

    id: str
    question: str
    answers: tuple[str, ...]
    answer_match: str
    sources: tuple[str, ...]
    answerable: bool
    type: str
    line: int
    history: tuple[dict, ...] = ()
    evidence: tuple[str, ...] = ()
    split: str | None = None
    expect_conflict: bool = False
    as_of: date | None = None  # the moment of asking, for relative time words ("this week")
    lang: str | None = None  # the question's language (BCP 47, e.g. "de"), when not English
    extra: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Suite:
    path: Path
    cases: tuple[Case, ...]
    split: str | None = None  # the split the cases were filtered to, if any

    @property
    def name(self) -> str:
        return self.path.stem if self.path.name != "suite.jsonl" else self.path.parent.name

    def types(self) -> list[str]:
        return sorted({c.type for c in self.cases})


def _str_list(row: dict, key: str, where: str, *, allow_empty: bool = True) -> tuple[str, ...]:
    value = row.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise SuiteError(f"{where}: '{key}' must be a list of non-empty strings")
    if not allow_empty and not value:
        raise SuiteError(f"{where}: '{key}' is empty")
    return tuple(value)


def _history(row: dict, where: str) -> tuple[dict, ...]:
    value = row.get("history", [])
    if not isinstance(value, list):
        raise SuiteError(f"{where}: 'history' must be a list of turns")
    for turn in value:
        if (
            not isinstance(turn, dict)
            or turn.get("role") not in ("user", "assistant")
            or not isinstance(turn.get("content"), str)
        ):
            raise SuiteError(f"{where}: each 'history' turn needs role user|assistant and text content")
    return tuple(value)


def _as_of(row: dict, where: str) -> date | None:
    value = row.get("as_of")
    if value is None:
        return None
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise SuiteError(f"{where}: 'as_of' must be an ISO date like 2025-09-03, not {value!r}") from None


_LANG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def _lang(row: dict, where: str) -> str | None:
    value = row.get("lang")
    if value is None:
        return None
    if not isinstance(value, str) or not _LANG.fullmatch(value):
        raise SuiteError(f'{where}: \'lang\' must be a language code like "de" or "pt-BR", not {value!r}')
    return value


def _split(row: dict, where: str) -> str | None:
    split = row.get("split")
    if split is not None and split not in SPLITS:
        raise SuiteError(f"{where}: 'split' must be one of {', '.join(SPLITS)}, not {split!r}")
    return split


def parse_case(row: object, where: str, line: int) -> Case:
    """One validated case from one decoded JSON line."""
    if not isinstance(row, dict):
        raise SuiteError(f"{where}: a case must be a JSON object")
    missing = [k for k in _REQUIRED if k not in row]
    if missing:
        raise SuiteError(f"{where}: missing field(s) {', '.join(missing)}")
    for key in ("id", "question", "type"):
        if not isinstance(row[key], str) or not row[key].strip():
            raise SuiteError(f"{where}: '{key}' must be a non-empty string")
    if row["answer_match"] not in ANSWER_MATCHES:
        raise SuiteError(f'{where}: \'answer_match\' must be "any" or "all", not {row["answer_match"]!r}')
    if not isinstance(row["answerable"], bool):
        raise SuiteError(f"{where}: 'answerable' must be true or false")
    answerable = row["answerable"]
    answers = _str_list(row, "answers", where, allow_empty=not answerable)
    sources = _str_list(row, "sources", where)
    if not answerable and answers:
        raise SuiteError(f"{where}: an unanswerable case must have no 'answers'")
    split = _split(row, where)
    expect_conflict = row.get("expect_conflict", False)
    if not isinstance(expect_conflict, bool):
        raise SuiteError(f"{where}: 'expect_conflict' must be true or false")
    known = set(_REQUIRED) | {"history", "evidence", "split", "expect_conflict", "as_of", "lang"}
    return Case(
        id=row["id"].strip(),
        question=row["question"],
        answers=answers,
        answer_match=row["answer_match"],
        sources=sources,
        answerable=answerable,
        type=row["type"].strip(),
        line=line,
        history=_history(row, where),
        evidence=_str_list(row, "evidence", where),
        split=split,
        expect_conflict=expect_conflict,
        as_of=_as_of(row, where),
        lang=_lang(row, where),
        extra={k: v for k, v in row.items() if k not in known},
    )


_Item = TypeVar("_Item", "Case", "Claim")


def _parse_lines(lines: Iterable[str], path: Path, parse: Callable[[object, str, int], _Item]) -> list[_Item]:
    """Every non-blank line parsed by ``parse(row, "FILE line N", N)``; the first bad line or repeated id is an error."""
    items: list[_Item] = []
    seen: dict[str, int] = {}
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path} line {line_no}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SuiteError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        item = parse(row, where, line_no)
        if item.id in seen:
            raise SuiteError(f"{where}: duplicate id {item.id!r} (first on line {seen[item.id]})")
        seen[item.id] = line_no
        items.append(item)
    if not items:
        raise SuiteError(f"{path}: the suite has no cases")
    return items


def parse_suite(lines: Iterable[str], path: Path) -> list[Case]:
    return _parse_lines(lines, path, parse_case)


def _read_lines(path: Path) -> list[str]:
    if not path.is_file():
        raise SuiteError(f"{path}: suite file not found" if not path.exists() else f"{path}: not a file")
    try:
        return path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SuiteError(f"{path}: cannot read the suite ({exc})") from None


def load_suite(path: str | Path, split: str | None = None) -> Suite:
    """Read and validate a suite; keep only ``split`` ("dev"/"test"/"train") when given."""
    path = Path(path)
    cases = parse_suite(_read_lines(path), path)
    if split is not None:
        if split not in SPLITS:
            raise SuiteError(f"{path}: unknown split {split!r} (use {', '.join(SPLITS)})")
        if not any(c.split for c in cases):
            raise SuiteError(f"{path}: the suite has no 'split' field, so --split {split} cannot be used")
        cases = [c for c in cases if c.split == split]
        if not cases:
            raise SuiteError(f"{path}: no cases in split {split!r}")
    return Suite(path=path, cases=tuple(cases), split=split)


def check_sources(suite: Suite, doc_ids: Iterable[str]) -> None:
    """Raise on the first case naming a doc id the index does not hold (and count the others)."""
    known = set(doc_ids)
    bad = [(c, [s for s in c.sources if s not in known]) for c in suite.cases]
    bad = [(c, unknown) for c, unknown in bad if unknown]
    if not bad:
        return
    case, unknown = bad[0]
    more = f"; {len(bad) - 1} more case(s) have unknown doc ids" if len(bad) > 1 else ""
    raise SuiteError(f"{suite.path} line {case.line}: unknown doc id(s) {', '.join(unknown)} (not in the index){more}")


CLAIM_LABELS = ("supported", "contradicted", "unsupported")
CLAIM_KINDS = ("paraphrase", "exact", "negation", "number", "name", "antonym", "unrelated", "partial", "instruction")
_CLAIM_REQUIRED = ("id", "claim", "evidence", "doc_id", "label", "kind")


@dataclass(frozen=True)
class Claim:
    """One verifier case: does ``evidence`` (a quote from ``doc_id``) support ``claim``?"""

    id: str
    claim: str
    evidence: str
    doc_id: str
    label: str
    kind: str
    line: int
    split: str | None = None
    note: str = ""
    extra: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class ClaimSuite:
    path: Path
    claims: tuple[Claim, ...]
    split: str | None = None


def parse_claim(row: object, where: str, line: int) -> Claim:
    """One validated claim case from one decoded JSON line."""
    if not isinstance(row, dict):
        raise SuiteError(f"{where}: a case must be a JSON object")
    missing = [k for k in _CLAIM_REQUIRED if k not in row]
    if missing:
        raise SuiteError(f"{where}: missing field(s) {', '.join(missing)}")
    for key in _CLAIM_REQUIRED:
        if not isinstance(row[key], str) or not row[key].strip():
            raise SuiteError(f"{where}: '{key}' must be a non-empty string")
    if row["label"] not in CLAIM_LABELS:
        raise SuiteError(f"{where}: 'label' must be one of {', '.join(CLAIM_LABELS)}, not {row['label']!r}")
    if row["kind"] not in CLAIM_KINDS:
        raise SuiteError(f"{where}: 'kind' must be one of {', '.join(CLAIM_KINDS)}, not {row['kind']!r}")
    note = row.get("note", "")
    if not isinstance(note, str):
        raise SuiteError(f"{where}: 'note' must be a string")
    known = set(_CLAIM_REQUIRED) | {"split", "note"}
    return Claim(
        id=row["id"].strip(),
        claim=row["claim"],
        evidence=row["evidence"],
        doc_id=row["doc_id"].strip(),
        label=row["label"],
        kind=row["kind"],
        line=line,
        split=_split(row, where),
        note=note,
        extra={k: v for k, v in row.items() if k not in known},
    )


def load_claims(path: str | Path, split: str | None = None) -> ClaimSuite:
    """Read and validate a verifier claim suite; keep only ``split`` when given."""
    path = Path(path)
    claims = _parse_lines(_read_lines(path), path, parse_claim)
    if split is not None:
        if split not in SPLITS:
            raise SuiteError(f"{path}: unknown split {split!r} (use {', '.join(SPLITS)})")
        claims = [c for c in claims if c.split == split]
        if not claims:
            raise SuiteError(f"{path}: no cases in split {split!r}")
    return ClaimSuite(path=path, claims=tuple(claims), split=split)
