"""A first visit without the data and without internet (Debian chromium): "Download demo data"
says there is no connection and what to do instead, and leaves no folder behind."""

from __future__ import annotations

import pytest

from tests.e2e.streamlit_server import CHROMIUM, browser_page, enter_annotator_name, streamlit_app

UI_TIMEOUT_MS = 60_000


@pytest.mark.browser
@pytest.mark.slow
def test_offline_download_explains_and_leaves_nothing(tmp_path):
    from playwright.sync_api import expect

    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (apt-get install -y chromium)")
    home, empty = tmp_path / "home", tmp_path / "no-data"
    home.mkdir()
    empty.mkdir()
    env = {
        "DEMUX_HOME": str(home),
        "DEMUX_DATA": str(empty),
        "DEMUX_RUNNER": "fake",
        "DEMUX_DEMO_URL": "http://demux-offline-test.invalid",
    }  # a name that never resolves
    with streamlit_app(tmp_path / "projects", tmp_path / "streamlit.log", env) as url, \
            browser_page() as page:  # fmt: skip
        page.goto(url)
        page.get_by_role("button", name="Download demo data").first.click()
        message = page.get_by_text("no internet connection: could not reach")
        expect(message).to_be_visible(timeout=UI_TIMEOUT_MS)
        assert "DEMUX_DATA" in message.inner_text()
        assert "urlopen error" not in page.content()
    assert not (home / "data").exists()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.shared_data
def test_the_ner_demo_says_it_repaired_the_garbled_hausa_text(fake_app):
    """MasakhaNER's Hausa file carries upstream mojibake (茩 for ƙ): the demo repairs it and
    says so, with the file and line, until the note is dismissed."""
    from playwright.sync_api import expect

    url, _projects = fake_app
    with browser_page() as page:
        page.goto(url)
        page.get_by_role("button", name="Create demo project").nth(1).click()
        note = page.get_by_text("masakhaner2/hau/train.txt: ")
        expect(note).to_be_visible(timeout=UI_TIMEOUT_MS)
        text = note.inner_text()
        assert "repaired, first at line" in text and "'茩' -> 'ƙ'" in text
        enter_annotator_name(page, "ana", UI_TIMEOUT_MS)  # the page runs on; the note stays
        expect(note).to_be_visible()
        page.get_by_role("button", name="Dismiss").click()
        expect(note).to_be_hidden(timeout=UI_TIMEOUT_MS)
