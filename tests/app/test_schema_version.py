"""A database loaded by another version of sosu-overblik, in the app: every page names it
and asks for a new load, never a traceback (the fingerprint and the command line:
tests/sql/test_schema_version.py).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.helpers import APP, PAGES, TIMEOUT, as_viewer, texts


@pytest.fixture
def old_db(minimal_db: Path) -> Path:
    con = duckdb.connect(str(minimal_db))
    con.execute("ALTER TABLE indlaesning DROP COLUMN kodeversion")
    con.execute("CREATE OR REPLACE MACRO kohorter(steder) AS TABLE SELECT 1 AS gammel")
    con.close()
    return minimal_db


def test_every_page_asks_for_a_new_load_instead_of_failing(
        old_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOSU_DB", str(old_db))
    at = as_viewer(AppTest.from_file(str(APP), default_timeout=TIMEOUT), "uddannelse").run()
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert any("anden version af sosu-overblik" in e.value for e in at.error), page
    # The Data page still lists what was loaded and offers the upload that fixes it.
    assert "elever" in set(at.dataframe[0].value.fil)
    assert at.get("file_uploader")


def test_a_file_without_load_information_is_treated_as_real_data(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    unknown = tmp_path / "ukendt.duckdb"
    duckdb.connect(str(unknown)).close()  # a DuckDB file, but no sosu-overblik load in it
    monkeypatch.setenv("SOSU_DB", str(unknown))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert any("rigtige elevdata" in e.value for e in at.error)


def test_an_old_file_without_login_is_treated_as_real_data(
        old_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOSU_DB", str(old_db))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert any("rigtige elevdata" in e.value for e in at.error)
    assert "Overblik" not in texts(at)


@pytest.mark.parametrize("kind", ["not-duckdb", "folder"])
def test_a_database_that_cannot_be_opened_gets_a_danish_message(
        kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A corrupt file, another program's file or a folder at SOSU_DB: the page says so in
    Danish (Streamlit's own English 'This app has encountered an error' before)."""
    broken = tmp_path / "sosu.duckdb"
    if kind == "folder":
        broken.mkdir()
    else:
        broken.write_text("ikke en database", encoding="utf-8")
    monkeypatch.setenv("SOSU_DB", str(broken))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert any("kan ikke åbnes" in e.value for e in at.error)
    assert not any(str(tmp_path) in e.value for e in at.error)  # no server path
