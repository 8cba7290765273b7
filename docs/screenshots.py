"""`make screenshots`: every page of the dashboard on the synthetic demo data, as the
education team sees it, in headless Chromium (Debian's, as the browser tests use), into
docs/screenshots/<page>.png, and the Overblik page with its trend charts open. Reviewers
see what a change looks like without starting the app."""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "screenshots"
WIDTH = 1400


def shoot(page: Any, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main container, so the window is
    made as tall as that container's content first."""
    height = page.evaluate("() => Math.max(...[...document.querySelectorAll("
                           "\"[data-testid='stMain'], [data-testid='stAppViewContainer']\")]"
                           ".map(e => e.scrollHeight), 800)")
    page.set_viewport_size({"width": WIDTH, "height": min(int(height) + 40, 12_000)})
    page.wait_for_timeout(500)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": WIDTH, "height": 1000})


def main() -> int:
    from bench.browser import PAGES, chromium, drawn, settled, streamlit_server
    from sosu.etl.demo import write_demo
    from sosu.etl.load import load_folder

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        # A fixed date, so the screenshots change only when the dashboard does.
        write_demo(work / "csv", today=dt.date(2026, 11, 22))
        load_folder(work / "csv", work / "sosu.duckdb", today=dt.date(2026, 11, 22))
        with streamlit_server(work / "sosu.duckdb", SOSU_USERS=str(work / "ingen.toml"),
                              SOSU_LOG=str(work / "log.jsonl")) as server, chromium() as browser:
            page = browser.new_page(viewport={"width": WIDTH, "height": 1000})
            for path, title in PAGES.items():
                page.goto(f"{server.url}/{path}")
                drawn(page, title)
                settled(page)
                name = path or "overblik"
                shoot(page, OUT / f"{name}.png")
                print(f"docs/screenshots/{name}.png")
            page.goto(server.url)
            drawn(page, "Overblik")
            page.get_by_text("Vis udviklingen mod hvert mål").click()
            page.wait_for_function(
                "() => document.querySelectorAll(\"[data-testid='stPlotlyChart']\").length > 0",
                timeout=60_000)
            drawn(page, "Overblik")
            settled(page)
            shoot(page, OUT / "overblik_udvikling.png")
            print("docs/screenshots/overblik_udvikling.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
