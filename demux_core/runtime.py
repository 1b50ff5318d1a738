"""Process-level runtime settings: OpenMP behaviour, torch threads, device choice.

Call :func:`prepare_environment` first thing in a CLI or worker entry point, BEFORE anything
imports torch or faiss: both bundle an OpenMP runtime, and with the default busy-waiting
policy the idle threads of one steal CPU from the other (very visible on small machines).
The environment variable is read when the OpenMP runtime loads, so setting it later has no
effect. This module imports torch only inside functions, so importing it is always safe.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

ENVIRONMENT_DEFAULTS: dict[str, str] = {
    "OMP_WAIT_POLICY": "PASSIVE",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_OFFLINE": "1",
}


def prepare_environment(hub_offline: bool = True) -> dict[str, str]:
    """Set the runtime environment variables that are not set yet (the one place they are
    set: the app, the CLIs, the benches, the test suite and its helper processes call it).

    Sets ``OMP_WAIT_POLICY=PASSIVE``, ``TOKENIZERS_PARALLELISM=false`` and (with
    ``hub_offline``) ``HF_HUB_OFFLINE=1`` unless the user set them. Warns when torch or
    faiss is already imported, since the OpenMP setting then comes too late.

    Returns
    -------
    dict of str to str
        The variables this call set (empty when all were set already).
    """
    late = [name for name in ("torch", "faiss") if name in sys.modules]
    changed = {}
    for name, value in ENVIRONMENT_DEFAULTS.items():
        if name == "HF_HUB_OFFLINE" and not hub_offline:
            continue
        if name not in os.environ:
            os.environ[name] = value
            changed[name] = value
    if late and "OMP_WAIT_POLICY" in changed:
        warnings.warn(
            f"prepare_environment() called after importing {', '.join(late)}: "
            "OMP_WAIT_POLICY only takes effect when set before they load",
            RuntimeWarning,
            stacklevel=2,
        )
    return changed


def configure_threads(num_threads: int | None) -> int:
    """Set torch's intra-op thread count.

    Parameters
    ----------
    num_threads : int or None
        Threads to use; ``None`` leaves the current setting.

    Returns
    -------
    int
        The thread count in effect after the call.
    """
    import torch

    if num_threads is not None:
        if num_threads < 1:
            raise ValueError(f"num_threads must be >= 1, got {num_threads}")
        torch.set_num_threads(num_threads)
    return torch.get_num_threads()


def pick_device(preference: str | None = "auto") -> torch.device:
    """The torch device to run on.

    Parameters
    ----------
    preference : str or None
        ``"auto"``/``None`` (CUDA when available, else CPU), or an explicit device string
        such as ``"cpu"``, ``"cuda"``, ``"cuda:0"``.

    Returns
    -------
    torch.device

    Raises
    ------
    ValueError
        When CUDA is asked for but not available, or the string is not a device.
    """
    import torch

    if preference in (None, "", "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(preference)
    except RuntimeError as error:
        raise ValueError(f"device={preference!r} is not a torch device: {error}") from error
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={preference!r} asked for, but CUDA is not available here")
    return device
