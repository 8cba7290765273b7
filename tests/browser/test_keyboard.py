"""Keyboard only (WCAG 2.1.1 and 2.4.7): on every page, Tab reaches every control there is
(sidebar filters, toggles, charts' tools, "Vis som tabel", downloads, the upload) and each
kind of control shows where the focus is; on the Frafald page the filter, toggle, table
and download are used with Space, Enter and Backspace. The mouse is never used."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.browser import PAGES, drawn, settled, streamlit_server
from tests.support import MINIMAL, TODAY, require_chromium

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

# Every control a user could operate: shown, enabled, not hidden from everyone, and not
# taken out of the Tab order on purpose (tabindex -1: a select's "Open" arrow and its
# tags' "Remove" crosses, which the select's own keys do: arrows, Enter, Backspace). Each
# is numbered (data-kb) so the walk can tell which it reached.
CONTROLS = """() => {
    const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary, "
        + "[tabindex]";
    const shown = (e) => e.getAttribute("tabindex") !== "-1" && e.getClientRects().length > 0
        && getComputedStyle(e).visibility !== "hidden" && !e.closest("[aria-hidden=true]")
        && !e.disabled && !e.closest("[inert]");
    const found = [...document.querySelectorAll(selector)].filter(shown);
    return found.map((e, i) => {
        e.dataset.kb = String(i);
        const testid = e.closest("[data-testid]");
        return [e.tagName, e.getAttribute("role") || "", e.getAttribute("aria-label") || "",
                (e.innerText || e.value || "").trim().slice(0, 40),
                testid ? testid.dataset.testid : ""].join(" | ");
    });
}"""

# The focused control's number and its kind (what it is and which Streamlit element holds
# it), or null on the page itself.
WHERE = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const testid = e.closest("[data-testid]");
    return {kb: e.dataset.kb ?? null,
            kind: [e.tagName, e.getAttribute("role") || "",
                   testid ? testid.dataset.testid : ""].join(" "),
            text: [e.getAttribute("aria-label") || "",
                   (e.innerText || e.value || "").trim().slice(0, 40)].join(" | ")};
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


# The box a control is seen in: a switch's or checkbox's own input is a small hidden box,
# and its focus ring is drawn around the label that holds it.
SEEN = """(e) => {
    e.scrollIntoView({block: "nearest"});
    const seen = (e.tagName === "INPUT" && e.closest("label")) || e;
    const r = seen.getBoundingClientRect();
    return {x: r.x, y: r.y, width: r.width, height: r.height};
}"""


def _clip(page: Any, handle: Any, pad: int = 6) -> dict[str, float] | None:
    # Not Playwright's scroll_into_view_if_needed: it waits for the element to be visible,
    # and a control that is invisible until focused is just what this looks for.
    box = handle.evaluate(SEEN)
    viewport = page.viewport_size
    if not box or box["width"] < 1 or box["height"] < 1:
        return None
    x, y = max(box["x"] - pad, 0), max(box["y"] - pad, 0)
    return {"x": x, "y": y, "width": min(box["width"] + 2 * pad, viewport["width"] - x),
            "height": min(box["height"] + 2 * pad, viewport["height"] - y)}


def walk(page: Any, most: int = 400) -> tuple[set[str], dict[str, tuple[Any, bytes, str]]]:
    """Tab from the top until the focus leaves the page or comes back round: the numbers
    of the controls reached, and for each kind of control its first element with a
    picture of it focused."""
    reached: set[str] = set()
    kinds: dict[str, tuple[Any, bytes, str]] = {}
    first = None
    for _ in range(most):
        page.keyboard.press("Tab")
        where = page.evaluate(WHERE)
        if where is None:
            if reached:
                break
            continue
        key = where["kb"] or where["kind"]
        if key == first:
            break
        first = first or key
        if where["kb"] is not None:
            reached.add(where["kb"])
        if where["kind"] not in kinds:
            handle = page.evaluate_handle("document.activeElement")
            page.wait_for_timeout(300)  # focus rings fade in
            clip = _clip(page, handle)
            if clip:
                kinds[where["kind"]] = (handle, page.screenshot(clip=clip), where["text"])
    return reached, kinds


def assert_keyboard_reaches_and_shows(page: Any, name: str) -> None:
    """Tab reaches every control on the page as it is now, and each kind of control
    looks different focused and not focused."""
    controls = page.evaluate(CONTROLS)
    assert controls, "no controls found"
    reached, kinds = walk(page)
    missed = [c for i, c in enumerate(controls) if str(i) not in reached]
    assert not missed, f"{name}: not reached with Tab:\n" + "\n".join(missed)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.wait_for_timeout(300)
    invisible = []
    for kind, (handle, focused, text) in kinds.items():
        clip = _clip(page, handle)
        if clip and page.screenshot(clip=clip) == focused:
            invisible.append(f"{kind} ({text})")
    assert not invisible, f"{name}: focus not visible on:\n" + "\n".join(invisible)


@pytest.mark.parametrize("path", list(PAGES))
def test_tab_reaches_every_control_and_shows_the_focus(server: str, browser: Any,
                                                       path: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{server}/{path}")
        drawn(page, PAGES[path])
        settled(page)
        assert_keyboard_reaches_and_shows(page, PAGES[path])
    finally:
        page.close()


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
        # Danish headers, every field quoted
        assert content.startswith('\ufeff"Uddannelse";"Årgang";"Ansatte"'.encode())
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        page.close()


@pytest.fixture(scope="module")
def login_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The hand-made fixture as real data (no demo marker): the login form is asked for."""
    from sosu.access.users import User, add_user
    from sosu.etl.load import load_folder

    folder = tmp_path_factory.mktemp("keyboard-login")
    shutil.copytree(MINIMAL, folder / "csv")
    load_folder(folder / "csv", folder / "sosu.duckdb", today=TODAY)
    add_user(folder / "brugere.toml", User("kf", "kvalitetsforum", ()), PASSWORD)
    with streamlit_server(folder / "sosu.duckdb", SOSU_USERS=str(folder / "brugere.toml"),
                          SOSU_LOG=str(folder / "log.jsonl")) as running:
        yield running.url


PASSWORD = "en-lang-adgangskode"


def test_logging_in_with_the_keyboard_only(login_server: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(login_server)
        settled(page)
        page.get_by_label("Brugernavn").wait_for(timeout=60_000)
        assert_keyboard_reaches_and_shows(page, "Log ind")
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        tab_to(page, "INPUT |  | Brugernavn")
        page.keyboard.type("kf")
        tab_to(page, "INPUT |  | Adgangskode")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")  # submits the form, as the button does
        page.wait_for_function("() => /Logget ind som/.test(document.body.innerText)",
                               timeout=60_000)
    finally:
        page.close()
