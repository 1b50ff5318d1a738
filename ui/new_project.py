"""The Projects page's form for a new project from files (uploads or server paths)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from demux_core.data.examples import TaskType
from demux_core.errors import DemuxError
from service.data_roots import resolve_server_path, roots_text
from service.projects import (
    DEFAULT_MODEL_SPEC,
    ENGINES,
    STRATEGY_NAMES,
    NewProject,
    PoolFile,
    ProjectSettings,
    collect_labels,
    create_project_from_files,
    parse_label_list,
)
from ui.common import error_box, set_current_project

READER_FORMATS = ("auto", "conll", "conllu", "tsv", "csv", "jsonl", "hf")
POOL_HELP = {
    "source": "many languages, unlabeled (labels, if present, stay hidden)",
    "target": "the language you care about, unlabeled",
    "test": "optional: labeled target-language data for the learning curve",
    "seed": "optional: a few labeled examples to warm-start the model",
}


@dataclass(frozen=True)
class PoolInputs:
    """What the form holds for one pool (uploads are saved only on submit)."""

    pool: str
    uploads: list[Any]
    paths: list[str]
    options: dict[str, str]

    def files(self, scratch: Path) -> list[PoolFile]:
        """Typed server paths (checked against the data roots), then the saved uploads."""
        files = [
            PoolFile(self.pool, resolve_server_path(text), self.options) for text in self.paths
        ]
        for upload in self.uploads:
            name = Path(upload.name).name
            path = scratch / self.pool / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(upload.getvalue())
            files.append(PoolFile(self.pool, path, self.options, display_name=f"upload {name}"))
        return files


def pool_inputs(pool: str) -> PoolInputs:
    """The uploader, server paths and reader options of one pool."""
    st.markdown(f"**{pool}** — {POOL_HELP[pool]}")
    uploads = st.file_uploader(f"{pool} files", accept_multiple_files=True, key=f"up_{pool}")
    paths_text = st.text_area(
        f"{pool}: paths on the server (one per line)",
        key=f"paths_{pool}",
        height=68,
        help=f"inside the data folders only: {roots_text()} (absolute, or relative to one)",
    )
    columns = st.columns(2)
    fmt = columns[0].selectbox("format", READER_FORMATS, key=f"fmt_{pool}")
    language = columns[1].text_input("language (blank: from file or folder)", key=f"lang_{pool}")
    options: dict[str, str] = {}
    if fmt != "auto":
        options["format"] = fmt
    if language.strip():
        options["language"] = language.strip()
    paths = [line.strip() for line in paths_text.splitlines() if line.strip()]
    return PoolInputs(pool, list(uploads or []), paths, options)


def training_inputs() -> dict:
    """The form's "Round training" expander: settings that change the measured default."""
    with st.expander("Round training (advanced)"):
        st.caption(
            'The defaults are the recipe measured best (docs/research-log.md, "Rounds that '
            'gain"), where these options were measured too.'
        )
        keep_best = st.checkbox(
            "Keep the best epoch on a held-out part of the seed pool",
            key="new_keep_best",
            help="never lets a round lower the held-out score; it also blocked most rounds "
            "from learning in the study",
        )
        min_labels = st.number_input(
            "Train only once this many labels were acquired",
            min_value=0,
            value=0,
            key="new_min_train_labels",
            help="0: every round with new labels trains; earlier rounds select with the "
            "model they have and their labels wait",
        )
        weight = st.number_input(
            "Average each round's weights with the warm start's (weight of the warm start)",
            min_value=0.0,
            max_value=0.95,
            value=None,
            step=0.05,
            placeholder="task default",
            key="new_warm_start_weight",
            help="blank: the task's measured default "
            f"({ProjectSettings.default_warm_start_weight_text()}); 0: off; 0.5 halves how far "
            "each round moves the model from the warm start",
        )
        frozen = st.number_input(
            "Frozen encoder layers in rounds (negative: all but the top N)",
            value=None,
            step=1,
            placeholder="task default",
            key="new_frozen_layers",
            help="blank: the task's measured default "
            f"({ProjectSettings.default_frozen_layers_text()}); 0: every layer trains",
        )
        full = st.checkbox(
            "Rescore every sentence each round (slow: the round before the pool index)",
            key="new_round_mode_full",
            help="off (default): the pool index gives the distances and the map, and a round "
            "scores only the sentences its strategy reads; on: every round rescores every "
            "sentence with its own model and refits the map (docs/benchmarks.md)",
        )
    return {
        "keep_best": bool(keep_best),
        "min_train_labels": int(min_labels),
        "warm_start_weight": None if weight is None else float(weight),
        "round_mode": "full" if full else "indexed",
        "frozen_layers": None if frozen is None else int(frozen),
    }


