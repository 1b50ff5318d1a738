"""Errors with messages a user can act on: each names the problem and where it is."""

from __future__ import annotations

from pathlib import Path


class DemuxError(Exception):
    """Base class of every error DeMuX Studio raises on purpose."""


class DataFormatError(DemuxError, ValueError):
    """A data file is malformed.

    Parameters
    ----------
    path : str or Path
        The file (or folder) being read.
    line : int or None
        1-based line number of the offending line, when there is one.
    message : str
        What is wrong, in words a user understands.
    """

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class ModelSpecError(DemuxError, ValueError):
    """A model spec cannot be resolved (missing folder, unknown id while offline, ...)."""


class SelectionError(DemuxError, ValueError):
    """Selection inputs are invalid (pool smaller than budget, shape mismatch, NaNs...)."""
