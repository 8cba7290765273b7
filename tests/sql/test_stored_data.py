"""What the database keeps of the sick-leave file: what the figures are built on, not
each student's monthly hours or the month's site (FileSpec.kept in etl/contract.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb
import pytest

import sosu.etl.load
from sosu.domain.contract import ALL_FILES
from sosu.etl.load import load_folder
from tests.support import TODAY

ELSEWHERE = "Vikarbureauet Syd"  # a month's site that is in no other file
# What the load builds from the sick-leave rows and does not keep either.
LOAD_ONLY = ("sygefravaer", "stg_sygefravaer", "int_elevmaaneder", "int_sygevinduer")


def _loaded(folder: Path, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    sick = folder / "sygefravaer.csv"
    text = sick.read_text(encoding="utf-8")
    assert "A2,SSH,2023-09,100.0,10.0,\n" in text
    sick.write_text(text.replace("A2,SSH,2023-09,100.0,10.0,\n",
                                 f"A2,SSH,2023-09,100.0,10.0,{ELSEWHERE}\n"), encoding="utf-8")
    db = tmp_path / "sosu.duckdb"
    load_folder(folder, db, today=TODAY)
    return duckdb.connect(str(db), read_only=True)


def test_only_the_sick_leave_file_is_not_kept() -> None:
    assert [spec.name for spec in ALL_FILES if not spec.kept] == ["sygefravaer"]


def test_the_sick_leave_rows_are_not_kept(minimal_copy: Path, tmp_path: Path) -> None:
    con = _loaded(minimal_copy, tmp_path)
    tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert tables.isdisjoint(LOAD_ONLY)
    texts = con.execute("""SELECT table_name, column_name FROM duckdb_columns()
                           WHERE data_type = 'VARCHAR' AND NOT internal""").fetchall()
    assert ("elever", "oplaeringssted") in texts
    for table, column in texts:
        found = con.execute(f'SELECT count(*) FROM "{table}" WHERE "{column}" = ?',
                            [ELSEWHERE]).fetchone()
        assert found == (0,), (table, column)
    # Hours are kept only added up per site, never per student.
    for hours in ("syge_timer", "planlagte_timer"):
        where = {row[0] for row in con.execute(
            "SELECT DISTINCT table_name FROM duckdb_columns() WHERE column_name = ?",
            [hours]).fetchall()}
        assert where == {"int_sygefravaer_maaned", "int_sygefravaer_aar"}, hours
        for table in where:
            columns = {row[0] for row in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ?",
                [table]).fetchall()}
            assert "oplaeringssted" in columns and not columns & {"elev_id", "forloeb_nr"}


@pytest.mark.parametrize("path", ["fast", "text"])
def test_the_rows_are_never_written_to_the_file(
        path: str, minimal_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In memory (TEMP) from the moment they are read: a table written to the file and
    dropped before the commit left its blocks in the file (seen at national scale)."""
    if path == "text":
        monkeypatch.setattr(sosu.etl.load, "validate_fast", lambda *args, **kwargs: None)
    seen: list[tuple[str, bool]] = []
    build = sosu.etl.load.create_views

    def watching(con: duckdb.DuckDBPyConnection, **kwargs: Any) -> bool:
        seen.extend(con.execute("SELECT table_name, temporary FROM duckdb_tables() "
                                "WHERE table_name = 'sygefravaer'").fetchall())
        built = build(con, **kwargs)
        seen.extend(con.execute("SELECT table_name, temporary FROM duckdb_tables() "
                                "WHERE table_name = 'int_elevmaaneder'").fetchall())
        return built

    monkeypatch.setattr(sosu.etl.load, "create_views", watching)
    load_folder(minimal_copy, tmp_path / "sosu.duckdb", today=TODAY)
    assert seen == [("sygefravaer", True), ("int_elevmaaneder", True)]


def test_nothing_kept_in_the_file_reads_what_was_not_kept(
        minimal_copy: Path, tmp_path: Path) -> None:
    con = _loaded(minimal_copy, tmp_path)
    views = con.execute("SELECT view_name, sql FROM duckdb_views() WHERE NOT internal").fetchall()
    macros = con.execute("SELECT function_name, macro_definition FROM duckdb_functions() "
                         "WHERE function_type IN ('macro', 'table_macro') "
                         "AND NOT internal").fetchall()
    assert views and len(macros) > 10
    for name, sql in [*views, *macros]:
        for gone in LOAD_ONLY:
            assert not re.search(rf"\b(FROM|JOIN)\s+(main\.)?{gone}\b", str(sql), re.I), (
                name, gone)
    for view, _sql in views:
        con.execute(f'SELECT * FROM "{view}" LIMIT 0')
