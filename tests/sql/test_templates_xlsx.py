"""The Excel template: Danish headers that map back to the contract, drop-down lists for
every coded column, date cells, a guide sheet; it loads as it is, from the CLI too."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from sosu.cli.main import main
from sosu.domain import contract
from sosu.domain.contract import ALL_FILES, GUIDE_SHEET, normalize_header
from sosu.etl import templates
from sosu.etl.load import check_folder, load_folder
from sosu.etl.templates import TEMPLATE_NAME, template_workbook
from sosu.store import export


def _book() -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(template_workbook()))


@pytest.fixture(scope="module")
def book() -> openpyxl.Workbook:
    """The template as shipped, made and read once for the tests that only read it
    (0.6 s of CPU each time)."""
    return _book()


def test_the_template_loads_as_it_is(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / TEMPLATE_NAME).write_bytes(template_workbook())
    assert check_folder(folder) == {"elever": 2, "gennemfoerte": 1, "frafald": 1,
                                    "sygefravaer": 1, "efter_uddannelse": 1, "indsatser": 1}
    summary = load_folder(folder, tmp_path / "db.duckdb", today=dt.date(2026, 1, 1))
    assert summary.rows["elever"] == 2


def test_headers_are_danish_and_map_back_to_the_contract(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == [GUIDE_SHEET] + [spec.name for spec in ALL_FILES]
    for spec in ALL_FILES:
        headers = [cell.value for cell in book[spec.name][1]]
        assert [normalize_header(h) for h in headers] == list(spec.column_names)
    elever = [cell.value for cell in book["elever"][1]]
    assert "Ansat dato" in elever and "Oplæringssted" in elever
    assert "Gennemført" not in elever  # a check that the example above is not vacuous
    assert [c.value for c in book["frafald"][1]][3] == "Årsag"


def test_every_coded_column_has_its_codes_as_a_drop_down_list(book: openpyxl.Workbook) -> None:
    for spec in ALL_FILES:
        lists = {str(v.sqref).split(":")[0].rstrip("0123456789"): v.formula1
                 for v in book[spec.name].data_validations.dataValidation}
        for index, column in enumerate(spec.columns, start=1):
            letter = openpyxl.utils.get_column_letter(index)
            if column.codes:
                assert lists[letter] == '"' + ",".join(column.codes) + '"', (spec.name, letter)
            else:
                assert letter not in lists


def test_dates_are_date_cells_and_months_text_cells(book: openpyxl.Workbook) -> None:
    example = book["elever"]["C2"]
    assert isinstance(example.value, dt.datetime) and example.number_format == "DD-MM-YYYY"
    assert book["elever"]["C50"].number_format == "DD-MM-YYYY"
    assert book["sygefravaer"]["C2"].value == "2023-09"
    assert book["sygefravaer"]["C2"].number_format == "@"


def test_the_guide_explains_every_column(book: openpyxl.Workbook) -> None:
    rows = list(book[GUIDE_SHEET].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1]) for r in rows] == [
        (spec.name, c.name) for spec in ALL_FILES for c in spec.columns]
    aarsag = next(r for r in rows if r[1] == "aarsag")
    assert "faglige_krav" in aarsag[6]


def test_the_excel_template_neutralises_every_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """The template bypasses export.download (it needs drop-down lists), so every text it
    writes goes through export.safe_text: a description starting with = stays text."""
    spec = contract.FILES_BY_NAME["elever"]
    column = spec.columns[0]
    poisoned = contract.Column(column.name, column.kind, "=HYPERLINK(\"x\")", "@E0001")
    patched = contract.FileSpec(spec.name, spec.title, spec.description,
                                (poisoned, *spec.columns[1:]))
    monkeypatch.setattr(templates, "ALL_FILES",
                        tuple(patched if s.name == "elever" else s for s in ALL_FILES))
    book = _book()
    texts = [cell.value for sheet in book for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str)]
    assert "'=HYPERLINK(\"x\")" in texts and "'@E0001" in texts
    assert all(text == export.safe_text(text) or text.startswith("'") for text in texts)
    assert not any(text.startswith(("=", "+", "@")) for text in texts)


def test_sosu_skabelon_writes_the_template_and_keeps_an_existing_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def skabelon(*extra: str) -> tuple[int, str]:
        code = main(["skabelon", str(tmp_path), *extra])
        return code, capsys.readouterr().err

    assert skabelon() == (0, "")
    written = tmp_path / TEMPLATE_NAME
    assert written.read_bytes()[:2] == b"PK"
    written.write_bytes(b"mine")
    code, err = skabelon()
    assert code == 1 and "--force" in err
    assert written.read_bytes() == b"mine"
    assert skabelon("--force")[0] == 0 and written.read_bytes()[:2] == b"PK"
