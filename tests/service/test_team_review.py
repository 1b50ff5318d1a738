"""Agreement over overlap items, the review queue, and training on the decisions."""

from __future__ import annotations

import pytest

from demux_core.data.examples import TaskType
from service.annotation import undo_last
from service.fake_runner import FakeRunner
from service.projects import open_store
from service.round_control import start_next_round
from service.team.agreement import agreement_report
from service.team.review import decide, label_text, left_out_note, review_queue, undo_decision
from service.worker import RoundWorker
from storage import ItemTakenError
from tests.service.factories import make_project


@pytest.fixture
def store(demux_home):
    project = open_store(make_project(n_source=8))
    yield project
    project.close()


def _double(store, key: int, first: str, second: str, by=("ana", "ben")) -> None:
    store.save_annotation(key, first, annotator=by[0])
    store.save_annotation(key, second, annotator=by[1], slot="second")


def test_kappa_per_pair_and_per_label_match_hand_computed_values(store) -> None:
    keys = [s.key for s in store.stored_examples("source")]
    pairs = [("sports", "sports"), ("health", "health"), ("sports", "health"),
             ("politics", "politics")]  # fmt: skip
    for key, (a, b) in zip(keys[:4], pairs, strict=True):
        _double(store, key, a, b)
    store.save_annotation(keys[5], "sports", annotator="ana")  # single: not in agreement
    report = agreement_report(store)
    assert report.items == 4
    pair = report.pairs.iloc[0]
    assert (pair["annotators"], pair["items"], pair["same label"]) == ("ana & ben", 4, 3)
    # p_o = 3/4, p_e = (2*1 + 1*2 + 1*1) / 16 = 5/16
    assert pair["kappa"] == pytest.approx((0.75 - 5 / 16) / (1 - 5 / 16))
    assert "span F1" not in report.pairs.columns  # entities only
    low, high = (float(v) for v in pair["kappa 95 %"].split(" to "))
    assert low < pair["kappa"] <= high
    sports = report.by_label.set_index("label").loc["sports"]
    # sports against the rest: ana T F T F, ben T F F F: p_o = 3/4, p_e = 1/2
    assert (sports["items"], sports["kappa"]) == (2, pytest.approx(0.5))
    assert list(report.disagreements["first label"]) == ["sports"]
    assert list(report.disagreements["decision"]) == ["waiting for review"]
    # alpha: n = 8 values (sports 3, health 3, politics 2); D_o = 2/8 (one split unit, both
    # orders), D_e = (64 - 22) / (8 * 7) = 0.75, so alpha = 1 - 0.25 / 0.75
    assert report.alpha == pytest.approx(2 / 3)


def test_span_f1_per_pair_and_per_entity_type(demux_home) -> None:
    store = open_store(make_project("ner", task=TaskType.TOKEN))
    keys = [s.key for s in store.stored_examples("source")]
    # tokens: Musa ya je Kano <b>i</b>
    store.save_annotation(keys[0], ("B-PER", "O", "O", "B-LOC", "O"), annotator="ana")
    store.save_annotation(keys[0], ("B-PER", "O", "O", "O", "O"), annotator="ben", slot="second")
    report = agreement_report(store)
    assert report.pairs.iloc[0]["span F1"] == pytest.approx(2 * 1 / (2 + 1))
    per_type = report.by_label.set_index("label")["span F1"]
    assert per_type["PER"] == pytest.approx(1.0) and per_type["LOC"] == pytest.approx(0.0)
    row = report.disagreements.iloc[0]
    assert (row["first label"], row["second label"]) == ("PER: Musa · LOC: Kano", "PER: Musa")
    store.close()


