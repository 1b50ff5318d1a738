"""Starting, finishing, resuming and retrying rounds; what the UI should show about them.

State lives in the store; the worker only runs jobs. A round in a running status
(``selecting`` / ``training`` / ``scoring``) that this process's worker does not hold was
interrupted (the app stopped mid-round) and can be resumed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from demux_core.cold_start import round_strategy
from service.projects import project_settings
from service.team.accounts import labeling_accounts
from service.team.overlap import team_overlap
from service.worker import RoundJob, RoundWorker
from storage import ProjectStore, Round

RUNNING_STATUSES = ("selecting", "training", "scoring")


class Phase(StrEnum):
    """What the current round needs from the user."""

    NO_ROUND = "no-round"  # nothing scored yet: offer to start round 1
    RUNNING = "running"  # the worker is on it: show progress
    INTERRUPTED = "interrupted"  # left running by a stopped app: offer resume
    FAILED = "failed"  # show the error: offer retry
    ANNOTATING = "annotating"  # label its selected points
    DONE = "done"  # finished; the next one has not started


@dataclass(frozen=True)
class RoundState:
    """The latest round and what it needs (``round`` is ``None`` before round 1)."""

    round: Round | None
    phase: Phase


def job_for(store: ProjectStore, round_id: int) -> RoundJob:
    """The worker job that runs ``round_id`` of this store's project."""
    return RoundJob(store.path.resolve(), round_id)


def round_state(store: ProjectStore, worker: RoundWorker) -> RoundState:
    """Classify the latest round (see :class:`Phase`)."""
    current = store.current_round()
    if current is None:
        return RoundState(None, Phase.NO_ROUND)
    if current.status in RUNNING_STATUSES:
        running = worker.is_pending(job_for(store, current.id))
        return RoundState(current, Phase.RUNNING if running else Phase.INTERRUPTED)
    return RoundState(current, Phase(current.status))


def start_next_round(store: ProjectStore, worker: RoundWorker) -> Round:
    """Close the annotating round (if any), create the next one and queue it.

    Raises
    ------
    RuntimeError
        When the latest round is still running, interrupted or failed (resume or retry it).
    """
    state = round_state(store, worker)
    if state.phase in (Phase.RUNNING, Phase.INTERRUPTED, Phase.FAILED):
        number = state.round.number if state.round else "?"
        raise RuntimeError(f"round {number} is {state.phase.value}: resume or retry it first")
    if state.round is not None and state.phase == Phase.ANNOTATING:
        store.set_round_status(state.round.id, "done", progress=1.0)
    settings = project_settings(store)
    choice = round_strategy(settings.strategy, seed_labels=store.gold_count("seed"),
                            labels=len(store.current_labels("source")),
                            cold_start=settings.cold_start,
                            cold_start_labels=settings.cold_start_labels)  # fmt: skip
    overlap = team_overlap(settings.overlap, labeling_accounts())
    new_round = store.start_round(choice.strategy, {**settings.to_dict(), "overlap": overlap,
                                                    "strategy_reason": choice.reason})  # fmt: skip
    worker.submit(job_for(store, new_round.id))
    return new_round


def rerun_round(store: ProjectStore, worker: RoundWorker, round_id: int) -> bool:
    """Queue an interrupted or failed round again; ``False`` if it is already queued.

    The runner starts the round over; it replaces any partial scores or selection.
    """
    current = store.get_round(round_id)
    if current.status not in (*RUNNING_STATUSES, "failed"):
        raise RuntimeError(f"round {current.number} is {current.status}: nothing to resume")
    if current.status == "failed":
        store.set_round_status(round_id, "selecting", stage="queued", progress=0.0)
    return worker.submit(job_for(store, round_id))
