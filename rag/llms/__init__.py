"""Chat-model backends behind the small ``Generator`` protocol."""

from rag.llms.base import Generator

__all__ = ["Generator"]
