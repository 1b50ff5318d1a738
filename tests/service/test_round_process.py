import pytest

from service.projects import open_store
from service.round_control import Phase, round_state, start_next_round
from service.round_process import (
    ERROR_PREFIX,
    RoundProcessError,
    child_error,
    round_command,
    run_round_in_child,
)
from service.runners import ChildProcessRunner, RealRunner, current_runner, use_runner
from service.worker import RoundWorker
from tests.service.factories import make_project


def test_child_error_prefers_the_marked_line_else_the_stderr_tail():
    stderr = f"Traceback ...\nValueError: x\n{ERROR_PREFIX}ValueError: bad model\nexit\n"
    assert child_error(1, stderr) == "ValueError: bad model"
    tail = child_error(-9, "\n".join(f"line {i}" for i in range(40)))
    assert tail.startswith("the round process exited with status -9:")
    assert "line 39" in tail and "line 10" not in tail
    assert child_error(2, "") == "the round process exited with status 2"


def test_round_command_runs_the_module_with_path_and_round(tmp_path):
    command = round_command(tmp_path / "p.sqlite", 4)
    assert command[1:] == ["-m", "service.round_process", str(tmp_path / "p.sqlite"), "4"]


def test_runner_choice_follows_the_environment(monkeypatch):
    use_runner(None)
    monkeypatch.delenv("DEMUX_RUNNER", raising=False)
    assert isinstance(current_runner(), ChildProcessRunner)
    monkeypatch.setenv("DEMUX_RUNNER", "real-thread")
    assert isinstance(current_runner(), RealRunner)
    monkeypatch.setenv("DEMUX_RUNNER", "gpu")
    with pytest.raises(ValueError, match="DEMUX_RUNNER='gpu'"):
        current_runner()


def test_child_failure_reaches_the_caller_with_its_error(demux_home):
    path = make_project()
    with pytest.raises(RoundProcessError, match="no round with id 99"):
        run_round_in_child(path, 99)


@pytest.mark.slow
def test_worker_stores_the_error_of_a_failed_child_round(demux_home, tmp_path):
    path = make_project()
    store = open_store(path)
    store.update_project(model_spec=str(tmp_path / "no-such-model"))
    worker = RoundWorker(open_store, ChildProcessRunner)
    start_next_round(store, worker)
    assert worker.wait_idle(300)
    state = round_state(store, worker)
    assert state.phase == Phase.FAILED
    assert "no-such-model" in state.round.error
    worker.stop(5)
    store.close()


@pytest.mark.slow
def test_the_twin_child_stores_its_point_and_stops_when_asked(tmp_path, monkeypatch):
    """The real twin in its child process (tiny model): asked to stop at once it is killed
    and reports False, storing nothing; left alone it stores the round's twin point."""
    from service.projects import NewProject, ProjectSettings, create_project_from_pools
    from service.round_process import run_twin_in_child
    from service.runners import ChildProcessTwinRunner
    from service.store_runner import StoreRoundRunner
    from tests.fixtures.tiny_model import build_tiny_model_dir
    from tests.service.factories import TOPICS, sequence_pools

    monkeypatch.setenv("DEMUX_HOME", str(tmp_path))
    model_dir = build_tiny_model_dir(tmp_path / "tiny")
    new = NewProject("twin", "sequence", TOPICS, str(model_dir),
                     ProjectSettings(strategy="random", budget=3, k=2))  # fmt: skip
    store = open_store(create_project_from_pools(new, sequence_pools(n_source=12)))
    current = store.start_round("random")
    StoreRoundRunner().run(store, current.id, lambda stage, fraction: None)
    assert run_twin_in_child(store.path, current.id, should_stop=lambda: True) is False
    assert "twin_metric" not in store.get_round(current.id).metrics
    assert ChildProcessTwinRunner().run(store, current.id, should_stop=lambda: False) is True
    metrics = store.get_round(current.id).metrics
    assert metrics["twin_metric"] == metrics["test_metric"] and metrics["twin_n_labeled"] == 0
    store.close()
