"""WCAG 2.0/2.1 A and AA in a real browser: axe-core on every page for every role.

axe-core comes with the PyPI package `axe-playwright-python` (nothing is downloaded at
test time). Each role logs in with a password, as tests/test_browser_roles.py does, and
moves between pages through the sidebar (a reload would be a new session). A critical or
serious violation fails the test; moderate and minor ones are printed (`pytest -s`) so
they can be fixed where Streamlit allows. What Streamlit itself causes and what cannot
be worked around is in docs/tilgaengelighed.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.browser import PAGES, chromium, drawn, settled, streamlit_server
from sosu.access.users import User, add_user
from tests.support import require_chromium

pytestmark = pytest.mark.browser
require_chromium()

PASSWORD = "en-lang-adgangskode"
SITE = "Døgnplejen Nord"
ROLES = {"team": "uddannelse", "leder": "leder", "kf": "kvalitetsforum"}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING = {"critical", "serious"}


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG},
                                      "resultTypes": ["violations"]})
    return list(result.response["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']} "
                     f"({len(violation['nodes'])} elementer)")
        for node in violation["nodes"][:5]:
            lines.append(f"      {node['target']}: {node.get('failureSummary', '')[:200]!r}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def server(real_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("a11y")
    users = folder / "brugere.toml"
    for name, role in ROLES.items():
        add_user(users, User(name, role, (SITE,) if role == "leder" else ()), PASSWORD)
    with streamlit_server(real_db, SOSU_USERS=str(users),
                          SOSU_LOG=str(folder / "log.jsonl")) as running:
        yield running.url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as instance:
        yield instance


def log_in(page: Any, url: str, name: str) -> None:
    page.goto(url)
    settled(page)
    page.get_by_label("Brugernavn").fill(name)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_function("() => /Logget ind som/.test(document.body.innerText)",
                           timeout=60_000)
    settled(page)


def open_page(page: Any, path: str) -> None:
    """Go to a page through the sidebar's link, in the same session."""
    page.locator(f"[data-testid='stSidebarNav'] a[href$='/{path}']").first.click()
    drawn(page, PAGES[path])
    settled(page)


def test_login_page_has_no_serious_violation(server: str, browser: Any) -> None:
    page = browser.new_page()
    try:
        page.goto(server)
        settled(page)
        violations = axe_violations(page)
        print(f"\nlogin:\n{describe(violations)}")
        assert not [v for v in violations if v["impact"] in FAILING], describe(violations)
    finally:
        page.close()


@pytest.mark.parametrize("name", list(ROLES))
def test_every_page_has_no_serious_violation(server: str, browser: Any, name: str) -> None:
    page = browser.new_page()
    failures: dict[str, list[dict[str, Any]]] = {}
    try:
        log_in(page, server, name)
        visited = 0
        for path in PAGES:
            link = page.locator(f"[data-testid='stSidebarNav'] a[href$='/{path}']")
            if not link.count():
                assert path == "tidlig_opsporing" and ROLES[name] != "uddannelse"
                continue
            open_page(page, path)
            visited += 1
            assert page.locator("[data-testid='stException']").count() == 0
            violations = axe_violations(page)
            print(f"\n{ROLES[name]} · {PAGES[path]}:\n{describe(violations)}")
            # What a click shows is checked too: the trend charts and a table with its
            # downloads.
            opened = page.get_by_text("Vis udviklingen mod hvert mål")
            panel = page.locator("[data-testid='stExpander'] summary",
                                 has_text="Vis som tabel")
            if opened.count() or panel.count():
                (opened if opened.count() else panel).first.click()
                page.wait_for_timeout(500)
                drawn(page, PAGES[path])
                settled(page)
                more = [v for v in axe_violations(page)
                        if v["id"] not in {w["id"] for w in violations}]
                print(f"  opened:\n{describe(more)}")
                violations += more
            serious = [v for v in violations if v["impact"] in FAILING]
            if serious:
                failures[PAGES[path]] = serious
        assert visited >= 7
    finally:
        page.close()
    assert not failures, "\n".join(f"{title}:\n{describe(found)}"
                                   for title, found in failures.items())
