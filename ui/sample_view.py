"""The Annotate page's test-sample mode: label the target sentences drawn as a test set.

Their labels are annotations on the test pool: every round evaluates on them and none trains
on them (:mod:`service.target_sample`). The mode has its own widget keys, so its presses never
reach the round's queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from demux_core.data.examples import TokenExample
from service.bio import entity_types, is_bio_schema
from service.presses import Press
from service.target_sample import next_sample_item, sample_progress, save_sample_label
from service.text import text_direction
from storage import InvalidAnnotationError, ItemTakenError, ProjectStore
from ui.common import annotator_name
from ui.widgets.label_pad import label_pad
from ui.widgets.presses import handled_nonces, pending_presses
from ui.widgets.token_tagger import token_tagger

SAMPLE_PAD_KEY = "sample_pad"
SAMPLE_TAGGER_KEY = "sample_tagger"
MODE_KEY = "annotate_mode"


@dataclass(frozen=True)
class SampleChoice:
    """Whether this session labels the target test sample, and the sample's count: drawn
    above the controls but filled after them (:meth:`show_count`), so that when the count
    moves on screen the next sentence is there too."""

    chosen: bool
    slot: Any  # an st.empty() above the controls
    text: str

    def show_count(self) -> None:
        self.slot.caption(self.text)


def sample_mode(store: ProjectStore) -> SampleChoice | None:
    """The mode switch: the round's picks or the target test sample (offered only when the
    project has drawn one; ``None`` otherwise)."""
    if sample_progress(store) is None:
        return None
    _handle_presses(store)  # first, so that the counts below include them
    labeled, total = sample_progress(store)
    # fixed option labels: a label that changed would make a new widget, back on option 0
    options = ["the round's picks", "the target test sample"]
    choice = st.radio("Label", options, horizontal=True, key=MODE_KEY,
                      help=f"The target test sample: {labeled} of {total} labeled")  # fmt: skip
    return SampleChoice(choice == options[1], st.empty(),
                        f"Target test sample: {labeled} of {total} labeled.")  # fmt: skip


def sample_controls(store: ProjectStore) -> None:
    """The next unlabeled sample sentence with its controls (:func:`sample_mode` has handled
    the presses)."""
    stored = next_sample_item(store)
    progress = sample_progress(store)
    if stored is None:
        st.success(f"Every sentence of the target test sample is handled ({progress[0]} "
                   "labeled): the next round evaluates on them.")  # fmt: skip
        label_pad(key=SAMPLE_PAD_KEY, example_id=None)  # Undo stays available
        return
    st.caption("Target test sample: label it as you would any sentence. It is used only to "
               "measure the model, never to train it.")  # fmt: skip
    example, schema = stored.example, store.info().labels
    if isinstance(example, TokenExample):
        token_tagger(example_id=stored.key, tokens=example.tokens, tags=["O"] * len(example.tokens),
                     labels=entity_types(schema), bio=is_bio_schema(schema),
                     direction=text_direction(" ".join(example.tokens)), key=SAMPLE_TAGGER_KEY)  # fmt: skip
    else:
        texts = [{"text": example.text, "dir": text_direction(example.text), "caption": None}]
        if example.text_pair is not None:
            texts.append({"text": example.text_pair, "dir": text_direction(example.text_pair),
                          "caption": None})  # fmt: skip
        label_pad(key=SAMPLE_PAD_KEY, example_id=stored.key, texts=texts, classes=schema)
    st.progress(progress[0] / progress[1],
                text=f"{progress[0]} of {progress[1]} test sentences labeled")  # fmt: skip


def _handle_presses(store: ProjectStore) -> None:
    """Carry out the sample widgets' new presses (marked handled as each is carried out, in
    the live lists: see :func:`ui.widgets.presses.handled_nonces`); then show refusals."""
    annotator = annotator_name() or "?"
    refusals: list[str] = []
    queues = [(pending_presses(key), handled_nonces(key))
              for key in (SAMPLE_PAD_KEY, SAMPLE_TAGGER_KEY)]  # fmt: skip
    for raws, handled in queues:
        for raw in raws:
            try:
                press = Press.from_payload(raw)
                if press.action == "undo":
                    store.undo_last_annotation(annotator)
                elif press.action == "label":
                    save_sample_label(store, press.example_key, press.label, annotator)
                else:  # skip / flag
                    store.save_annotation(press.example_key, None, annotator=annotator,
                                          kind=press.action, only_if_unhandled=True)  # fmt: skip
            except (ValueError, ItemTakenError, InvalidAnnotationError) as error:
                refusals.append(str(error))
            handled.append(str(raw.get("nonce")))
    for reason in refusals:
        st.caption(f"Not saved: {reason}")
