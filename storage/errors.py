"""Errors raised by the project store."""

from __future__ import annotations

from demux_core.errors import DemuxError


class StorageError(DemuxError):
    """A project file cannot be used as asked (missing, not a project, newer schema...)."""


class StorageBusyError(StorageError):
    """Another writer held the project file for longer than the retry deadline."""


class InvalidAnnotationError(StorageError, ValueError):
    """An annotation does not fit the project (wrong shape, unknown label, unknown example)."""
