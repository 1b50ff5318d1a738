"""Errors raised by the project store."""

from __future__ import annotations

from demux_core.errors import DemuxError


class StorageError(DemuxError):
    """A project file cannot be used as asked (missing, not a project, newer schema...)."""


class StorageBusyError(StorageError):
    """Another writer held the project file for longer than the retry deadline."""


class InvalidAnnotationError(StorageError, ValueError):
    """An annotation does not fit the project (wrong shape, unknown label, unknown example)."""


class ItemTakenError(StorageError):
    """An annotation was refused because its example was handled or claimed meanwhile.

    Attributes
    ----------
    example_key : int
    by : str
        Who handled or holds the example.
    reason : {"handled", "claimed"}
        ``"handled"``: it already has an effective annotation; ``"claimed"``: another
        session is showing it right now.
    """

    def __init__(self, example_key: int, by: str, reason: str) -> None:
        self.example_key = example_key
        self.by = by
        self.reason = reason
        what = "was already handled by" if reason == "handled" else "is being labeled by"
        super().__init__(f"example {example_key} {what} {by}")
