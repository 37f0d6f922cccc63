"""A fake chat model for unit tests: a queue of canned replies and a record of calls."""

from __future__ import annotations

import re
from collections.abc import Iterator

from newsdesk.errors import GeneratorUnavailable


class FakeGenerator:
    name = "fake-llm"

    def __init__(self, replies: list[str | Exception] | None = None):
        self.replies = list(replies or [])
        self.calls: list[list[dict]] = []

    def stream(self, messages: list[dict]) -> Iterator[str]:
        self.calls.append(messages)
        if not self.replies:
            raise GeneratorUnavailable("fake generator has no reply left")
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        yield from re.findall(r"\S+\s*|\s+", reply)  # word by word, like a real stream
