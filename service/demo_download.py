"""Fetching a demo's files for users without ``../shared/data`` (needs internet).

Files go to ``$DEMUX_HOME/data/<dataset>/<language>/`` and are reused afterwards. Each file
is written to a temporary name and renamed when complete, so a broken download never
leaves a truncated file that looks finished.
"""

from __future__ import annotations

import os
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
    base = (base_url or BASE_URLS[spec.key]).rstrip("/")
    files = demo_files(spec)
    for index, relative in enumerate(files):
        target = root / relative
        progress(index / len(files), relative)
        if target.is_file():
            continue
        url = f"{base}/{relative.split('/', 1)[1]}"
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        try:
            with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:  # noqa: S310
                partial.write_bytes(response.read())
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise OSError(f"could not download {url}: {error}") from error
        os.replace(partial, target)
    progress(1.0, "done")
    return root
