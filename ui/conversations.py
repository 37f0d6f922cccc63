"""Saved chats: each conversation, its messages (answers included) and its filters, in SQLite in the store folder.

Kept locally (``STORE/conversations.sqlite3``) so a chat survives a reload and a restart. One row per
conversation; messages are JSON (an Answer as ``Answer.to_dict()`` without the retrieved passages).
Every write is one transaction, so a crash loses at most the message being written.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from rag.records import Answer, AnswerSentence, Citation, Conflict
from rag.retrieve import Filters

FILE_NAME = "conversations.sqlite3"
MAX_TITLE = 80


@dataclass(frozen=True)
class Conversation:
    id: str
    title: str
    updated: float  # seconds since the epoch
    messages: list[dict]
    filters: Filters


def answer_to_dict(answer: Answer) -> dict:
    data = answer.to_dict()
    data.pop("trace", None)  # the retrieved passages are for debugging, not for reading a chat again
    data.pop("text", None)  # derived from the sentences
    return data


def answer_from_dict(data: dict) -> Answer:
    """The Answer ``answer_to_dict`` saved (tuples restored, unknown keys ignored)."""

    def citation(c: dict) -> Citation:
        fields = {k: v for k, v in c.items() if k in Citation.__dataclass_fields__}
        return Citation(**{**fields, "also_in": tuple(fields.get("also_in") or ())})

    def sentence(s: dict) -> AnswerSentence:
        fields = {k: v for k, v in s.items() if k in AnswerSentence.__dataclass_fields__}
        highlight = fields.get("highlight")
        return AnswerSentence(
            **{
                **fields,
                "citations": tuple(fields.get("citations") or ()),
                "highlight": tuple(highlight) if highlight else None,
            }
        )

    def conflict(k: dict) -> Conflict:
        sides = tuple((str(value), tuple(numbers)) for value, numbers in k.get("sides") or ())
        return Conflict(k.get("topic", ""), sides, k.get("kind", "value"))

    return Answer(
        question=data.get("question", ""),
        refused=bool(data.get("refused")),
        sentences=[sentence(s) for s in data.get("sentences") or ()],
        citations=[citation(c) for c in data.get("citations") or ()],
        related=[citation(c) for c in data.get("related") or ()],
        timings_ms=dict(data.get("timings_ms") or {}),
        backend=data.get("backend", "offline"),
        short_answer=data.get("short_answer"),
        standalone_question=data.get("standalone_question"),
        raw_answer=data.get("raw_answer"),
        notice=data.get("notice"),
        conflicts=[conflict(k) for k in data.get("conflicts") or ()],
    )


def filters_to_dict(filters: Filters | None) -> dict:
    if not filters:
        return {}
    return {
        "since": filters.since,
        "until": filters.until,
        "sources": list(filters.sources),
        "doc_ids": list(filters.doc_ids),
    }


def filters_from_dict(data: dict | None) -> Filters:
    data = data or {}
    return Filters(
        since=data.get("since"),
        until=data.get("until"),
        sources=tuple(data.get("sources") or ()),
        doc_ids=tuple(data.get("doc_ids") or ()),
    )


def _message_to_json(message: dict) -> dict:
    out = {k: v for k, v in message.items() if k not in ("answer", "filters")}
    if message.get("answer") is not None:
        out["answer"] = answer_to_dict(message["answer"])
    if message.get("filters") is not None:
        out["filters"] = filters_to_dict(message["filters"])
    return out


def _message_from_json(data: dict) -> dict:
    out = {k: v for k, v in data.items() if k not in ("answer", "filters")}
    if isinstance(data.get("answer"), dict):
        out["answer"] = answer_from_dict(data["answer"])
    if isinstance(data.get("filters"), dict):
        out["filters"] = filters_from_dict(data["filters"])
    return out


def title_from(question: str) -> str:
    """A chat's first title: its first question, shortened."""
    words = " ".join(question.split())
    return words if len(words) <= MAX_TITLE else words[: MAX_TITLE - 1].rsplit(" ", 1)[0] + "…"


class ConversationStore:
    """The saved chats of one index (one SQLite file in its store folder)."""

    def __init__(self, store_dir: str | Path):
        self.path = Path(store_dir) / FILE_NAME

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10)
        db.execute(
            "CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, title TEXT NOT NULL, "
            "created REAL NOT NULL, updated REAL NOT NULL, filters TEXT NOT NULL, messages TEXT NOT NULL)"
        )
        return db

    def save(self, conversation_id: str | None, messages: list[dict], filters: Filters | None) -> str:
        """Write the chat (creating it when ``conversation_id`` is None); returns its id."""
        now = time.time()
        body = json.dumps([_message_to_json(m) for m in messages], ensure_ascii=False)
        kept = json.dumps(filters_to_dict(filters))
        with closing(self._connect()) as db, db:
            if (
                conversation_id is not None
                and db.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
            ):
                db.execute(
                    "UPDATE conversations SET messages = ?, filters = ?, updated = ? WHERE id = ?",
                    (body, kept, now, conversation_id),
                )
                return conversation_id
            conversation_id = conversation_id or uuid.uuid4().hex[:12]
            first = next((m["content"] for m in messages if m.get("role") == "user"), "New chat")
            db.execute(
                "INSERT INTO conversations (id, title, created, updated, filters, messages) VALUES (?, ?, ?, ?, ?, ?)",
                (conversation_id, title_from(first), now, now, kept, body),
            )
        return conversation_id

    def list(self) -> list[tuple[str, str, float]]:
        """(id, title, updated) of every saved chat, newest first."""
        if not self.path.is_file():
            return []
        with closing(self._connect()) as db:
            rows = db.execute("SELECT id, title, updated FROM conversations ORDER BY updated DESC").fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    def load(self, conversation_id: str) -> Conversation | None:
        if not self.path.is_file():
            return None
        with closing(self._connect()) as db:
            row = db.execute(
                "SELECT id, title, updated, messages, filters FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
        if row is None:
            return None
        try:
            messages = [_message_from_json(m) for m in json.loads(row[3])]
            filters = filters_from_dict(json.loads(row[4]))
        except (ValueError, TypeError):  # a damaged row: the chat is shown empty rather than breaking the page
            messages, filters = [], Filters()
        return Conversation(row[0], row[1], row[2], messages, filters)

    def rename(self, conversation_id: str, title: str) -> None:
        title = " ".join(title.split())[:MAX_TITLE]
        if not title:
            return
        with closing(self._connect()) as db, db:
            db.execute("UPDATE conversations SET title = ? WHERE id = ?", (title, conversation_id))

    def delete(self, conversation_id: str) -> None:
        with closing(self._connect()) as db, db:
            db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
