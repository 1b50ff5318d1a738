"""A project with no seed set in the browser (Debian chromium): round 1 says it was picked by
the cold start's strategy because nothing has trained the head yet; once the cold start's
labels exist, the next round says the project's strategy picked it. Once with the fake runner
and the default cold start (random), once with the real runner (a tiny real transformer: real
training, scoring and selection) and typical-knn."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.e2e.streamlit_server import (
    browser_page,
    label_every_pick,
    small_sequence_project,
    start_round_one,
    streamlit_app,
)

UI_TIMEOUT_MS = 60_000
REAL_TIMEOUT_MS = 240_000


def _seedless_project(tmp_path, monkeypatch, model: str | None = None, cold_start="random"):
    from tests.service.factories import sequence_pools

    pools = replace(sequence_pools(n_source=12), seed=[])
    return small_sequence_project(tmp_path, monkeypatch, "cold", pools, model,
                                  strategy="knn-uncertainty", budget=3, cold_start_labels=3,
                                  baseline_twin=False, cold_start=cold_start)  # fmt: skip


def _cold_start_then_handover(page, url: str, timeout_ms: float, cold_start: str) -> None:
    from playwright.sync_api import expect

    start_round_one(page, url, "cold", timeout_ms)
    reason = page.get_by_text(f"Picked by {cold_start}, cold start: no seed set and 0 of 3")
    expect(reason).to_be_visible(timeout=timeout_ms)
    assert "knn-uncertainty takes over from 3 labels" in reason.inner_text()
    label_every_pick(page, total=3, timeout_ms=timeout_ms)  # the last label ends round 1
    expect(page.get_by_text("0 of 3 labeled this round")).to_be_visible(timeout=timeout_ms)
    handover = page.get_by_text("Picked by knn-uncertainty, the project's strategy")
    expect(handover).to_be_visible(timeout=timeout_ms)
    assert "3 labels train the head" in handover.inner_text()


@pytest.mark.browser
@pytest.mark.slow
def test_a_seedless_project_runs_its_cold_start_and_hands_over(tmp_path, monkeypatch):
    _seedless_project(tmp_path, monkeypatch)
    with streamlit_app(tmp_path / "projects", tmp_path / "streamlit.log",
                       {"DEMUX_RUNNER": "fake"}) as url, browser_page() as page:  # fmt: skip
        _cold_start_then_handover(page, url, UI_TIMEOUT_MS, "random")


@pytest.mark.browser
@pytest.mark.slow
def test_a_real_model_trains_on_the_cold_start_labels_and_picks_by_margin(tmp_path, monkeypatch):
    from tests.fixtures.tiny_model import build_tiny_model_dir

    model = build_tiny_model_dir(tmp_path / "tiny")
    path = _seedless_project(tmp_path, monkeypatch, str(model), cold_start="typical-knn")
    with streamlit_app(tmp_path / "projects", tmp_path / "streamlit.log",
                       {"DEMUX_RUNNER": "real"}) as url, browser_page() as page:  # fmt: skip
        _cold_start_then_handover(page, url, REAL_TIMEOUT_MS, "typical-knn")
    from service.projects import open_store

    store = open_store(path)
    rounds = sorted(store.rounds(), key=lambda r: r.number)
    assert [r.strategy for r in rounds] == ["typical-knn", "knn-uncertainty"]
    assert (store.artifacts / "model-round-2").is_dir()  # round 2 trained on the 3 labels
    store.close()
