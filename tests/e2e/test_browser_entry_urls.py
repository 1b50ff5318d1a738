"""A fresh server whose first request is a page URL (a tab reconnecting after a restart)
renders the real navigation and sidebar, never Streamlit's list of the pages folder."""

from __future__ import annotations

import pytest

from tests.e2e.streamlit_server import CHROMIUM, browser_page, streamlit_app

UI_TIMEOUT_MS = 60_000
PAGE_TITLES = ("Projects", "Annotate", "Map", "Rounds", "Agreement", "Review", "Export")


@pytest.fixture
def projects_with_demo(tmp_path, shared_data, monkeypatch):
    """A projects folder holding the SIB-200 demo project (no round yet)."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (apt-get install -y chromium)")
    from service.demo import demo_specs
    from service.projects import create_demo_project

    projects = tmp_path / "projects"
    monkeypatch.setenv("DEMUX_PROJECTS", str(projects))
    monkeypatch.setenv("DEMUX_DEMO_SOURCE_PER_LANGUAGE", "30")
    create_demo_project(demo_specs()["sib200"], shared_data)
    return projects


@pytest.mark.browser
@pytest.mark.shared_data
@pytest.mark.slow
@pytest.mark.parametrize("entry", ["annotate", "export"])
def test_first_request_to_a_page_url_renders_the_real_navigation(
    projects_with_demo, tmp_path, entry
):
    from playwright.sync_api import expect

    env = {"DEMUX_RUNNER": "fake"}
    log = tmp_path / "streamlit.log"
    with streamlit_app(projects_with_demo, log, env) as url, browser_page() as page:
        page.goto(f"{url}/{entry}?project=demo-sib200&annotator=ana")
        expect(page.get_by_role("heading", name=entry.capitalize())).to_be_visible(
            timeout=UI_TIMEOUT_MS
        )
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar.get_by_role("textbox", name="Annotator name")).to_have_value("ana")
        links = sidebar.get_by_test_id("stSidebarNavLink")
        expect(links).to_have_count(len(PAGE_TITLES))
        assert [text.split()[-1] for text in links.all_inner_texts()] == list(PAGE_TITLES)
        expect(sidebar.get_by_text("demo-sib200", exact=True)).to_be_visible()
