"""Errors that a stage turns into a dead letter with a clear reason.

Raising one of these means "this input cannot be handled, for this reason"; any other exception is
a bug or an unexpected input and is dead-lettered too, under its own class name.
"""


class GuillemetError(Exception):
    """Base class of the expected, per-input failures."""


class ConfigError(GuillemetError):
    """The configuration file is missing, unreadable or invalid."""


class FetchError(GuillemetError):
    """An HTTP resource could not be fetched (status, timeout, size cap, scheme...)."""

    def __init__(self, message: str, *, url: str, status: int | None = None, attempts: int = 1):
        super().__init__(message)
        self.url = url
        self.status = status
        self.attempts = attempts


class FeedError(GuillemetError):
    """A feed could not be parsed into any entry."""


class ExtractionError(GuillemetError):
    """No usable article text could be found in the page nor in the feed."""
