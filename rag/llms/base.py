"""The Generator protocol: a chat model that streams text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable


@runtime_checkable
class Generator(Protocol):
    """Streams a reply to chat messages; raises GeneratorUnavailable when it cannot."""

    name: str

    def stream(self, messages: list[dict]) -> Iterator[str]:
        """Yield the reply's text piece by piece."""
        ...


def complete(generator: Generator, messages: list[dict]) -> str:
    """The whole reply at once (shared by every backend)."""
    return "".join(generator.stream(messages))
