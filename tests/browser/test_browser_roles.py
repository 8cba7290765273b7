"""Real browser, per role: password login on real data, a leder's view, the demo picker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.browser import PATIENCE_MS, settled, streamlit_server
from sosu.access.users import User, add_user

OWN, OTHER = "Døgnplejen Nord", "Døgnplejen Syd"
PASSWORD = "en-lang-adgangskode"


@pytest.fixture(scope="module")
def real_server(real_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("login")
    users = folder / "brugere.toml"
    add_user(users, User("leder", "leder", (OWN,)), PASSWORD)
    add_user(users, User("team", "uddannelse"), PASSWORD)
    with streamlit_server(real_db, SOSU_USERS=str(users),
                          SOSU_LOG=str(folder / "log.jsonl")) as running:
        yield running.url


@pytest.fixture(scope="module")
def demo_server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("demo-app")
    with streamlit_server(demo_db, SOSU_USERS=str(folder / "ingen.toml"),
                          SOSU_LOG=str(folder / "log.jsonl")) as running:
        yield running.url


def _log_in(page: object, url: str, name: str, password: str) -> None:
    page.goto(url)  # type: ignore[attr-defined]
    settled(page)
    page.get_by_label("Brugernavn").fill(name)  # type: ignore[attr-defined]
    page.get_by_label("Adgangskode").fill(password)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Log ind").click()  # type: ignore[attr-defined]
    # The click's rerun may not have started when the app first reads as settled (the
    # password hash takes a while on a busy machine): wait for its outcome.
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => /Logget ind som|Forkert brugernavn|spærret/.test(document.body.innerText)",
        timeout=PATIENCE_MS)
    settled(page)


def test_real_data_ask_for_login_and_a_wrong_password_is_refused(
        real_server: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        _log_in(page, real_server, "leder", "forkert-kodeord")
        body = page.inner_text("body")
        assert "Forkert brugernavn eller adgangskode" in body
        assert "Seneste værdi" not in body
    finally:
        page.close()


def test_leder_sees_own_site_only_even_with_another_in_the_url(
        real_server: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        _log_in(page, real_server, "leder", PASSWORD)
        assert "Logget ind som" in page.inner_text("body")
        page.goto(f"{real_server}/mit_oplaeringssted?sted={OTHER.replace(' ', '+')}")
        settled(page)
        if page.get_by_label("Brugernavn").count():  # a new tab is a new session
            _log_in(page, f"{real_server}/mit_oplaeringssted?sted=x", "leder", PASSWORD)
        body = page.inner_text("body")
        assert page.locator("[data-testid='stException']").count() == 0
        assert OWN in body and OTHER not in body and "skjult" in body
        assert "Elever (kun uddannelsesteamet)" not in body
        page.get_by_role("button", name="Log ud").click()
        # The logout's rerun may not have begun when the page first reads as settled:
        # wait for its outcome, the login form.
        page.get_by_label("Brugernavn").wait_for(timeout=PATIENCE_MS)
        settled(page)
        assert "Seneste værdi" not in page.inner_text("body")
    finally:
        page.close()


def test_demo_banner_and_role_picker(demo_server: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        page.goto(f"{demo_server}/mit_oplaeringssted")
        settled(page)
        assert "Demo" in page.inner_text("body")
        assert "Elever (kun uddannelsesteamet)" in page.inner_text("body")
        page.get_by_label("Vis som (demo)").click()
        page.get_by_role("option", name="Kvalitetsforum").click()
        page.get_by_text("vist som Kvalitetsforum").first.wait_for(timeout=PATIENCE_MS)
        settled(page)
        # Waits for the rerun to remove it; a timeout here means it stayed.
        page.get_by_text("Elever (kun uddannelsesteamet)").wait_for(state="detached",
                                                                    timeout=PATIENCE_MS)
        assert page.locator("[data-testid='stException']").count() == 0
        assert "skjult" in page.inner_text("body")
    finally:
        page.close()