def new_project_section() -> None:
    st.subheader("New project from files")
    with st.form("new_project"):
        name = st.text_input("Project name", placeholder="letters, digits, . _ -", key="new_name")
        columns = st.columns(3)
        task = columns[0].selectbox("Task", [t.value for t in TaskType], key="new_task")
        strategy = columns[1].selectbox("Strategy", STRATEGY_NAMES)
        model_spec = columns[2].text_input("Model", value=DEFAULT_MODEL_SPEC)
        labels_text = st.text_input(
            "Labels (comma-separated; blank: collect them from labeled files)", key="new_labels"
        )
        columns = st.columns(3)
        budget = columns[0].number_input("Budget per round", min_value=1, value=20)
        k = columns[1].number_input(
            "k (neighbours per target point)",
            min_value=1,
            value=None,
            placeholder="task default",
            help=f"blank: the task's measured default ({ProjectSettings.default_k_text()}; "
            "docs/research-log.md)",
        )
        engine = columns[2].selectbox(
            "Scoring engine",
            ENGINES,
            help="ray: score pools on a Ray cluster; needs `pip install -r "
            "requirements-scale.txt` (see docs/scaling.md)",
        )
        training = training_inputs()
        inputs = [pool_inputs(pool) for pool in ("source", "target", "test", "seed")]
        repair = st.checkbox(
            "Repair garbled text (mojibake)", value=True, key="new_repair_garbled",
            help="UTF-8 text once decoded as GBK or another CJK code page (e.g. Hausa ƙ read "
            "as 茩) is put back, token and sentence tasks; the note after creation says what "
            "was found and where (file:line). Off: the text stays as in the files, and the "
            "note still lists it",
        )  # fmt: skip
        submitted = st.form_submit_button("Create project", type="primary")
    if not submitted:
        return
    try:
        with tempfile.TemporaryDirectory(prefix="demux-upload-") as scratch:
            notes = create_from_form(
                name,
                task,
                strategy,
                model_spec,
                labels_text,
                int(budget),
                None if k is None else int(k),
                [f for pool in inputs for f in pool.files(Path(scratch))],
                engine=engine,
                training=training,
                repair_garbled=bool(repair),
            )
    except (DemuxError, OSError, ValueError) as error:
        error_box("Could not create the project", str(error))
        return
    st.success(f"Created project {name.strip()}. Start round 1 on the Annotate page.")
    for note in notes:  # what the import repaired or found (plain text)
        st.warning("The import changed or found something in the data:", icon=":material/build:")
        st.text(note)


def create_from_form(
    name: str,
    task: str,
    strategy: str,
    model_spec: str,
    labels_text: str,
    budget: int,
    k: int | None,
    files: list[PoolFile],
    engine: str = "local",
    training: dict | None = None,
    repair_garbled: bool = True,
) -> tuple[str, ...]:
    """Validate the form and create the project (raises on any problem); returns the
    import's notes (tags it repaired, garbled text found or repaired).

    ``training``: round-training settings of :class:`ProjectSettings` (``keep_best``,
    ``min_train_labels``, ``warm_start_weight``); absent ones keep their defaults.
    """
    task_type = TaskType(task)
    labels = parse_label_list(labels_text) or collect_labels(task_type, files)
    settings = ProjectSettings.for_task(
        task, strategy=strategy, budget=budget, k=k, engine=engine, **(training or {})
    )
    new = NewProject(
        name.strip(), task_type, labels, model_spec.strip() or DEFAULT_MODEL_SPEC, settings
    )
    created = create_project_from_files(new, files, repair_garbled=repair_garbled)
    set_current_project(new.name)
    return created.notes
