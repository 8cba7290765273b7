"""Keyboard only (WCAG 2.1.1): the Frafald page's filter, toggle, table and download are
reached with Tab and used with Space, Enter and Backspace; the mouse is never used."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.browser import settled
from tests.support import require_chromium

pytestmark = pytest.mark.browser
require_chromium()

FOCUSED = """() => {
    const e = document.activeElement;
    if (!e) return "";
    const label = e.getAttribute("aria-label") || "";
    const own = (e.innerText || e.value || "").trim().slice(0, 60);
    const around = e.closest("label, [data-testid='stExpander'], [data-testid='stMultiSelect']");
    return [e.tagName, e.getAttribute("role") || "", label, own,
            around ? around.innerText.trim().slice(0, 60) : ""].join(" | ");
}"""


def tab_to(page: Any, wanted: str, most: int = 120) -> str:
    """Press Tab until the focused element's description contains `wanted`."""
    seen = []
    for _ in range(most):
        page.keyboard.press("Tab")
        focused = str(page.evaluate(FOCUSED))
        seen.append(focused)
        if wanted in focused:
            return focused
    raise AssertionError(f"{wanted!r} not reached with Tab; focus went through:\n"
                         + "\n".join(seen))


def test_a_page_is_usable_without_a_mouse(server: str, browser: Any,  # noqa: F811
                                          tmp_path: Path) -> None:
    page = browser.new_page()
    try:
        page.goto(f"{server}/frafald")
        settled(page)
        # The education filter: Backspace removes the last chosen education.
        tab_to(page, "combobox | Uddannelse")
        page.keyboard.press("Backspace")
        page.wait_for_function("() => !location.search.includes('SSA') "
                               "&& location.search.includes('uddannelse')", timeout=30_000)
        settled(page)
        # The toggle: Space switches it.
        switch = page.get_by_role("switch", name="Tæl skift fra SSA til SSH")
        before = switch.is_checked()
        tab_to(page, "switch | Tæl skift fra SSA til SSH")
        page.keyboard.press("Space")
        page.wait_for_function(
            "(was) => { const s = document.querySelector('input[role=switch]');"
            " return s && s.checked !== was; }", arg=before, timeout=30_000)
        settled(page)
        # A chart's table: Enter opens it; Enter on its download button delivers the file.
        tab_to(page, "Vis som tabel")
        page.keyboard.press("Enter")
        page.get_by_role("button", name="Hent CSV").first.wait_for(timeout=30_000)
        settled(page)
        tab_to(page, "BUTTON |  |  | Hent CSV |")
        with page.expect_download(timeout=30_000) as download:
            page.keyboard.press("Enter")
        content = Path(download.value.path()).read_bytes()
        assert content.startswith("\ufeffUddannelse;Årgang;Ansatte".encode())  # Danish headers
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        page.close()
