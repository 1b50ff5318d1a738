import importlib.util

import pytest

from service.projects import ProjectSettings


def test_settings_round_trip_through_the_stored_dict():
    settings = ProjectSettings(strategy="random", budget=7, k=3, engine="local")
    stored = settings.to_dict()
    assert ProjectSettings.from_dict({**stored, "unknown": 1}) == settings


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"strategy": "smartest"}, "strategy 'smartest' is not one of"),
        ({"budget": 0}, "budget must be >= 1"),
        ({"k": 0}, "k must be >= 1"),
        ({"min_train_labels": -1}, "min_train_labels must be >= 0"),
        ({"warm_start_weight": 1.0}, "warm_start_weight must be in \\[0, 1\\)"),
        ({"engine": "spark"}, "engine 'spark' is not one of local, ray"),
    ],
)
def test_bad_settings_are_named(values, message):
    with pytest.raises(ValueError, match=message):
        ProjectSettings(**values)


def test_ray_engine_without_the_extra_says_how_to_install_it(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: None if name == "ray" else real(name)
    )
    with pytest.raises(ValueError, match="pip install -r requirements-scale.txt"):
        ProjectSettings(engine="ray")


@pytest.mark.parametrize(("task", "expected"), [("sequence", 4), ("pair", 4), ("token", 4)])
def test_app_and_cli_start_knn_uncertainty_at_the_task_default_k(task, expected):
    from demux_core.recipes import default_k
    from demux_lab.cli import build_parser
    from demux_lab.simulation.args import config_from_args

    required = ["--task", task, "--source", "s.tsv", "--target-pool", "t.tsv", "--out", "x"]
    args = build_parser().parse_args(["simulate", *required])
    cli_k = config_from_args(args, ("a", "b")).round.k
    assert cli_k == ProjectSettings.for_task(task).k == default_k(task) == expected


def test_qa_projects_start_at_k_4():  # simulate has no QA task; the app does
    from demux_core.recipes import default_k

    assert ProjectSettings.for_task("qa").k == default_k("qa") == 4


def test_an_explicit_k_wins_over_the_task_default():
    assert ProjectSettings.for_task("sequence", k=2, budget=5).k == 2
    assert ProjectSettings.for_task("sequence", budget=5).budget == 5


def test_new_projects_average_with_the_warm_start_as_their_task_recipe_says():
    from demux_core.recipes import task_recipe

    for task in ("sequence", "pair", "token", "qa"):
        expected = task_recipe(task).warm_start_weight
        assert ProjectSettings.for_task(task).warm_start_weight == expected
    assert ProjectSettings.for_task("sequence").warm_start_weight == 0.5
    assert ProjectSettings.for_task("token").warm_start_weight == 0.0
    assert ProjectSettings.for_task("sequence", warm_start_weight=0.0).warm_start_weight == 0.0
    assert ProjectSettings().warm_start_weight == 0.0  # a stored project without the key


def test_demos_start_at_their_task_default_k():
    from demux_core.recipes import default_k
    from service.demo import demo_specs

    for spec in demo_specs().values():
        settings = ProjectSettings.for_task(spec.task, budget=spec.budget, k=spec.k)
        assert settings.k == default_k(spec.task)


def test_the_app_offers_every_registered_strategy():
    from demux_core.selection.strategies import STRATEGIES
    from service.projects import STRATEGY_NAMES

    assert sorted(STRATEGY_NAMES) == sorted(STRATEGIES)


def test_the_form_states_the_task_defaults_of_k(monkeypatch):
    from demux_core import recipes

    assert ProjectSettings.default_k_text() == f"{recipes.DEFAULT_K} for every task"
    changed = {**recipes.TASK_RECIPES, "token": recipes.TaskRecipe(k=2)}
    monkeypatch.setattr(recipes, "TASK_RECIPES", changed)
    text = ProjectSettings.default_k_text()
    assert "2 for token" in text and f"{recipes.DEFAULT_K} for sequence" in text


@pytest.mark.parametrize(
    ("task", "labels"), [("sequence", ("only",)), ("pair", ()), ("token", ("O",))]
)
def test_a_label_set_no_round_could_train_on_is_refused_at_creation(task, labels) -> None:
    from service.projects import NewProject

    with pytest.raises(ValueError, match="needs at least"):
        NewProject("p", task, labels)


def _ner_files(folder, source_text: str) -> list:
    """A Hausa source file holding ``source_text`` and a one-sentence Yoruba target."""
    from service.projects import PoolFile

    paths = []
    for language, text in (("hau", source_text), ("yor", "Ade O\n\n")):
        path = folder / language / "train.txt"
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return [PoolFile("source", paths[0]), PoolFile("target", paths[1])]


def test_import_reports_orphan_tags_it_repaired_and_labels_keep_both_prefixes(
    demux_home, tmp_path
) -> None:
    from service.projects import NewProject, collect_labels, create_project_from_files

    files = _ner_files(tmp_path, "Ada I-PER\nwent O\n\nKano B-LOC\nis O\nbig I-LOC\n\n")
    source = files[0].path
    labels = collect_labels("token", files)
    assert labels == ("O", "B-LOC", "B-PER", "I-LOC", "I-PER")
    created = create_project_from_files(NewProject("ner", "token", labels), files)
    assert created.notes == (
        f"{source}: 2 tag(s) continued no entity and were read as its start "
        "(first at line 1: I-PER -> B-PER)",
    )


@pytest.mark.parametrize("repair", [True, False])
def test_import_notes_garbled_text_and_repairs_it_only_when_asked(demux_home, tmp_path, repair):
    from service.projects import NewProject, create_project_from_files, open_store

    files = _ner_files(tmp_path, "Ya O\nce O\n\n茩asar B-LOC\nta O\n\n")
    source = files[0].path
    created = create_project_from_files(NewProject(f"ner{repair}", "token", ("O", "B-LOC")),
                                        files, repair_garbled=repair)  # fmt: skip
    (note,) = created.notes
    assert note.startswith(f"{source}: 1 garbled run(s) of characters in 1 sentence(s)")
    assert ("1 repaired, first at line 4: '茩' -> 'ƙ'" in note) is repair
    store = open_store(created.path)
    tokens = [s.example.tokens for s in store.stored_examples("source")]
    store.close()
    assert tokens[1][0] == ("ƙasar" if repair else "茩asar")
