"""Export of the labelled data: gold replaced by the annotators' effective labels.

Formats are written by ``demux_core.data.readers.writers`` (``write_conll``, ``write_jsonl``,
``write_csv``, ``write_hf_disk``), so that an export can be imported again unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from demux_core.data.examples import Example, TaskType
from storage.base import StoreBase
from storage.examples import check_pool
from storage.records import with_label
from storage.resolution import resolve

EXPORT_FORMATS = ("conll", "jsonl", "csv", "hf")
LABELED_POOLS = ("seed", "test")


class ExportingMixin(StoreBase):
    """Collecting and writing the labelled examples."""

    def labeled_examples(self, pools: Sequence[str] = ("seed", "source")) -> list[Example]:
        """Examples carrying their effective label, pool by pool in position order.

        An example is included when its annotations give it a label, the one training uses
        (:func:`storage.resolution.resolve`: the gold is replaced by it), or, in a labelled
        pool (``seed``, ``test``), when it has a gold label and no annotation. Skipped and
        flagged examples, and conflicting ones not reviewed yet, are left out.
        """
        labeled: list[Example] = []
        for pool in pools:
            annotated = self.slot_annotations(check_pool(pool))  # type: ignore[attr-defined]
            for stored in self.stored_examples(pool):  # type: ignore[attr-defined]
                slots = annotated.get(stored.key)
                label = resolve(slots).label if slots else None
                if label is not None:
                    labeled.append(with_label(stored.example, label))
                elif not slots and pool in LABELED_POOLS and stored.example.gold is not None:
                    labeled.append(stored.example)
        return labeled

    def export_labeled(
        self, path: str | Path, format: str, pools: Sequence[str] = ("seed", "source")
    ) -> int:
        """Write :meth:`labeled_examples` to ``path``; returns the number of examples.

        ``format`` is ``"conll"`` (token tasks only), ``"jsonl"``, ``"csv"`` or ``"hf"``
        (a ``datasets`` folder written with ``save_to_disk``).
        """
        if format not in EXPORT_FORMATS:
            raise ValueError(f"unknown export format {format!r}; expected one of {EXPORT_FORMATS}")
        if format == "conll" and self.info().task != TaskType.TOKEN:
            raise ValueError("CoNLL export needs a token task (one tag per word)")
        from demux_core.data.readers import writers

        write = {
            "conll": writers.write_conll,
            "jsonl": writers.write_jsonl,
            "csv": writers.write_csv,
            "hf": writers.write_hf_disk,
        }[format]
        examples = self.labeled_examples(pools)
        write(examples, Path(path))
        return len(examples)
