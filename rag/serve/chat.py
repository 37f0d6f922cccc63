"""OpenAI chat-completions requests in, Newsdesk answers out: pure mapping, no HTTP.

A reply is the checked answer text (with its [n] markers) followed by a trailer
that lists the sources, so any OpenAI client shows something useful; the full
structured answer rides along in the response's extra ``newsdesk`` field.
When a client sends the conversation back, our trailer is cut off the
assistant turns, so the history holds the answers as Newsdesk wrote them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.records import Answer, Citation

MODEL = "newsdesk"
EXTRA_FIELD = "newsdesk"

# Every part of the trailer starts with one of these, after a blank line.
SOURCES_HEADING = "Sources:"
RELATED_HEADING = "Related passages:"
CONFLICT_PREFIX = "Sources disagree on "
NOTICE_PREFIX = "Note: "
_TRAILER_STARTS = (SOURCES_HEADING + "\n", RELATED_HEADING + "\n", CONFLICT_PREFIX, NOTICE_PREFIX)

_CONVERSATION_ROLES = ("user", "assistant")
_IGNORED_ROLES = ("system", "developer")  # Newsdesk answers from the articles under its own instructions


class RequestError(ValueError):
    """A request the API cannot use; ``param`` names the offending field (OpenAI's error ``param``)."""

    def __init__(self, message: str, param: str | None = None, code: str = "invalid_request"):
        super().__init__(message)
        self.param = param
        self.code = code


@dataclass(frozen=True)
class ChatRequest:
    question: str
    history: list[dict]
    stream: bool


def parse_chat_request(body: object) -> ChatRequest:
    """The question (the last user message), the earlier turns as history, and whether to stream."""
    if not isinstance(body, dict):
        raise RequestError("the request body must be a JSON object")
    model = body.get("model", MODEL)
    if model != MODEL:
        # The model name is not echoed: clients sometimes put odd things there.
        raise RequestError(f"unknown model: this server serves one model, {MODEL!r}", "model", "model_not_found")
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise RequestError("stream must be true or false", "stream")
    n = body.get("n", 1)
    if n not in (1, None):
        raise RequestError("n must be 1: Newsdesk gives one answer per question", "n")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RequestError("messages must be a non-empty list of {role, content} objects", "messages")
    turns: list[dict] = []
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            raise RequestError(f"messages[{i}] must be an object with role and content", f"messages[{i}]")
        role = message.get("role")
        if role in _IGNORED_ROLES:
            continue
        if role not in _CONVERSATION_ROLES:
            raise RequestError(
                f"messages[{i}].role must be user, assistant or system (tools are not supported)",
                f"messages[{i}].role",
            )
        text = message_text(message.get("content"), f"messages[{i}].content")
        if role == "assistant":
            text = strip_trailer(text)
        turns.append({"role": role, "content": text})
    if not turns or turns[-1]["role"] != "user":
        raise RequestError("the last message must be the user's question", "messages")
    return ChatRequest(question=turns[-1]["content"], history=turns[:-1], stream=stream)


def message_text(content: object, param: str) -> str:
    """A message's text: a string, or OpenAI's list of content parts (text parts only)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if not isinstance(part, dict) or part.get("type") != "text" or not isinstance(part.get("text"), str):
                raise RequestError("only text content is supported", param)
            texts.append(part["text"])
        return "\n".join(texts)
    raise RequestError("content must be a string or a list of text parts", param)


def strip_trailer(text: str) -> str:
    """An assistant turn without the sources trailer this API appended to it."""
    cuts = [text.find("\n\n" + start) for start in _TRAILER_STARTS]
    cuts = [c for c in cuts if c >= 0]
    return text[: min(cuts)] if cuts else text


def _describe(c: Citation) -> str:
    title = c.title or c.doc_id
    bits = ", ".join(x for x in (c.source, c.date) if x) or "undated"
    also = f" (also in: {', '.join(c.also_in)})" if c.also_in else ""
    link = f" — {c.url}" if c.url else ""
    return f"{title} — {bits}{also}{link}: \u201c{c.quote}\u201d"


def reply_text(answer: Answer) -> str:
    """The checked answer with its [n] markers, then conflicts, sources (or related passages) and any notice."""
    parts = [answer.text]
    for conflict in answer.conflicts:
        sides = "; ".join(f"{value} {''.join(f'[{n}]' for n in ns)}" for value, ns in conflict.sides)
        parts.append(f"{CONFLICT_PREFIX}{conflict.topic}: {sides}")
    if answer.citations:
        parts.append("\n".join([SOURCES_HEADING] + [f"- [{c.n}] {_describe(c)}" for c in answer.citations]))
    elif answer.refused and answer.related:
        parts.append("\n".join([RELATED_HEADING] + [f"- {_describe(c)}" for c in answer.related]))
    if answer.notice:
        parts.append(NOTICE_PREFIX + " ".join(answer.notice.split()))
    return "\n\n".join(parts)


def answer_payload(answer: Answer, *, include_trace: bool = False) -> dict:
    """The structured Answer as JSON-ready data; the retrieved passages (``trace``) only when asked."""
    data = answer.to_dict()
    if not include_trace:
        data.pop("trace", None)
    return data


def completion(answer: Answer, *, completion_id: str, created: int) -> dict:
    """A non-streamed ``chat.completion`` carrying the reply text and the structured answer."""
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply_text(answer)},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        EXTRA_FIELD: answer_payload(answer),
    }


def split_pieces(text: str, piece_chars: int) -> list[str]:
    """The text cut at whitespace into pieces of about ``piece_chars`` characters; they join back exactly."""
    pieces: list[str] = []
    current = ""
    for token in re.findall(r"\S+\s*|\s+", text):
        current += token
        if len(current) >= piece_chars:
            pieces.append(current)
            current = ""
    if current:
        pieces.append(current)
    return pieces


def completion_chunks(answer: Answer, *, completion_id: str, created: int, piece_chars: int) -> list[dict]:
    """The streamed form: a role chunk, the checked reply in pieces, and a last chunk with the structured answer."""

    def chunk(delta: dict, finish_reason: str | None = None) -> dict:
        return {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": MODEL,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}],
        }

    chunks = [chunk({"role": "assistant", "content": ""})]
    chunks += [chunk({"content": piece}) for piece in split_pieces(reply_text(answer), piece_chars)]
    last = chunk({}, "stop")
    last[EXTRA_FIELD] = answer_payload(answer)
    chunks.append(last)
    return chunks
