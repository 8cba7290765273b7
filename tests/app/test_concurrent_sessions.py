"""A load swaps a new database in while a page runs: the run shows one version, old or new,
never a mixture, and the next session shows the new one (twenty browser sessions during
a real load: tests/slow/test_concurrent_sessions.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sosu.etl.load import load_folder
from tests.app.helpers import APP, TIMEOUT, texts
from tests.support import TODAY, swap_folders, swap_version


def test_a_swap_in_the_middle_of_a_page_run_shows_one_version(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Deterministic: the load lands right after the page read 'Data pr.' and before it
    read the scorecard. The run keeps its version; the next session shows the new one.
    (A second run() of the same AppTest would not run app.py again, unlike a server.)"""
    import sosu.store.db

    original, changed = swap_folders(tmp_path)
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
    assert swap_version(texts(app)) == "old"
    reloaded = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not reloaded.exception
    assert swap_version(texts(reloaded)) == "new"
