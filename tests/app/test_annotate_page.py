"""The Annotate page (AppTest): what it shows, and the phases of a round.

Presses in the browser widgets (class keys, skip, flag, undo, the tagger) are tested in a
real browser (tests/e2e) and, as service calls, in tests/service/test_presses.py.
"""

from demux_core.data.examples import TaskType
from service.annotation import mark, next_unhandled, round_items
from service.projects import open_store
from tests.app.conftest import label_first_item, open_app, pad_data, texts, wait_for_status
from tests.service.factories import make_project

ANNOTATE = "pages/annotate.py"


def start_first_round(app):
    app.button(key="start_first").click().run()


def annotating(path, annotator: str = "ann"):
    """The Annotate page of ``path``'s project, whose first round started and waits."""
    app = open_app(path.stem, ANNOTATE, annotator=annotator)
    start_first_round(app)
    wait_for_status(path, ("annotating",))
    app.run()
    return app


def test_round_items_are_served_in_rank_order_with_their_key(demux_home, fake_runner):
    path = make_project()
    app = open_app("tiny", ANNOTATE)
    assert "No round yet" in texts(app)
    start_first_round(app)
    wait_for_status(path, ("annotating",))
    app.run()
    assert not app.exception
    assert "0 of 3 labeled this round" in texts(app)
    store = open_store(path)
    items = round_items(store, store.current_round().id)
    data = pad_data(app)
    assert data["example_id"] == items[0].example_key
    assert data["classes"] == list(store.info().labels)
    # the fake round's test accuracy (30 %) is low: its guesses are hidden until asked for
    assert data["suggestion"] is None and items[0].suggestion is not None
    assert "Model guesses are hidden: the model's test accuracy is 30 %" in texts(app)
    app.toggle(key=f"show_guesses_{store.current_round().id}").set_value(True).run()
    assert pad_data(app)["suggestion"] == items[0].suggestion
    assert "Shown at your request. " in texts(app)
    label_first_item(store, "health")
    store.close()
    app.run()
    assert "1 of 3 labeled this round" in texts(app)
    assert pad_data(app)["example_id"] == items[1].example_key


def test_two_sessions_are_shown_different_items(demux_home, fake_runner):
    first = annotating(make_project(), annotator="ana")
    second = open_app("tiny", ANNOTATE, annotator="ben")
    assert pad_data(first)["example_id"] != pad_data(second)["example_id"]


def test_no_labeling_before_a_name_is_given(demux_home, fake_runner):
    app = annotating(make_project(), annotator="")
    assert "Type your name first" in texts(app)
    assert not app.get("bidi_component")
    app.text_input(key="annotator_prompt").input("ana").run()
    assert pad_data(app)["example_id"] is not None
    assert app.session_state["annotator"] == "ana"


def test_skip_flag_and_finish_queue_next_round(demux_home, fake_runner):
    path = make_project()
    app = open_app("tiny", ANNOTATE)
    start_first_round(app)
    wait_for_status(path, ("annotating",))
    store = open_store(path)
    current = store.current_round()
    mark(store, current.id, next_unhandled(round_items(store, current.id)), "skip", "ann")
    mark(store, current.id, next_unhandled(round_items(store, current.id)), "flag", "ann")
    store.close()
    app.run()
    assert "(1 skipped, 1 flagged)" in texts(app)
    app.button(key="finish").click().run()
    wait_for_status(path, ("annotating",))
    store = open_store(path)
    assert [r.status for r in store.rounds()] == ["done", "annotating"]
    store.close()


def test_user_text_reaches_the_pad_as_text_with_its_direction(demux_home, fake_runner):
    """The sentence is data for the label pad (shown with textContent, never as HTML)."""
    path = make_project(budget=8)
    app = annotating(path)
    shown, html = [], ""
    for _ in range(8):  # walk the whole round by skipping
        shown += pad_data(app)["texts"]
        html += "\n".join(element.proto.body for element in app.get("html"))
        store = open_store(path)
        current = store.current_round()
        mark(store, current.id, next_unhandled(round_items(store, current.id)), "skip", "ann")
        store.close()
        app.run()
    by_text = {entry["text"]: entry["dir"] for entry in shown}
    assert by_text["<script>alert('x')</script> is not a topic"] == "ltr"
    assert by_text["مرحبا بكم في المباراة"] == "rtl"
    assert "नमस्ते, आज का चुनाव" in by_text
    assert "<script>" not in html


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


def typed_field(app):
    return [t for t in app.text_input if (t.key or "").startswith("typed_")][0]


def test_token_task_shows_tagger_and_typed_tags_are_saved_as_bio(demux_home, fake_runner):
    path = make_project("ner", TaskType.TOKEN)
    app = open_app("ner", ANNOTATE)
    start_first_round(app)
    wait_for_status(path, ("annotating",))
    app.run()
    assert not app.exception
    shown = pad_data(app, "tagger")["example_id"]
    assert typed_field(app).value == "O O O O O"
    typed_field(app).input("I-PER O O B-LOC I-LOC").run()
    [b for b in app.button if (b.key or "").startswith("save_typed_")][0].click().run()
    store = open_store(path)
    assert store.current_labels("source") == {shown: ("B-PER", "O", "O", "B-LOC", "I-LOC")}
    store.close()
    assert "1 of 3 labeled this round" in texts(app)


def test_typed_tags_with_wrong_count_are_rejected(demux_home, fake_runner):
    path = make_project("ner", TaskType.TOKEN)
    app = open_app("ner", ANNOTATE)
    start_first_round(app)
    wait_for_status(path, ("annotating",))
    app.run()
    typed_field(app).input("O O").run()
    [b for b in app.button if (b.key or "").startswith("save_typed_")][0].click().run()
    assert "expected 5 tags" in texts(app)
    assert "1 press(es) not saved" in texts(app)
