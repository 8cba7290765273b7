"""A load swaps a new database in while people are looking: every page shows one
version, old or new, never a mixture, and the next rerun shows the new one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.browser import EXCEPTION, chromium, chromium_missing, drawn, streamlit_server
from sosu.etl.load import load_folder
from tests.support import ROOT, TODAY, require_chromium, swap_folders, swap_version

SESSIONS = 20
# Twenty Chromium tabs drawing at once on two cores take about 40 s; the server's own
# part is small (docs/performance.md).
DRAW_TIMEOUT_MS = 600_000  # a bound for a hang, generous for a busy machine


@pytest.mark.browser
def test_twenty_sessions_while_a_load_swaps_the_database(tmp_path: Path) -> None:
    require_chromium()
    assert not chromium_missing()
    original, changed = swap_folders(tmp_path)
    db = tmp_path / "sosu.duckdb"
    load_folder(original, db, today=TODAY)
    with streamlit_server(db) as server, chromium() as browser:
        pages = [browser.new_context().new_page() for _ in range(SESSIONS)]
        for page in pages:
            page.goto(server.url, wait_until="commit")
        for page in pages:
            drawn(page, "Overblik", timeout_ms=DRAW_TIMEOUT_MS)
            assert swap_version(page.inner_text("body")) == "old"
        # All twenty rerun while the load validates, builds and swaps.
        loading = subprocess.Popen([sys.executable, "-m", "sosu.cli.main", "load", str(changed),
                                    "--db", str(db)], cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True)
        seen = []
        for page in pages:
            page.reload(wait_until="commit")
        for page in pages:
            drawn(page, "Overblik", timeout_ms=DRAW_TIMEOUT_MS)
            assert page.locator(EXCEPTION).count() == 0
            seen.append(swap_version(page.inner_text("body")))
        assert loading.wait(timeout=600) == 0, loading.communicate()[1]
        # After the swap, every session's next rerun shows the new figures.
        for page in pages:
            page.reload(wait_until="commit")
        for page in pages:
            drawn(page, "Overblik", timeout_ms=DRAW_TIMEOUT_MS)
            assert page.locator(EXCEPTION).count() == 0
            assert swap_version(page.inner_text("body")) == "new"
    print(f"during the load: {seen.count('old')} old, {seen.count('new')} new")
