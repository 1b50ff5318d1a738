"""The Agreement and Review pages (AppTest): the numbers, the queue, a decision, undo, and
user text shown as text."""

from __future__ import annotations

import pytest

from service.projects import open_store
from tests.app.conftest import open_app, texts
from tests.service.factories import make_project


@pytest.fixture
def disagreeing(demux_home):
    """The tiny project with one overlap item labeled two ways and one agreed."""
    path = make_project()
    store = open_store(path)
    by_id = {s.example.id: s.key for s in store.stored_examples("source")}
    store.save_annotation(by_id["s1"], "sports", annotator="ana")  # text: <script>...
    store.save_annotation(by_id["s1"], "health", annotator="<b>ben</b>", slot="second")
    store.save_annotation(by_id["s0"], "politics", annotator="ana")
    store.save_annotation(by_id["s0"], "politics", annotator="<b>ben</b>", slot="second")
    store.close()
    return path, by_id


def test_agreement_page_shows_pairs_labels_and_the_disagreement(disagreeing) -> None:
    app = open_app("tiny", "pages/agreement.py")
    assert not app.exception
    # alpha: values politics 2, sports 1, health 1 (n = 4); D_o = 2/4, D_e = (16 - 6) / 12
    assert [metric.value for metric in app.metric] == ["2", f"{1 - 0.5 / (10 / 12):.2f}"]
    pairs, by_label, disagreements = (frame.value for frame in app.dataframe)
    assert list(pairs["annotators"]) == ["<b>ben</b> & ana"] and list(pairs["items"]) == [2]
    assert set(by_label["label"]) == {"sports", "health", "politics"}
    row = disagreements.iloc[0]
    assert (row["first label"], row["second label"]) == ("sports", "health")
    assert row["sentence"].startswith("<script>")  # data in a table cell, never HTML


def test_review_page_decides_and_undoes(disagreeing) -> None:
    path, by_id = disagreeing
    app = open_app("tiny", "pages/review.py", annotator="rev")
    assert not app.exception
    assert "1 item(s) wait: 1 disagreement(s), 0 flagged" in texts(app)
    html = "".join(element.proto.body for element in app.get("html"))
    assert "&lt;script&gt;" in html and "&lt;b&gt;ben&lt;/b&gt;" in html  # escaped
    buttons = [button.label for button in app.button]
    assert "Use ana's label" in buttons and "Use <b>ben</b>'s label" in buttons
    next(b for b in app.button if b.label == "Use <b>ben</b>'s label").click().run()
    assert "Nothing waits for review" in texts(app)
    store = open_store(path)
    assert store.current_labels()[by_id["s1"]] == "health"
    store.close()
    app.button(key="review_undo").click().run()
    assert "1 item(s) wait" in texts(app)
    app.selectbox(key=f"review_class_{by_id['s1']}").set_value("politics").run()
    app.button(key=f"review_class_save_{by_id['s1']}").click().run()
    store = open_store(path)
    assert store.current_labels()[by_id["s1"]] == "politics"
    assert store.slot_annotations()[by_id["s1"]]["review"].annotator == "rev"
    store.close()


def test_agreement_page_explains_an_empty_project(demux_home) -> None:
    make_project()
    app = open_app("tiny", "pages/agreement.py")
    assert not app.exception and "No item has two labels yet" in texts(app)
    assert "10 %" in texts(app)


def test_review_page_takes_typed_tags_for_an_ner_disagreement(demux_home) -> None:
    from demux_core.data.examples import TaskType

    path = make_project("ner", task=TaskType.TOKEN)
    store = open_store(path)
    key = store.stored_examples("source")[0].key  # Musa ya je Kano <b>0</b>
    store.save_annotation(key, ("B-PER", "O", "O", "B-LOC", "O"), annotator="ana")
    store.save_annotation(key, ("B-PER", "O", "O", "O", "O"), annotator="ben", slot="second")
    store.close()
    app = open_app("ner", "pages/review.py", annotator="rev")
    assert not app.exception
    html = "".join(element.proto.body for element in app.get("html"))
    assert "PER: Musa · LOC: Kano" in html and "&lt;b&gt;0&lt;/b&gt;" in html
    app.text_input(key=f"review_tags_{key}").set_value("B-PER O O B-ORG O").run()
    app.button(key=f"review_typed_{key}").click().run()  # a type the schema lacks
    html = "".join(element.proto.body for element in app.get("html"))
    assert "not saved: unknown tag(s): &#x27;B-ORG&#x27; (token 4)" in html
    assert "1 item(s) wait" in texts(app)
    app.text_input(key=f"review_tags_{key}").set_value("B-PER O O B-LOC B-LOC").run()
    app.button(key=f"review_typed_{key}").click().run()
    assert "Nothing waits for review" in texts(app)
    store = open_store(path)
    assert store.current_labels()[key] == ("B-PER", "O", "O", "B-LOC", "B-LOC")
    store.close()


def test_review_page_shows_right_to_left_text_as_stored(demux_home) -> None:
    path = make_project()
    store = open_store(path)
    stored = next(s for s in store.stored_examples("source") if s.example.language == "arb")
    store.save_annotation(stored.key, "sports", annotator="ana")
    store.save_annotation(stored.key, "politics", annotator="ben", slot="second")
    store.close()
    app = open_app("tiny", "pages/review.py", annotator="rev")
    html = "".join(element.proto.body for element in app.get("html"))
    assert f'dir="rtl" style="font-size:1.15rem;padding:.3rem 0">{stored.example.text}<' in html
