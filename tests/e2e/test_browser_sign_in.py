"""Sign-in for a team in a real browser (Debian chromium): every URL of a signed-out session
gets the form, guessing is slowed down, roles decide the pages, a reload stays signed in and
signing out ends the session."""

from __future__ import annotations

import pytest

from tests.e2e.streamlit_server import browser_page, sign_in, small_sequence_project, streamlit_app

UI_TIMEOUT_MS = 60_000
PASSWORD = "a long enough password"


@pytest.fixture
def team_server(tmp_path, monkeypatch):
    from service.team.accounts import Accounts
    from storage.accounts import AccountStore, accounts_path

    small_sequence_project(tmp_path, monkeypatch, "team", budget=3)
    store = AccountStore(accounts_path(tmp_path / "projects"))
    team = Accounts(store)
    team.add("ada", PASSWORD, "admin")
    team.add("ana", PASSWORD, "annotator")
    store.close()
    with streamlit_app(tmp_path / "projects", tmp_path / "streamlit.log",
                       {"DEMUX_RUNNER": "fake"}) as url:  # fmt: skip
        yield url


def _nav_links(page) -> list[str]:
    links = page.locator("[data-testid=stSidebarNav] a").all_inner_texts()
    return [text.strip().splitlines()[-1] for text in links]  # after the icon's name


@pytest.mark.browser
@pytest.mark.slow
def test_signed_out_urls_get_the_form_and_roles_decide_the_pages(team_server):
    from playwright.sync_api import expect

    url = team_server
    with browser_page() as page:
        for path in ("/", "/export?project=team", "/annotate?project=team", "/rounds"):
            page.goto(url + path)
            expect(page.get_by_role("heading", name="Sign in to DeMuX Studio")).to_be_visible(
                timeout=UI_TIMEOUT_MS)  # fmt: skip
            assert page.get_by_role("heading", name="Export").count() == 0
            assert page.get_by_text("labeled this round").count() == 0
        sign_in(page, "ana", PASSWORD)
        expect(page.get_by_text("ana (annotator)")).to_be_visible(timeout=UI_TIMEOUT_MS)
        expect(page.locator("[data-testid=stSidebarNav]")).to_be_visible(timeout=UI_TIMEOUT_MS)
        assert "Export" not in _nav_links(page) and "Annotate" in _nav_links(page)
        page.get_by_test_id("stSidebarNavLink").filter(has_text="Projects").click()
        expect(page.get_by_text("Only an admin can create or delete projects.")).to_be_visible(
            timeout=UI_TIMEOUT_MS)  # fmt: skip
        assert page.get_by_role("button", name="Create demo project").count() == 0
        page.goto(url + "/export?project=team")  # not in an annotator's pages
        expect(page.get_by_text("The annotator role cannot open Export")).to_be_visible(
            timeout=UI_TIMEOUT_MS)  # fmt: skip
        assert page.get_by_role("button", name="Build").count() == 0
        expect(page.get_by_text("ana (annotator)")).to_be_visible(timeout=UI_TIMEOUT_MS)
        page.reload()  # the cookie keeps the session
        expect(page.get_by_text("ana (annotator)")).to_be_visible(timeout=UI_TIMEOUT_MS)
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("heading", name="Sign in to DeMuX Studio")).to_be_visible(
            timeout=UI_TIMEOUT_MS)  # fmt: skip
        page.reload()  # the ended session's cookie no longer signs in
        expect(page.get_by_role("heading", name="Sign in to DeMuX Studio")).to_be_visible(
            timeout=UI_TIMEOUT_MS)  # fmt: skip
        sign_in(page, "ada", PASSWORD)
        expect(page.get_by_text("ada (admin)")).to_be_visible(timeout=UI_TIMEOUT_MS)
        expect(page.locator("[data-testid=stSidebarNav]")).to_be_visible(timeout=UI_TIMEOUT_MS)
        assert "Export" in _nav_links(page)
        page.goto(url + "/export?project=team")
        expect(page.get_by_role("heading", name="Export")).to_be_visible(timeout=UI_TIMEOUT_MS)


@pytest.mark.browser
@pytest.mark.slow
def test_five_wrong_passwords_slow_the_next_sign_in_down(team_server):
    from playwright.sync_api import expect

    with browser_page() as page:
        page.goto(team_server)
        for count in range(1, 5):
            sign_in(page, "ana", "wrong wrong wrong")
            expect(page.get_by_text(f"{count} of 5 tries before sign-in slows down")).to_be_visible(
                timeout=UI_TIMEOUT_MS)  # fmt: skip
        sign_in(page, "ana", "wrong wrong wrong")
        expect(page.get_by_text("Wait 30 s before the next try")).to_be_visible(
            timeout=UI_TIMEOUT_MS)  # fmt: skip
        sign_in(page, "ana", PASSWORD)  # even the right password must wait now
        expect(page.get_by_text("Too many failed sign-ins for 'ana'")).to_be_visible(
            timeout=UI_TIMEOUT_MS)  # fmt: skip
        assert page.get_by_text("ana (annotator)").count() == 0
