"""Danish Excel exports in all their spellings load to exactly the same figures."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path

import duckdb
import openpyxl
import pytest

import sosu.etl.load
from sosu.domain.contract import FILES
from sosu.etl.fast import validate_fast
from sosu.etl.load import load_folder
from sosu.metrics.kpi import kpi
from sosu.store.db import connect_read_only
from tests.conftest import MINIMAL, TODAY


def _read(name: str) -> list[list[str]]:
    with open(MINIMAL / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _write_csv(folder: Path, name: str, rows: list[list[str]], *, delimiter: str = ",",
               encoding: str = "utf-8", newline: str = "\n") -> None:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    (folder / f"{name}.csv").write_bytes(buffer.getvalue().encode(encoding))


def _danish_date(value: str, sep: str) -> str:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.day:02d}{sep}{day.month:02d}{sep}{day.year}"


def _decimal_comma(value: str) -> str:
    return value.replace(".", ",") if re.fullmatch(r"\d+\.\d+", value) else value


def _transform(folder: Path, cell: Callable[[str], str] = str,
               header: Callable[[str], str] = str, **options: str) -> None:
    for spec in FILES:
        rows = _read(spec.name)
        rows = [[header(h) for h in rows[0]]] + [[cell(v) for v in r] for r in rows[1:]]
        _write_csv(folder, spec.name, rows, **options)


HEADERS = {"ansat_dato": "Ansat dato", "oplaeringssted": "Oplæringssted", "aarsag": "Årsag",
           "maaned": "Måned", "afsluttet_dato": "Afsluttet-dato", "elev_id": "Elev ID",
           "planlagte_timer": "Planlagte timer", "ansat_i_kommunen": "Ansat i kommunen"}

VARIANTS: dict[str, Callable[[Path], None]] = {
    "semicolon": lambda f: _transform(f, delimiter=";"),
    "utf8_bom": lambda f: _transform(f, encoding="utf-8-sig"),
    "cp1252": lambda f: _transform(f, encoding="cp1252"),
    "crlf": lambda f: _transform(f, newline="\r\n"),
    "dates_dd_mm_yyyy": lambda f: _transform(f, cell=lambda v: _danish_date(v, "-")),
    "dates_dd_dot_mm_yyyy": lambda f: _transform(f, cell=lambda v: _danish_date(v, ".")),
    "decimal_comma": lambda f: _transform(f, cell=_decimal_comma, delimiter=";"),
    "danish_headers": lambda f: _transform(f, header=lambda h: HEADERS.get(h, h.upper())),
    "labels_not_codes": lambda f: _transform(f, cell=lambda v: {
        "fravaer": "Fravær", "faglige_krav": "For høje faglige krav", "GF": "Grundforløb",
        "skift_ssa_ssh": "Skift fra SSA til SSH", "O1": "oplæringsperiode 1",
        "ja": "Ja", "nej": "NEJ"}.get(v, v)),
    "everything_at_once": lambda f: _transform(
        f, cell=lambda v: _danish_date(_decimal_comma(v), "."),
        header=lambda h: HEADERS.get(h, h), delimiter=";", encoding="cp1252", newline="\r\n"),
    "xlsx_files": lambda f: _write_xlsx(f, workbook=False),
    "one_workbook": lambda f: _write_xlsx(f, workbook=True),
}


def _typed(value: str) -> object:
    """Cells as Excel stores them: real dates and numbers, not text."""
    for parse in (dt.date.fromisoformat, int, float):
        try:
            return parse(value)  # type: ignore[operator]
        except ValueError:
            continue
    return value or None


def _write_xlsx(folder: Path, workbook: bool) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for spec in FILES:
        if not workbook:
            book = openpyxl.Workbook()
            book.remove(book.active)
        sheet = book.create_sheet("Gennemførte" if spec.name == "gennemfoerte" else spec.name)
        rows = _read(spec.name)
        sheet.append(rows[0])
        for row in rows[1:]:
            sheet.append([_typed(v) for v in row])
        if not workbook:
            book.save(folder / f"{spec.name}.xlsx")
    if workbook:
        book.save(folder / "sosu-eksport.xlsx")


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory) -> dict:
    db = tmp_path_factory.mktemp("ref") / "ref.duckdb"
    load_folder(MINIMAL, db, today=TODAY)
    return _kpi(db)


def _kpi(db: Path) -> dict:
    con = connect_read_only(db)
    try:
        return kpi(con)
    finally:
        con.close()


@pytest.mark.parametrize("variant", VARIANTS)
def test_variant_loads_to_the_same_figures(variant: str, tmp_path: Path, expected: dict) -> None:
    folder = tmp_path / "input"
    folder.mkdir()
    VARIANTS[variant](folder)
    db = tmp_path / "v.duckdb"
    load_folder(folder, db, today=TODAY)
    assert _kpi(db) == expected


def test_cp1252_text_survives(tmp_path: Path) -> None:
    folder = tmp_path / "input"
    folder.mkdir()
    _transform(folder, encoding="cp1252", delimiter=";")
    db = tmp_path / "v.duckdb"
    load_folder(folder, db, today=TODAY)
    con = connect_read_only(db)
    try:
        sites = con.execute("SELECT DISTINCT oplaeringssted FROM elever ORDER BY 1").fetchall()
    finally:
        con.close()
    assert sites == [("Døgnplejen Øst",), ("Plejecenter Å",)]


@pytest.mark.parametrize("path", ["fast", "text"])
def test_trailing_empty_rows_are_ignored(path: str, tmp_path: Path, expected: dict,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows of empty fields at the end, as Excel leaves them, are no rows (no "mangler en
    værdi" for each): on both load paths the file loads with its real rows only."""
    folder = tmp_path / "input"
    folder.mkdir()
    _transform(folder, cell=_decimal_comma, delimiter=";")  # a Danish export: the fast path
    with open(folder / "elever.csv", "a", encoding="utf-8") as handle:
        handle.write(";;;;;\n;;;;;\n")
    if path == "text":
        monkeypatch.setattr(sosu.etl.load, "validate_fast", lambda *args, **kwargs: None)
    else:
        assert validate_fast(duckdb.connect(), folder, TODAY) is not None
    db = tmp_path / "v.duckdb"
    summary = load_folder(folder, db, today=TODAY)
    assert summary.rows["elever"] == len(_read("elever")) - 1  # the header is no row
    assert _kpi(db) == expected
