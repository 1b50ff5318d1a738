"""Readers and writers between data files and :mod:`demux_core.data.examples`.

Use :func:`read_examples` for any supported file or folder; see :mod:`.api` for the rules.
"""

from demux_core.data.readers.api import FORMATS, detect_format, read_examples
from demux_core.data.readers.columns import ColumnSpec
from demux_core.data.readers.shared_data import (
    deterministic_sample,
    masakhaner_languages,
    read_masakhaner,
    read_sib200,
    shared_data_dir,
    sib200_labels,
    sib200_languages,
)
from demux_core.data.readers.writers import write_conll, write_csv, write_hf_disk, write_jsonl

__all__ = [
    "FORMATS",
    "ColumnSpec",
    "detect_format",
    "deterministic_sample",
    "masakhaner_languages",
    "read_examples",
    "read_masakhaner",
    "read_sib200",
    "shared_data_dir",
    "sib200_labels",
    "sib200_languages",
    "write_conll",
    "write_csv",
    "write_hf_disk",
    "write_jsonl",
]
