"""A load swaps a new database in while a page runs: the run shows one version, old or new,
never a mixture, and the next session shows the new one (twenty browser sessions during
a real load: tests/slow/test_concurrent_sessions.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sosu.etl.demoseal import write_marker
from sosu.etl.load import load_folder
from tests.app.helpers import APP, TIMEOUT, texts
from tests.support import MINIMAL, TODAY

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


def test_a_swap_in_the_middle_of_a_page_run_shows_one_version(
        tmp_path: Path, original: Path, changed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Deterministic: the load lands right after the page read 'Data pr.' and before it
    read the scorecard. The run keeps its version; the next session shows the new one.
    (A second run() of the same AppTest would not run app.py again, unlike a server.)"""
    import sosu.store.db

    db = tmp_path / "sosu.duckdb"
    load_folder(original, db, today=TODAY)
    real_load_info = sosu.store.db.load_info
    swapped: list[bool] = []

    def load_info_then_swap(con: object) -> dict[str, object]:
        info = real_load_info(con)  # type: ignore[arg-type]
        if not swapped:
            load_folder(changed, db, today=TODAY)
            swapped.append(True)
        return info

    monkeypatch.setattr(sosu.store.db, "load_info", load_info_then_swap)
    monkeypatch.setenv("SOSU_DB", str(db))
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    app.run()
    assert swapped and not app.exception
    assert _version(texts(app)) == "old"
    reloaded = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not reloaded.exception
    assert _version(texts(reloaded)) == "new"
