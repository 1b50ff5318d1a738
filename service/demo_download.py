"""Fetching a demo's files for users without ``../shared/data`` (needs internet).

Files go to ``$DEMUX_HOME/data/<dataset>/<language>/`` and are reused afterwards. Each file
is written to a temporary name and renamed when complete, so a broken download never
leaves a truncated file that looks finished; a download that fails removes every file and
folder it made, and says in plain words what went wrong (no internet, a file moved upstream)
and what to do instead. ``$DEMUX_DEMO_URL`` points the download at a mirror holding
``<dataset>/<language>/<file>``.
"""

from __future__ import annotations

import contextlib
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from service.demo import SIB200, DemoSpec, demo_data_available
from storage import demux_home

BASE_URLS = {
    "sib200": "https://raw.githubusercontent.com/dadelani/sib-200/main/data/annotated",
    "masakhaner2": "https://raw.githubusercontent.com/masakhane-io/masakhane-ner/main/MasakhaNER2.0/data",
}
DOWNLOAD_TIMEOUT_S = 60
MIRROR_ENV = "DEMUX_DEMO_URL"
OFFLINE_ALTERNATIVES = (
    "Without internet: set DEMUX_DATA to a folder that holds {dataset}/<language>/ (for "
    "example a copy of ../shared/data), or create a project from your own files under "
    "New project."
)


def download_dir() -> Path:
    """Where downloaded demo data is cached: ``$DEMUX_HOME/data``."""
    return demux_home() / "data"


def demo_data_root(spec: DemoSpec, shared_root: Path | None) -> Path | None:
    """The folder to read the demo from: the shared data, else the download cache, else None."""
    for root in (shared_root, download_dir()):
        if demo_data_available(spec, root):
            return root
    return None


def demo_files(spec: DemoSpec) -> list[str]:
    """Relative paths (``<dataset>/<language>/<file>``) the demo needs."""
    languages = sorted({*spec.source_languages, spec.target_language, spec.seed_language})
    names = ("train.tsv", "dev.tsv", "test.tsv", "labels.txt") if spec.key == SIB200 else (
        "train.txt", "dev.txt", "test.txt")  # fmt: skip
    return [f"{spec.key}/{language}/{name}" for language in languages for name in names]


def download_demo_data(
    spec: DemoSpec,
    progress: Callable[[float, str], None],
    *,
    dest_root: Path | None = None,
    base_url: str | None = None,
) -> Path:
    """Download the demo's files that are not cached yet; returns the data root.

    Parameters
    ----------
    spec : DemoSpec
    progress : callable(fraction, file name)
        Called before each file and once at the end with 1.0.
    dest_root : Path, optional
        Defaults to :func:`download_dir`.
    base_url : str, optional
        Overrides the dataset's public URL (``<base>/<language>/<file>``; ``file://`` works).

    Raises
    ------
    OSError
        When a file cannot be fetched (no internet, moved upstream); names the URL.
    """
    root = dest_root or download_dir()
    mirror = os.environ.get(MIRROR_ENV, "").rstrip("/")
    base = (base_url or (f"{mirror}/{spec.key}" if mirror else BASE_URLS[spec.key])).rstrip("/")
    files = demo_files(spec)
    made: list[Path] = []  # what this call created, removed again if it fails
    try:
        for index, relative in enumerate(files):
            target = root / relative
            progress(index / len(files), relative)
            if target.is_file():
                continue
            url = f"{base}/{relative.split('/', 1)[1]}"
            made.extend(_make_parents(target.parent))
            partial = target.with_name(target.name + ".part")
            try:
                with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:  # noqa: S310
                    partial.write_bytes(response.read())
            except OSError as error:
                partial.unlink(missing_ok=True)
                raise OSError(explain_download_error(error, url, spec.key)) from error
            os.replace(partial, target)
            made.append(target)
    except BaseException:
        _remove(made)
        raise
    progress(1.0, "done")
    return root


def explain_download_error(error: OSError, url: str, dataset: str) -> str:
    """A message for a failed download: what went wrong, the URL, and the alternatives."""
    reason = getattr(error, "reason", error)
    host = urllib.parse.urlsplit(url).hostname or url
    offline = (socket.gaierror, ConnectionRefusedError, ConnectionResetError, TimeoutError)
    alternatives = OFFLINE_ALTERNATIVES.format(dataset=dataset)
    if isinstance(reason, offline) or "unreachable" in str(reason).lower():
        return f"no internet connection: could not reach {host} ({reason}). {alternatives}"
    if isinstance(error, urllib.error.HTTPError):
        return (f"{url} answered {error.code} {error.reason}: the file may have moved upstream. "
                f"{alternatives}")  # fmt: skip
    return f"could not download {url}: {reason}. {alternatives}"


def _make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; the ones created, outermost first."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir()
    return list(reversed(missing))


def _remove(made: list[Path]) -> None:
    """Remove the files and (now empty) folders a failed download created, newest first."""
    for path in reversed(made):
        with contextlib.suppress(OSError):  # a folder someone else filled meanwhile stays
            path.unlink() if path.is_file() else path.rmdir()