def test_disagreements_and_flags_wait_for_review_and_a_decision_trains(store) -> None:
    keys = [s.key for s in store.stored_examples("source")]
    _double(store, keys[0], "sports", "health")
    _double(store, keys[1], "politics", "politics")
    store.save_annotation(keys[2], None, annotator="ana", kind="flag")
    queue = review_queue(store)
    assert [(item.example_key, item.reason) for item in queue] == [
        (keys[0], "disagreement"), (keys[2], "flagged")]  # fmt: skip
    assert [label_text(queue[0].example, a) for a in queue[0].annotations] == ["sports", "health"]
    assert keys[0] not in store.current_labels()
    decide(store, queue[0], "health", "rev")
    with pytest.raises(ItemTakenError):  # a second reviewer on the same item is refused
        decide(store, queue[0], "sports", "other")
    decide(store, queue[1], None, "rev", leave_out=True)
    assert review_queue(store) == []
    assert store.current_labels()[keys[0]] == "health" and keys[2] not in store.current_labels()
    assert "health (rev)" in list(agreement_report(store).disagreements["decision"])
    store.save_annotation(keys[3], "sports", annotator="rev")  # rev labels on Annotate too
    undo_decision(store, "rev")  # takes back the decision on the flag, not that label
    assert [item.example_key for item in review_queue(store)] == [keys[2]]
    assert store.current_labels()[keys[3]] == "sports"
    decide(store, review_queue(store)[0], "sports", "rev")
    assert undo_last(store, "rev").example_key == keys[3]  # Annotate's undo: the label
    assert keys[2] in store.current_labels()


def test_a_round_says_how_many_conflicts_it_left_out(store) -> None:
    worker = RoundWorker(open_store, FakeRunner)
    keys = [s.key for s in store.stored_examples("source")]
    _double(store, keys[0], "sports", "health")
    store.save_annotation(keys[1], "politics", annotator="ana")
    first = start_next_round(store, worker)
    assert worker.wait_idle(10)
    done = store.get_round(first.id)
    assert done.metrics["left_out_conflicts"] == 1 and done.metrics["n_labeled"] == 1
    assert "trained without 1 sentence(s)" in left_out_note(done)
    decide(store, review_queue(store)[0], "sports", "rev")
    second = start_next_round(store, worker)
    assert worker.wait_idle(10)
    worker.stop(5)
    done = store.get_round(second.id)
    assert done.metrics["left_out_conflicts"] == 0 and done.metrics["n_labeled"] == 2
    assert left_out_note(done) is None


def test_the_real_runner_trains_on_decisions_and_leaves_conflicts_out(tmp_path, monkeypatch):
    import demux_core.rounds.round as rounds
    from service.projects import NewProject, ProjectSettings, create_project_from_pools
    from service.store_runner import StoreRoundRunner
    from tests.fixtures.tiny_model import build_tiny_model_dir
    from tests.service.factories import TOPICS, sequence_pools

    monkeypatch.setenv("DEMUX_HOME", str(tmp_path))
    monkeypatch.delenv("DEMUX_PROJECTS", raising=False)
    model_dir = build_tiny_model_dir(tmp_path / "tiny")
    settings = ProjectSettings(strategy="random", budget=2, k=2, baseline_twin=False)
    store = open_store(create_project_from_pools(
        NewProject("real", "sequence", TOPICS, str(model_dir), settings), sequence_pools()))  # fmt: skip
    source = {s.example.id: s.key for s in store.stored_examples("source")}
    _double(store, source["s0"], "sports", "health")  # decided below: health
    _double(store, source["s1"], "sports", "politics")  # left out: no decision
    _double(store, source["s2"], "politics", "politics")  # agreed
    decide(store, review_queue(store)[0], "health", "rev")
    seen: dict[str, str | None] = {}
    real_round = rounds.run_round

    def recording(*args, **kwargs):
        for example in kwargs["new_labels"] + kwargs["earlier_labels"]:
            seen[example.id] = example.label
        return real_round(*args, **kwargs)

    monkeypatch.setattr(rounds, "run_round", recording)
    current = store.start_round("random", settings.to_dict())
    StoreRoundRunner().run(store, current.id, lambda stage, fraction: None)
    assert seen == {"s0": "health", "s2": "politics"}
    assert store.get_round(current.id).metrics["left_out_conflicts"] == 1
    store.close()
