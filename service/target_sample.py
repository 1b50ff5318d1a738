"""A test set for a target language that has none: a random sample of the target pool, labeled
by annotators who know the language.

:func:`draw_test_sample` copies ``size`` seeded random sentences of the target pool into the
(empty) test pool, unlabeled; the Annotate page serves them in its own mode; their labels are
annotations on the test pool, so they never enter training (the rounds train on the source
pool's labels only), and every round evaluates on :func:`labeled_test_pool`: the test pool's
gold labels plus the sample's labels so far.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from demux_core.data.examples import Example, QAExample
from demux_core.data.labels import with_label
from service.bio import is_bio_schema, repair_bio

TEST_SAMPLE_SOURCE = "target test sample"
DEFAULT_TEST_SAMPLE = 100
ID_PREFIX = "test-sample-"


def draw_test_sample(store: Any, size: int = DEFAULT_TEST_SAMPLE, seed: int = 0) -> int:
    """Copy ``size`` random target sentences (seeded) into the empty test pool; returns how many.

    Raises
    ------
    ValueError
        When the project already has a test pool, has no target pool, is a QA project (an
        answer needs its span in the context, which the Annotate page's test mode does not
        offer), or ``size`` < 1.
    """
    if size < 1:
        raise ValueError(f"the sample needs at least 1 sentence, got {size}")
    if store.pool_size("test"):
        raise ValueError(f"the project has a test pool already ({store.pool_size('test')} "
                         "sentences): its curve uses that")  # fmt: skip
    target = store.stored_examples("target")
    if not target:
        raise ValueError("the project has no target pool to sample from")
    if isinstance(target[0].example, QAExample):
        raise ValueError("QA projects cannot label a test sample on the Annotate page yet")
    rng = np.random.default_rng(seed)
    chosen = sorted(rng.choice(len(target), size=min(size, len(target)), replace=False))
    examples = [replace(target[i].example, id=ID_PREFIX + target[i].example.id) for i in chosen]
    return store.add_examples("test", examples, source=TEST_SAMPLE_SOURCE)


def sample_progress(store: Any) -> tuple[int, int] | None:
    """(labeled, total) of the drawn sample; None when the project has none."""
    sample = [s for s in store.stored_examples("test") if s.example.id.startswith(ID_PREFIX)]
    if not sample:
        return None
    labeled = store.current_labels("test")
    return sum(s.key in labeled for s in sample), len(sample)


def next_sample_item(store: Any) -> Any | None:
    """The first sample sentence nobody has labeled, skipped or flagged (StoredExample)."""
    handled = store.current_annotations("test")
    for stored in store.stored_examples("test"):
        if stored.example.id.startswith(ID_PREFIX) and stored.key not in handled:
            return stored
    return None


def save_sample_label(store: Any, example_key: int, label: Any, annotator: str) -> Any:
    """Save an annotator's label on a sample sentence (BIO repaired first); raises
    ``storage.ItemTakenError`` when someone handled it meanwhile."""
    if isinstance(label, list | tuple) and is_bio_schema(store.info().labels):
        label = tuple(repair_bio(tuple(label)))
    return store.save_annotation(example_key, label, annotator=annotator, kind="label",
                                 only_if_unhandled=True)  # fmt: skip


def labeled_test_pool(store: Any) -> list[Example]:
    """What the rounds evaluate on: test examples with a gold label from their file, and the
    sample's sentences with an annotator's label (in pool order)."""
    labels = store.current_labels("test")
    pool = []
    for stored in store.stored_examples("test"):
        if stored.example.gold is not None:
            pool.append(stored.example)
        elif stored.key in labels:
            pool.append(with_label(stored.example, labels[stored.key]))
    return pool
