"""A load swaps a new database in while people are looking: every page shows one
version, old or new, never a mixture, and the next rerun shows the new one."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.browser import EXCEPTION, chromium, chromium_missing, drawn, streamlit_server
from sosu.etl.demoseal import write_marker
from sosu.etl.load import load_folder
from tests.support import MINIMAL, ROOT, TODAY, require_chromium

SESSIONS = 20
# Twenty Chromium tabs drawing at once on two cores take about 40 s; the server's own
# part is small (docs/performance.md).
DRAW_TIMEOUT_MS = 600_000  # a bound for a hang, generous for a busy machine
# One more SSA student, hired after the newest date in the fixture. Two figures on
# Overblik change, from two separate queries: "Data pr." (the load info) and the SSA
# cohort 2023 main-course dropout on the scorecard, 1 of 4 students → 1 of 5.
EXTRA_STUDENT = "C1,SSA,2023-10-15,40,Plejecenter Å,ekstern\n"
OLD = ("Data pr. 30-09-2023", "1 af 4")
NEW = ("Data pr. 15-10-2023", "1 af 5")


@pytest.fixture
def original(tmp_path: Path) -> Path:
    """The fixture marked as demo data: the app shows it without a login."""
    folder = tmp_path / "original"
    shutil.copytree(MINIMAL, folder)
    write_marker(folder)  # sealed as `sosu demo` seals its folders
    return folder


@pytest.fixture
def changed(original: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "changed"
    shutil.copytree(original, folder)
    with open(folder / "elever.csv", "a", encoding="utf-8") as handle:
        handle.write(EXTRA_STUDENT)
    write_marker(folder)  # the edit broke the seal: reseal, this is still test data
    return folder


def _version(text: str) -> str:
    """'old' or 'new'; fails on a page whose figures come from both."""
    date_new = NEW[0] in text
    assert date_new != (OLD[0] in text), "exactly one 'Data pr.' date"
    figure_new = NEW[1] in text
    assert figure_new == date_new, (
        f"mixture: {'new' if date_new else 'old'} date with "
        f"{'new' if figure_new else 'old'} scorecard")
    return "new" if date_new else "old"


@pytest.mark.browser
def test_twenty_sessions_while_a_load_swaps_the_database(tmp_path: Path, original: Path,
                                                         changed: Path) -> None:
    require_chromium()
    assert not chromium_missing()
    db = tmp_path / "sosu.duckdb"
    load_folder(original, db, today=TODAY)
    with streamlit_server(db) as server, chromium() as browser:
        pages = [browser.new_context().new_page() for _ in range(SESSIONS)]
        for page in pages:
            page.goto(server.url, wait_until="commit")
        for page in pages:
            drawn(page, "Overblik", timeout_ms=DRAW_TIMEOUT_MS)
            assert _version(page.inner_text("body")) == "old"
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
            seen.append(_version(page.inner_text("body")))
        assert loading.wait(timeout=600) == 0, loading.communicate()[1]
        # After the swap, every session's next rerun shows the new figures.
        for page in pages:
            page.reload(wait_until="commit")
        for page in pages:
            drawn(page, "Overblik", timeout_ms=DRAW_TIMEOUT_MS)
            assert page.locator(EXCEPTION).count() == 0
            assert _version(page.inner_text("body")) == "new"
    print(f"during the load: {seen.count('old')} old, {seen.count('new')} new")
