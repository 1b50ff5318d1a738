import pytest

from service.projects import open_store
from service.report import set_baseline_curve
from tests.app.conftest import label_first_item, open_app, texts, wait_for_status
from tests.service.factories import make_project


@pytest.fixture
def scored_project(demux_home, fake_runner):
    """The tiny project after round 1 ran, with one label saved."""
    path = make_project()
    app = open_app("tiny", "pages/annotate.py")
    app.button(key="start_first").click().run()
    wait_for_status(path, ("annotating",))
    store = open_store(path)
    try:
        label_first_item(store, "sports")
    finally:
        store.close()
    return path


def test_projects_page_lists_and_opens_projects(demux_home, fake_runner):
    make_project("alpha")
    make_project("beta")
    app = open_app(None)
    assert not app.exception
    assert app.selectbox(key="open_choice").options == ["alpha", "beta"]
    app.selectbox(key="open_choice").set_value("beta")
    app.button(key="open_project").click().run()
    assert app.session_state["project_name"] == "beta"


def test_delete_moves_the_project_to_the_trash_after_confirmation(demux_home, fake_runner):
    make_project("alpha")
    make_project("beta")
    app = open_app("beta")
    app.selectbox(key="delete_choice").set_value("beta")
    app.button(key="delete_project").click().run()
    assert "nothing was deleted" in texts(app)
    assert (demux_home / "projects" / "beta.sqlite").exists()
    app.text_input(key="delete_confirm").input("beta")
    app.button(key="delete_project").click().run()
    assert not app.exception
    assert "Moved beta to the trash folder" in texts(app)
    assert [p.name for p in (demux_home / "projects").glob("*.sqlite")] == ["alpha.sqlite"]
    assert list((demux_home / "projects" / ".trash").glob("beta-*/beta.sqlite"))
    assert app.session_state["project_name"] is None


def fill_form(app, name: str, paths: tuple[str, str], languages: tuple[str, str] = ()) -> None:
    """Type a project name, the source and target server paths and their languages."""
    app.text_input(key="new_name").input(name)
    for pool, path in zip(("source", "target"), paths, strict=True):
        app.text_area(key=f"paths_{pool}").input(path)
    for pool, language in zip(("source", "target"), languages, strict=False):
        app.text_input(key=f"lang_{pool}").input(language)


def test_new_project_form_reports_malformed_file_with_line(
    demux_home, fake_runner, tmp_path, monkeypatch
):
    monkeypatch.setenv("DEMUX_DATA_ROOTS", str(tmp_path))
    source = tmp_path / "source.tsv"
    source.write_text("text\tlabel\nhello\tsports\nbroken line without tab\n", encoding="utf-8")
    target = tmp_path / "target.tsv"
    target.write_text("text\nsalut\n", encoding="utf-8")
    app = open_app(None)
    fill_form(app, "newproj", (str(source), str(target)), ("eng", "fra"))
    app.selectbox(key="new_task").set_value("sequence")
    app.text_input(key="new_labels").input("sports, health")
    app.button[-1].click().run()
    assert "Could not create the project" in texts(app)
    assert "source.tsv:3" in texts(app)
    assert not (demux_home / "projects" / "newproj.sqlite").exists()


def test_new_project_form_refuses_a_server_path_outside_the_data_roots(
    demux_home, fake_runner, tmp_path, monkeypatch
):
    monkeypatch.setenv("DEMUX_DATA_ROOTS", str(tmp_path / "data"))
    app = open_app(None)
    fill_form(app, "stolen", ("/etc/passwd", "../../etc/passwd"))
    app.selectbox(key="fmt_source").set_value("tsv")
    app.text_input(key="new_labels").input("a, b")
    app.button[-1].click().run()
    assert "Could not create the project" in texts(app)
    assert "/etc/passwd is outside the allowed data folders" in texts(app)
    assert "root:" not in texts(app)  # nothing of the file is quoted
    assert not (demux_home / "projects" / "stolen.sqlite").exists()


