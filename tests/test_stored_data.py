"""What the database keeps of the sick-leave file: what the figures are built on, not
each student's monthly hours or the month's site (etl/load.py, NOT_KEPT)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from etl.load import NOT_KEPT, load_folder
from tests.conftest import TODAY

ELSEWHERE = "Vikarbureauet Syd"  # a month's site that is in no other file


def _loaded(folder: Path, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    sick = folder / "sygefravaer.csv"
    text = sick.read_text(encoding="utf-8")
    assert "A2,SSH,2023-09,100.0,10.0,\n" in text
    sick.write_text(text.replace("A2,SSH,2023-09,100.0,10.0,\n",
                                 f"A2,SSH,2023-09,100.0,10.0,{ELSEWHERE}\n"), encoding="utf-8")
    db = tmp_path / "sosu.duckdb"
    load_folder(folder, db, today=TODAY)
    return duckdb.connect(str(db), read_only=True)


def test_the_sick_leave_rows_are_not_kept(minimal_copy: Path, tmp_path: Path) -> None:
    con = _loaded(minimal_copy, tmp_path)
    tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert NOT_KEPT == ("sygefravaer",)
    assert "sygefravaer" not in tables and "int_elevmaaneder" not in tables
    texts = con.execute("""SELECT table_name, column_name FROM duckdb_columns()
                           WHERE data_type = 'VARCHAR' AND NOT internal""").fetchall()
    assert ("elever", "oplaeringssted") in texts
    for table, column in texts:
        found = con.execute(f'SELECT count(*) FROM "{table}" WHERE "{column}" = ?',
                            [ELSEWHERE]).fetchone()
        assert found == (0,), (table, column)
    # Hours are kept only added up per site, never per student.
    hours = {row[0] for row in con.execute(
        "SELECT DISTINCT table_name FROM duckdb_columns() WHERE column_name = 'syge_timer'"
    ).fetchall()}
    assert hours == {"int_sygefravaer_maaned", "int_sygefravaer_aar"}
    for table in hours:
        columns = {row[0] for row in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ?", [table]).fetchall()}
        assert "oplaeringssted" in columns and not columns & {"elev_id", "forloeb_nr"}


def test_every_view_kept_in_the_file_answers(minimal_copy: Path, tmp_path: Path) -> None:
    """No view the file keeps reads a table the load did not keep."""
    con = _loaded(minimal_copy, tmp_path)
    views = [row[0] for row in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()]
    assert views
    for view in views:
        con.execute(f'SELECT * FROM "{view}" LIMIT 0')
