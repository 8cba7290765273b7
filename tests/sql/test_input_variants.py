"""Danish Excel exports in all their spellings load to exactly the same figures."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import sosu.etl.load
from sosu.domain.contract import FILES_BY_NAME
from sosu.etl import read
from sosu.etl.fast import validate_fast
from sosu.etl.load import load_folder
from sosu.store.db import connect_read_only
from tests.sql.inputs import VARIANTS, decimal_comma, transform
from tests.support import MINIMAL, TODAY, kpi_of, sweep


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory) -> dict:
    db = tmp_path_factory.mktemp("ref") / "ref.duckdb"
    load_folder(MINIMAL, db, today=TODAY)
    return kpi_of(db)


# `make check` loads one variant per reader (CSV, .xlsx, .ods), each with as many of the
# spellings as one file can hold; `make test` every variant on its own.
_REPRESENTATIVES = ["everything_at_once", "xlsx_serial_numbers_and_titles", "one_ods_workbook"]


@pytest.mark.parametrize("variant", sweep(
    [*_REPRESENTATIVES, *(name for name in VARIANTS if name not in _REPRESENTATIVES)],
    kept=len(_REPRESENTATIVES)))
def test_variant_loads_to_the_same_figures(variant: str, tmp_path: Path, expected: dict) -> None:
    folder = tmp_path / "input"
    folder.mkdir()
    VARIANTS[variant](folder)
    db = tmp_path / "v.duckdb"
    load_folder(folder, db, today=TODAY)
    assert kpi_of(db) == expected


def test_a_byte_order_mark_twice_is_read_in_place(tmp_path: Path, expected: dict) -> None:
    """read_csv reads a UTF-8 file with its byte order mark itself (no copy of the file);
    a second mark (two exports pasted together) stands in the header, which is skipped."""
    folder = tmp_path / "input"
    folder.mkdir()
    transform(folder, encoding="utf-8-sig")
    for path in folder.iterdir():
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert validate_fast(duckdb.connect(), folder, TODAY) is not None
    db = tmp_path / "v.duckdb"
    load_folder(folder, db, today=TODAY)
    assert kpi_of(db) == expected


def test_cp1252_text_survives(tmp_path: Path) -> None:
    folder = tmp_path / "input"
    folder.mkdir()
    transform(folder, encoding="cp1252", delimiter=";")
    db = tmp_path / "v.duckdb"
    load_folder(folder, db, today=TODAY)
    con = connect_read_only(db)
    try:
        sites = con.execute("SELECT DISTINCT oplaeringssted FROM elever ORDER BY 1").fetchall()
    finally:
        con.close()
    assert sites == [("Døgnplejen Øst",), ("Plejecenter Å",)]


@pytest.mark.parametrize("note", ["", "Hjælper – 50 € ‘ok’"], ids=["latin-1", "windows-only"])
def test_windows_1252_loads_read_in_place_or_copied(note: str, tmp_path: Path,
                                                    expected: dict) -> None:
    """Excel's "CSV (semikolonsepareret)" is Windows-1252. Text that Latin-1 reads the same
    (the Danish letters) is read by read_csv itself; a dash, euro sign or curly quote,
    which Latin-1 reads otherwise, has the file copied as UTF-8 first. Same figures."""
    folder = tmp_path / "input"
    folder.mkdir()
    transform(folder, encoding="cp1252", delimiter=";",
              cell=lambda v: f"{v} ({note})" if note and v == "SSA-elev" else v)
    name = "efter_uddannelse" if note else "elever"  # elever: Å and Ø in its sites
    source = read.Source(name, folder / f"{name}.csv")
    found = read.inspect_csv(source, read.ContractHeader(FILES_BY_NAME[name]))
    assert not isinstance(found, list)
    assert (found.encoding, found.read_in_place) == (
        ("cp1252", False) if note else ("latin-1", True))
    db = tmp_path / "v.duckdb"
    load_folder(folder, db, today=TODAY)
    con = connect_read_only(db)
    try:
        sites = con.execute("SELECT DISTINCT oplaeringssted FROM elever ORDER BY 1").fetchall()
        work = con.execute("SELECT arbejdssted FROM efter_uddannelse WHERE arbejdssted "
                           "LIKE 'SSA-elev%'").fetchall()
    finally:
        con.close()
    assert sites == [("Døgnplejen Øst",), ("Plejecenter Å",)]
    assert work == [(f"SSA-elev ({note})" if note else "SSA-elev",)]
    if not note:
        assert kpi_of(db) == expected


@pytest.mark.parametrize("path", ["fast", "text"])
def test_trailing_empty_rows_are_ignored(path: str, tmp_path: Path, expected: dict,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows of empty fields at the end, as Excel leaves them, are no rows (no "mangler en
    værdi" for each): on both load paths the file loads with its real rows only."""
    folder = tmp_path / "input"
    folder.mkdir()
    transform(folder, cell=decimal_comma, delimiter=";")  # a Danish export: the fast path
    with open(folder / "elever.csv", "a", encoding="utf-8") as handle:
        handle.write(";;;;;\n;;;;;\n")
    if path == "text":
        monkeypatch.setattr(sosu.etl.load, "validate_fast", lambda *args, **kwargs: None)
    else:
        assert validate_fast(duckdb.connect(), folder, TODAY) is not None
    db = tmp_path / "v.duckdb"
    summary = load_folder(folder, db, today=TODAY)
    rows = (MINIMAL / "elever.csv").read_text(encoding="utf-8").strip().splitlines()
    assert summary.rows["elever"] == len(rows) - 1  # the header is no row
    assert kpi_of(db) == expected
