"""Helper process for test_crash.py: writes as hard as it can until it is killed.

Usage: ``python crash_worker.py PROJECT_FILE SEED``. A background thread imports batches
of target examples and writes score sets (big transactions); the main thread saves
annotations, as two annotators of overlap items would (a first label, then another
annotator's second label of the same item), and prints ``<annotation id> <example key>
<label> <annotator> <slot>`` after each call returns.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from demux_core.runtime import prepare_environment  # noqa: E402

prepare_environment()  # before torch or faiss load

import numpy as np  # noqa: E402

from demux_core.data.examples import SequenceExample  # noqa: E402
from storage import open_project  # noqa: E402

IMPORT_BATCH = 3000
TOPICS = ("science", "sports", "travel")


def bulk_writes(store, seed: int) -> None:
    """Alternate a big import into ``target`` and a full score write on ``source``."""
    rng = np.random.default_rng(seed)
    n_source = store.pool_size("source")
    for batch in range(1_000_000):
        examples = [
            SequenceExample(f"k{seed}-{batch}-{i}", "hau", f"bulk text {i}")
            for i in range(IMPORT_BATCH)
        ]
        store.add_examples("target", examples)
        emb = rng.standard_normal((n_source, 384)).astype(np.float32)
        store.save_scores(
            f"s{seed}-{batch}", None, "source", rng.random(n_source), [0] * n_source, emb
        )


def main() -> None:
    path, seed = Path(sys.argv[1]), int(sys.argv[2])
    store = open_project(path)
    keys = [stored.key for stored in store.stored_examples("source")]
    threading.Thread(target=bulk_writes, args=(store, seed), daemon=True).start()
    rng = np.random.default_rng(seed)
    while True:
        key = int(keys[rng.integers(len(keys))])
        first, second = f"ana{seed}", f"ben{seed}"
        for annotator, slot in ((first, "first"), (second, "second")):
            label = TOPICS[int(rng.integers(3))]
            annotation = store.save_annotation(key, label, annotator=annotator, slot=slot)
            print(f"{annotation.id} {key} {label} {annotator} {slot}", flush=True)


if __name__ == "__main__":
    main()
