"""Newsdesk's own exceptions; the CLI and UI turn them into one line for a person."""


class NewsdeskError(Exception):
    """Base class: the message is a complete sentence a user can act on."""


class SettingsError(NewsdeskError):
    """A setting has a bad value or an unknown name."""


class CorpusError(NewsdeskError):
    """The corpus folder cannot be used at all (missing, empty, not a folder)."""


class StoreError(NewsdeskError):
    """The vector store is missing, broken, locked or unreachable."""


class IndexMissing(StoreError):
    """No index has been built yet at the configured place."""


class EmbedderMismatch(StoreError):
    """The index was built with a different embedding model."""


class EmbedderUnavailable(NewsdeskError):
    """The embedding backend could not be loaded or reached."""


class QuestionError(NewsdeskError):
    """The question is empty, too long or otherwise unusable."""


class GeneratorUnavailable(NewsdeskError):
    """The LLM server could not be reached or gave no usable reply."""


class SuiteError(NewsdeskError):
    """An eval suite file is missing or has a bad line."""
