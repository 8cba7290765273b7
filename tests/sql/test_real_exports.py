"""Files as they really come: a date convention per file, Excel serial numbers, a title
above the header, and .ods spreadsheets within the same limits as .xlsx (the figures they
load to: tests/sql/test_input_variants.py)."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest
import python_calamine

import sosu.etl.read
from sosu.etl import rules, workbook
from sosu.etl.fast import validate_fast
from sosu.etl.load import check_folder
from sosu.etl.problems import ValidationFailed
from tests.sql.inputs import VARIANTS, write_ods
from tests.support import MINIMAL, TODAY


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(MINIMAL, copy)
    return copy


def _report(folder: Path) -> list[str]:
    with pytest.raises(ValidationFailed) as refused:
        check_folder(folder, today=TODAY)
    return refused.value.report()


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_file_mixing_date_conventions_is_refused_at_the_first_line_that_breaks_it(
        folder: Path) -> None:
    _replace(folder / "elever.csv", "2022-03-01", "01.03.2022")
    _replace(folder / "elever.csv", "2023-08-01", "08/01/2023")
    assert _report(folder) == [
        "elever.csv:3: ansat_dato: datoen '01.03.2022' er skrevet som DD.MM.ÅÅÅÅ, men filen "
        "skriver datoer som ÅÅÅÅ-MM-DD (linje 2, ansat_dato); skriv alle datoer i filen på "
        "samme måde, så ingen dato læses forkert"]


def test_the_files_first_date_sets_the_convention(folder: Path) -> None:
    """Every date written DD-MM-ÅÅ but one ISO date: the ISO line is the one reported."""
    path = folder / "frafald.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("2022-10-01", "01-10-22")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = _report(folder)
    assert len(report) == 1 and report[0].startswith("frafald.csv:3: frafald_dato: datoen "
                                                     "'2023-01-15' er skrevet som ÅÅÅÅ-MM-DD")
    assert "skriver datoer som DD-MM-ÅÅ (linje 2, frafald_dato)" in report[0]


def test_the_fast_path_declines_mixed_conventions_and_takes_one_convention(
        folder: Path, tmp_path: Path) -> None:
    _replace(folder / "elever.csv", "2022-03-01", "01-03-22")
    assert validate_fast(duckdb.connect(), folder, TODAY) is None
    short = tmp_path / "short"
    short.mkdir()
    VARIANTS["csv_short_dates_title_line"](short)
    assert validate_fast(duckdb.connect(), short, TODAY) is not None


@pytest.mark.parametrize(("first", "second"), [
    (["2021-02-01", "2022-12-31"], [None, "2023-01-05"]),
    (["2021-02-01", "01.02.2021"], [None, None]),
    (["01.02.2021", "01-02-2021"], ["02.03.2021", None]),
    (["01-02-21", " 01-02-2021 "], [None, None]),
    (["45158", "44927"], ["45000", None]),
    (["45158", "2023-08-20"], [None, None]),
    (["01/02/2021", "ikke en dato"], ["", "3/4/2021"]),
    (["2021-02-01", None], [None, "01-02-21"]),
    ([None, "ikke en dato"], ["", None]),
], ids=["iso", "iso-dots", "dots-dashes", "short-long", "excel", "excel-iso",
        "no-shape-ignored", "across-columns", "no-dates"])
def test_the_fast_paths_yes_or_no_is_the_reporting_rule(first: list[str | None],
                                                        second: list[str | None]) -> None:
    """rules.mixed_conventions_sql, the fast path's question, answers as the rule the text
    path reports with (date_convention_sql): a row exactly when conventions are mixed."""
    con = duckdb.connect()
    con.execute("CREATE TABLE d (a VARCHAR, b VARCHAR)")
    con.executemany("INSERT INTO d VALUES (?, ?)", list(zip(first, second, strict=True)))
    reported = con.execute(rules.date_convention_sql("f", ["a", "b"], "d", line="rowid")
                           ).fetchall()
    screened = con.execute(rules.mixed_conventions_sql(["a", "b"], "d")).fetchone()
    assert screened is not None and screened[0] is bool(reported)


@pytest.mark.parametrize("texts", [
    ["01-02-2021", " 01-02-2021 ", None, ""],
    ["01-02-2021", "2021-02-01"],
    ["31-02-2021"],
    ["01-02-2021", "01.02.2021"],
    ["01-02-2021", "1-2-2021"],
], ids=["keeps-to-it", "iso-among", "no-such-day", "dots", "one-digit"])
def test_the_fast_paths_yes_or_no_for_a_profiles_date_format_is_the_reporting_rule(
        texts: list[str | None]) -> None:
    """With an import profile's date format the fast path asks each distinct text once
    (rules.date_rule_broken_sql); it answers as the rule the text path reports with."""
    con = duckdb.connect()
    con.execute("CREATE TABLE d (a VARCHAR, b VARCHAR)")
    con.executemany("INSERT INTO d VALUES (?, ?)", [(t, texts[0]) for t in texts])
    reported = con.execute(rules.date_format_sql("f", ["a", "b"], "d", "DD-MM-ÅÅÅÅ",
                                                 line="rowid")).fetchall()
    screened = con.execute(rules.date_rule_broken_sql(["a", "b"], "d",
                                                      date_format="DD-MM-ÅÅÅÅ")).fetchone()
    assert screened is not None and screened[0] is bool(reported)


def test_excel_serial_numbers_are_read_and_checked_like_dates(folder: Path) -> None:
    path = folder / "gennemfoerte.csv"
    # 2023-08-20 as Excel stores it, then a date in the future: 2028-09-04 (Excel shows
    # 44927 as 2023-01-01).
    path.write_text("elev_id,uddannelse,afsluttet_dato\nA1,SSH,45158\nA2,SSH,47000\n",
                    encoding="utf-8")
    assert _report(folder) == ["gennemfoerte.csv:3: afsluttet_dato: datoen '47000' ligger i "
                               "fremtiden (læst som 2028-09-04)"]


def test_a_title_above_the_header_keeps_the_files_own_line_numbers(folder: Path) -> None:
    path = folder / "elever.csv"
    text = path.read_text(encoding="utf-8").replace(",30,", ",300,", 1)
    path.write_text("Elevoversigt pr. 22-11-2026,,,,,\n\n" + text, encoding="utf-8")
    assert _report(folder) == [
        "elever.csv:5: alder: ugyldig alder '300'; skal være et helt tal fra 15 til 70"]


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize("piece", [8 << 20, 7, 16], ids=["whole", "7-bytes", "16-bytes"])
def test_empty_lines_between_rows_keep_the_files_own_line_numbers(
        folder: Path, monkeypatch: pytest.MonkeyPatch, newline: str, piece: int) -> None:
    """read_csv passes over an empty line without a row: the rows below it are a line
    further down than their count, however the pieces the file is scanned in fall."""
    monkeypatch.setattr(sosu.etl.read, "CHUNK", piece)
    path = folder / "elever.csv"
    lines = path.read_text(encoding="utf-8").replace(",30,", ",300,").splitlines()
    lines = ["Elevoversigt", "", *lines[:2], "", "", *lines[2:4], "", *lines[4:]]
    path.write_bytes(newline.join(lines).encode("utf-8") + newline.encode())
    assert lines[6].startswith("A2,SSH") and lines[7].startswith("A3,SSH")
    lines[10] = lines[10].replace(",28,", ",280,")
    path.write_bytes(newline.join(lines).encode("utf-8") + newline.encode())
    assert _report(folder) == [
        "elever.csv:7: alder: ugyldig alder '300'; skal være et helt tal fra 15 til 70",
        "elever.csv:11: alder: ugyldig alder '280'; skal være et helt tal fra 15 til 70"]


def test_a_title_above_a_sheets_header_keeps_the_sheets_row_numbers(folder: Path) -> None:
    (folder / "elever.csv").unlink()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Elevoversigt"])
    sheet.append([])
    lines = (MINIMAL / "elever.csv").read_text(encoding="utf-8").splitlines()
    for line in lines:
        sheet.append(line.replace(",30,", ",300,").split(","))
    book.save(folder / "elever.xlsx")
    report = _report(folder)
    assert report == ["elever.xlsx:5: alder: ugyldig alder '300'; skal være et helt tal fra "
                      "15 til 70"], report


def test_a_file_without_a_header_among_its_first_lines_is_refused_saying_so(
        folder: Path) -> None:
    path = folder / "frafald.csv"
    rows = path.read_text(encoding="utf-8").splitlines()[1:]
    path.write_text("Frafaldsrapport\n" + "\n".join(rows) + "\n", encoding="utf-8")
    report = _report(folder)
    assert any(line.startswith("frafald.csv: fandt ingen overskriftslinje i de første 20 "
                               "linjer") for line in report), report


def test_a_workbook_mixing_date_cells_and_text_dates_is_refused(folder: Path) -> None:
    """A typed date a Danish spreadsheet left as text is one it could not read as a date."""
    (folder / "elever.csv").unlink()
    book = openpyxl.Workbook()
    sheet = book.active
    lines = (MINIMAL / "elever.csv").read_text(encoding="utf-8").splitlines()
    sheet.append(lines[0].split(","))
    for number, line in enumerate(lines[1:]):
        cells: list[object] = line.split(",")
        cells[2] = "03/01/2022" if number == 1 else dt.date.fromisoformat(str(cells[2]))
        cells[3] = int(str(cells[3]))
        sheet.append(cells)
    book.save(folder / "elever.xlsx")
    report = _report(folder)
    assert report == ["elever.xlsx:3: ansat_dato: datoen '03/01/2022' er skrevet som "
                      "DD/MM/ÅÅÅÅ, men filen skriver datoer som ÅÅÅÅ-MM-DD (linje 2, "
                      "ansat_dato); skriv alle datoer i filen på samme måde, så ingen dato "
                      "læses forkert"], report


# --- .ods within the limits ------------------------------------------------------------

def _ods_folder(folder: Path) -> Path:
    (folder / "elever.csv").unlink()
    rows = [line.split(",") for line in
            (MINIMAL / "elever.csv").read_text(encoding="utf-8").splitlines()]
    path = folder / "elever.ods"
    write_ods(path, {"Ark1": rows})  # type: ignore[dict-item]
    return path


def test_an_ods_file_loads(folder: Path) -> None:
    _ods_folder(folder)
    assert check_folder(folder, today=TODAY)["elever"] == 8


def test_an_ods_zip_bomb_is_refused_before_calamine_reads_it(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _ods_folder(folder)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    row = b"<table:table-row><table:table-cell/></table:table-row>"
    members["content.xml"] = members["content.xml"].replace(
        b"</table:table>", row * (40 * (1 << 20) // len(row)) + b"</table:table>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)

    def never(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("calamine must not open a refused spreadsheet")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", never)
    monkeypatch.setattr(workbook.CalamineWorkbook, "from_path", never)
    report = _report(folder)
    assert any(line.startswith("elever.ods: Regnearket pakker sig ud til") and "zip-bombe"
               in line for line in report), report


def test_an_ods_sheet_over_the_row_limit_is_refused(folder: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _ods_folder(folder)
    monkeypatch.setattr(workbook, "MAX_ROWS", 5)
    report = _report(folder)
    assert any("elever.ods" in line and "mere end 5 rækker" in line for line in report), report


def test_a_damaged_ods_file_is_refused_in_danish(folder: Path) -> None:
    (folder / "elever.csv").unlink()
    (folder / "elever.ods").write_bytes(b"PK\x03\x04 not really a spreadsheet")
    assert _report(folder) == ["elever.ods: kan ikke åbnes som regneark (.ods); er den "
                               "beskadiget eller i et andet format?"]
