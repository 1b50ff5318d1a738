from demux_core.examples import TaskType
from service.projects import open_store
from tests.app.conftest import open_app, texts, wait_for_status
from tests.service.factories import make_project

ANNOTATE = "pages/annotate.py"


def start_first_round(app):
    app.button(key="start_first").click().run()


def test_start_round_then_label_with_class_buttons_and_undo(demux_home, fake_runner):
    path = make_project()
    app = open_app("tiny", ANNOTATE)
    assert "No round yet" in texts(app)
    start_first_round(app)
    wait_for_status(path, ("annotating",))
    app.run()
    assert not app.exception
    assert "0 of 3 labeled this round" in texts(app)
    label_buttons = [b for b in app.button if (b.key or "").startswith("label_")]
    assert [b.proto.shortcut for b in label_buttons] == ["1", "2", "3"]
    label_buttons[1].click().run()
    assert "1 of 3 labeled this round" in texts(app)

    store = open_store(path)
    labels = store.current_labels("source")
    store.close()
    assert list(labels.values()) == ["health"]

    app.button(key="undo").click().run()
    assert "0 of 3 labeled this round" in texts(app)
    store = open_store(path)
    assert store.current_labels("source") == {}
    store.close()


def test_skip_flag_and_finish_queue_next_round(demux_home, fake_runner):
    path = make_project()
    app = open_app("tiny", ANNOTATE)
    start_first_round(app)
    wait_for_status(path, ("annotating",))
    app.run()
    app.button(key="skip").click().run()
    app.button(key="flag").click().run()
    assert "(1 skipped, 1 flagged)" in texts(app)
    app.button(key="finish").click().run()
    wait_for_status(path, ("annotating",))
    store = open_store(path)
    assert [r.status for r in store.rounds()] == ["done", "annotating"]
    store.close()


def test_user_text_is_escaped_and_rtl_marked(demux_home, fake_runner):
    path = make_project(budget=8)
    app = open_app("tiny", ANNOTATE)
    start_first_round(app)
    wait_for_status(path, ("annotating",))
    app.run()
    seen = ""
    for _ in range(8):  # walk the whole round by skipping
        seen += "\n".join(element.proto.body for element in app.get("html"))
        app.button(key="skip").click().run()
    assert "<script>" not in seen
    assert "&lt;script&gt;" in seen
    assert 'dir="rtl"' in seen and "مرحبا" in seen
    assert "नमस्ते" in seen


def test_failed_round_shows_error_and_retry_recovers(demux_home, fake_runner):
    path = make_project()
    fake_runner.fail_with = "the GPU caught fire"
    app = open_app("tiny", ANNOTATE)
    start_first_round(app)
    wait_for_status(path, ("failed",))
    app.run()
    assert "Round 1 failed" in texts(app)
    assert "the GPU caught fire" in texts(app)
    fake_runner.fail_with = None
    app.button(key="retry").click().run()
    wait_for_status(path, ("annotating",))
    app.run()
    assert "0 of 3 labeled this round" in texts(app)


def test_interrupted_round_offers_resume(demux_home, fake_runner):
    path = make_project()
    store = open_store(path)
    store.start_round("random", {})  # as if the app died while the round ran
    store.close()
    app = open_app("tiny", ANNOTATE)
    assert "was interrupted" in texts(app)
    app.button(key="resume").click().run()
    wait_for_status(path, ("annotating",))
    app.run()
    assert "0 of 3 labeled this round" in texts(app)


def test_token_task_shows_tagger_and_typed_tags_are_saved_as_bio(demux_home, fake_runner):
    path = make_project("ner", TaskType.TOKEN)
    app = open_app("ner", ANNOTATE)
    start_first_round(app)
    wait_for_status(path, ("annotating",))
    app.run()
    assert not app.exception
    typed = [t for t in app.text_input if (t.key or "").startswith("typed_")][0]
    assert typed.value == "O O O O O"
    typed.input("I-PER O O B-LOC I-LOC").run()
    app.button(key="save_typed").click().run()
    store = open_store(path)
    assert list(store.current_labels("source").values()) == [("B-PER", "O", "O", "B-LOC", "I-LOC")]
    store.close()
    assert "1 of 3 labeled this round" in texts(app)


def test_typed_tags_with_wrong_count_are_rejected(demux_home, fake_runner):
    path = make_project("ner", TaskType.TOKEN)
    app = open_app("ner", ANNOTATE)
    start_first_round(app)
    wait_for_status(path, ("annotating",))
    app.run()
    typed = [t for t in app.text_input if (t.key or "").startswith("typed_")][0]
    typed.input("O O").run()
    app.button(key="save_typed").click().run()
    assert "expected 5 tags" in texts(app)