def test_new_project_form_creates_project(demux_home, fake_runner, tmp_path, monkeypatch):
    monkeypatch.setenv("DEMUX_DATA_ROOTS", str(tmp_path))
    source = tmp_path / "source.tsv"
    source.write_text("text\tlabel\nhello\tsports\nflu season\thealth\n", encoding="utf-8")
    target = tmp_path / "target.tsv"
    target.write_text("text\nsalut\n", encoding="utf-8")
    app = open_app(None)
    fill_form(app, "fromfiles", (str(source), str(target)), ("eng", "fra"))
    app.selectbox(key="new_task").set_value("sequence")
    app.number_input(key="new_min_train_labels").set_value(30)
    app.number_input(key="new_warm_start_weight").set_value(0.5)
    app.button[-1].click().run()
    assert not app.exception
    assert "Created project fromfiles" in texts(app)
    store = open_store(demux_home / "projects" / "fromfiles.sqlite")
    assert store.info().labels == ("health", "sports")
    assert store.pool_sizes()["source"] == 2
    assert store.info().settings["k"] == 4  # blank k: the sentence-task default
    settings = store.info().settings
    assert (settings["min_train_labels"], settings["keep_best"]) == (30, False)
    assert settings["warm_start_weight"] == 0.5
    assert settings["round_mode"] == "indexed"  # the default: rounds use the pool index
    store.close()
    from service.store_runner import project_recipe

    assert project_recipe(settings, "sequence").training.min_train_labels == 30


def test_new_project_form_can_ask_for_full_rescoring(
    demux_home, fake_runner, tmp_path, monkeypatch
):
    monkeypatch.setenv("DEMUX_DATA_ROOTS", str(tmp_path))
    source = tmp_path / "source.tsv"
    source.write_text("text\tlabel\nhello\tsports\nflu season\thealth\n", encoding="utf-8")
    target = tmp_path / "target.tsv"
    target.write_text("text\nsalut\n", encoding="utf-8")
    app = open_app(None)
    fill_form(app, "fullrescore", (str(source), str(target)), ("eng", "fra"))
    app.selectbox(key="new_task").set_value("sequence")
    app.checkbox(key="new_round_mode_full").check()
    app.number_input(key="new_frozen_layers").set_value(-2)
    app.button[-1].click().run()
    assert not app.exception and "Created project fullrescore" in texts(app)
    store = open_store(demux_home / "projects" / "fullrescore.sqlite")
    assert store.info().settings["round_mode"] == "full"
    assert store.info().settings["frozen_layers"] == -2
    from service.store_runner import project_recipe

    assert project_recipe(store.info().settings, "sequence").training.frozen_layers == -2
    store.close()


def test_map_page_shows_projection_and_neighbours(scored_project):
    app = open_app("tiny", "pages/map.py")
    assert not app.exception
    charts = app.get("plotly_chart")
    assert charts
    assert "Scattergl" in charts[0].proto.spec or "scattergl" in charts[0].proto.spec
    assert "&lt;script&gt;" in charts[0].proto.spec or "script" not in charts[0].proto.spec
    assert "nearest source points of target #0" in texts(app)
    table = app.dataframe[0].value
    assert len(table) == 2  # k = 2
    assert set(table["picked"]) <= {"no", "round 1"}
    app.selectbox[-1].set_value(3).run()
    assert "target #3" in texts(app)


def test_rounds_page_shows_curve_baseline_and_failure(scored_project, fake_runner):
    store = open_store(scored_project)
    set_baseline_curve(store, "random", [(0, 0.2), (3, 0.3)])
    store.close()
    app = open_app("tiny", "pages/rounds.py")
    assert not app.exception
    keys = [chart.proto.id for chart in app.get("plotly_chart")]
    assert [key.split("-")[-1] for key in keys] == ["learning_curve", "stability", "picks",
                                                     "timings"]  # fmt: skip
    assert len(app.dataframe) == 4  # diagnostics, pace by annotator and by round, all rounds
    pace = app.dataframe[1].value
    assert list(pace.columns[:2]) == ["annotator", "labels"] and pace["labels"].sum() > 0
    assert "Gain per hour (CSV)" in [b.proto.label for b in app.get("download_button")]

    fake_runner.fail_with = "disk full"
    annotate = open_app("tiny", "pages/annotate.py")
    annotate.button(key="finish").click().run()
    wait_for_status(scored_project, ("failed",))
    app.run()
    assert "Round 2 failed" in texts(app) and "disk full" in texts(app)
    assert app.button(key="retry_rounds_page")


def test_export_page_offers_every_format(scored_project):
    app = open_app("tiny", "pages/export.py")
    assert not app.exception
    keys = {button.proto.id.split("-")[-1] for button in app.get("download_button")}
    labels = [button.proto.label for button in app.get("download_button")]
    assert labels == ["JSON Lines", "CSV", "datasets folder (zip)", "Rounds table (CSV)"]
    assert keys
    assert "1 labeled examples" in texts(app) or "4 labeled examples" in texts(app)


def test_export_page_builds_no_file_on_load(scored_project, monkeypatch):
    import service.exporting

    built = []
    for name in ("labeled_data", "model_folder", "rounds_csv"):
        monkeypatch.setattr(service.exporting, name, lambda *args, name=name: built.append(name))
    app = open_app("tiny", "pages/export.py")
    assert not app.exception
    assert len(app.get("download_button")) == 4
    assert built == []
