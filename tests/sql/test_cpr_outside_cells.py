"""A CPR number where no column is read: the rest of a workbook, a CSV's lines above its
header, a file of two encodings, the demo's marker, a profile's comments, the names a
draft takes from the folder. The history keeps every file a load reads as given, so each
of these must refuse the load (or not be kept), and no message may echo the number.

The cases come from an outside attack on the promise (one each, as it found them); the
fixes are for their classes: every part of a workbook is read (etl.workbook_cpr), every
line of a profile, and the demo's marker is kept only as `sosu demo` writes it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from sosu.cli.main import main
from sosu.domain.cpr import contains_cpr
from sosu.etl.demoseal import DEMO_MARKER
from sosu.etl.load import check_folder
from sosu.etl.problems import ValidationFailed
from sosu.etl.profile import ProfileError, load_profile
from sosu.etl.read import MIXED_ENCODINGS, OPEN_QUOTE_ABOVE
from tests.sql.inputs import write_ods
from tests.support import DATA, MINIMAL, TODAY, sweep

CPR = "010190-1234"
DIGITS = "0101901234"


def _rows(name: str) -> list[list[str]]:
    with open(MINIMAL / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _refused(folder: Path) -> list[str]:
    with pytest.raises(ValidationFailed) as refused:
        check_folder(folder, today=TODAY)
    shown = refused.value.report(limit=100)
    assert not any(contains_cpr(line) or DIGITS in line for line in shown), shown
    return shown


def _kept_bytes(db: Path) -> bytes:
    """Every byte of every file beside the database (history, log), unpacked zips too."""
    found = b""
    for path in db.parent.rglob("*"):
        if path.is_file():
            found += path.read_bytes()
            if zipfile.is_zipfile(path):
                with zipfile.ZipFile(path) as archive:
                    found += b"".join(archive.read(name) for name in archive.namelist())
    return found


# --- every part of a workbook ----------------------------------------------------------

def _xlsx(folder: Path) -> Path:
    """elever as a single-sheet workbook beside the other files as CSV."""
    (folder / "elever.csv").unlink()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "elever"
    for row in _rows("elever"):
        sheet.append(row)
    path = folder / "elever.xlsx"
    book.save(path)
    return path


def _hidden_sheet(book: openpyxl.Workbook) -> None:
    book.create_sheet("skjult").append([f"elev {CPR} syg"])
    book["skjult"].sheet_state = "hidden"


def _sheet_named(book: openpyxl.Workbook) -> None:
    book.create_sheet(CPR).append(["noter"])


def _formula(book: openpyxl.Workbook) -> None:
    book["elever"]["H2"] = f'=IF(FALSE,"{CPR}","")'


def _comment(book: openpyxl.Workbook) -> None:
    book["elever"]["A2"].comment = Comment(f"ring til {CPR}", "Anne")


def _properties(book: openpyxl.Workbook) -> None:
    book.properties.title = f"Elevliste {CPR}"


def _defined_name(book: openpyxl.Workbook) -> None:
    book.defined_names["cpr"] = DefinedName("cpr", attr_text=f'"{CPR}"')


def _validation_list(book: openpyxl.Workbook) -> None:
    rule = DataValidation(type="list", formula1=f'"{CPR},SSA"')
    book["elever"].add_data_validation(rule)
    rule.add("B2")


def _page_header(book: openpyxl.Workbook) -> None:
    book["elever"].oddHeader.center.text = f"Elev {CPR}"


def _formula_of_pieces(book: openpyxl.Workbook) -> None:
    """No stored result: Excel shows the number when it computes the formula."""
    book["elever"]["H2"] = '=CONCATENATE("010190", "-", "1234")'


def _date_shown_with_a_serial(book: openpyxl.Workbook) -> None:
    """A date cell that shows 010190-1234: the serial is in its number format."""
    book["elever"]["H2"] = dt.date(1990, 1, 1)
    book["elever"]["H2"].number_format = 'ddmmyy"-1234"'


def _date_and_time_shown_together(book: openpyxl.Workbook) -> None:
    """No digit of its own: the time drawn right after the date gives the serial."""
    book["elever"]["H2"] = dt.datetime(1990, 1, 1, 12, 34)
    book["elever"]["H2"].number_format = "ddmmyy-hhmm"


def _number_shown_with_leading_digits(book: openpyxl.Workbook) -> None:
    book["elever"]["H2"] = 1901234  # shown as 0101901234
    book["elever"]["H2"].number_format = '"010"0'


WORKBOOK_CASES = [
    ("hidden-sheet", _hidden_sheet, "arket 'skjult', celle A1"),
    ("sheet-named", _sheet_named, "projektmappens navne på ark eller områder"),
    ("formula", _formula, "arket 'elever', celle H2"),
    ("comment", _comment, "en kommentar"),
    ("properties", _properties, "dokumentets egenskaber"),
    ("defined-name", _defined_name, "projektmappens navne på ark eller områder"),
    ("validation-list", _validation_list, "arket 'elever'"),
    ("page-header", _page_header, "arket 'elever'"),
    ("formula-of-pieces", _formula_of_pieces, "arket 'elever', celle H2"),
    ("date-format", _date_shown_with_a_serial, "et talformat i typografierne"),
    ("number-format", _number_shown_with_leading_digits, "et talformat i typografierne"),
    ("date-time-format", _date_and_time_shown_together, "et talformat i typografierne"),
]


# Each case a load: `make check` runs the first of each list, `make test` all (sweep).
@pytest.mark.parametrize(("name", "plant", "place"),
                         sweep(WORKBOOK_CASES, [case[0] for case in WORKBOOK_CASES]))
def test_a_cpr_number_anywhere_in_a_workbook_refuses_it(
        name: str, plant: object, place: str, minimal_copy: Path) -> None:
    path = _xlsx(minimal_copy)
    assert check_folder(minimal_copy, today=TODAY)["elever"] == 8  # clean, it loads
    book = openpyxl.load_workbook(path)
    plant(book)  # type: ignore[operator]
    book.save(path)
    shown = _refused(minimal_copy)
    assert len(shown) == 1 and shown[0].startswith("elever.xlsx: indeholder noget, der ligner "
                                                   "et CPR-nummer"), shown
    assert place in shown[0], shown


CHART = (b'<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart">'
         b'<c:chart><c:plotArea><c:barChart><c:dLbls><c:numFmt formatCode="FORMAT" '
         b'sourceLinked="0"/></c:dLbls><c:ser><c:val><c:numLit><c:formatCode>General'
         b'</c:formatCode><c:ptCount val="1"/><c:pt idx="0"><c:v>101901234000</c:v></c:pt>'
         b'</c:numLit></c:val></c:ser></c:barChart></c:plotArea></c:chart></c:chartSpace>')


@pytest.mark.parametrize(("code", "refused"), [("000000-0000,", True), ("#,##0", False)])
def test_a_charts_own_number_format_is_drawn_like_a_cells(
        minimal_copy: Path, code: str, refused: bool) -> None:
    """A chart's data labels show 101901234000 through `000000-0000,` as 010190-1234 (the
    review, 2026-12-04): a format in any part is asked, not only the styles'."""
    path = _xlsx(minimal_copy)
    _rezip(path, add={"xl/charts/chart9.xml": CHART.replace(b"FORMAT", code.encode())})
    if refused:
        shown = _refused(minimal_copy)
        assert len(shown) == 1 and "et talformat i delen xl/charts/chart9.xml" in shown[0]
    else:
        assert check_folder(minimal_copy, today=TODAY)["elever"] == 8


def test_ordinary_number_formats_load(minimal_copy: Path) -> None:
    """Formats a Danish workbook has write no digits of their own."""
    path = _xlsx(minimal_copy)
    book = openpyxl.load_workbook(path)
    formats = ['#,##0.00\\ "kr."', "0.0%", "dd-mm-yyyy", "[$-406]d. mmmm yyyy", '"Uge "0',
               "_-* #,##0_-;-* #,##0_-", "[<=9999999]###-####;(###) ###-####"]
    for row, code in enumerate(formats, start=2):
        book["elever"].cell(row=row, column=8, value=row).number_format = code
    book.save(path)
    assert check_folder(minimal_copy, today=TODAY)["elever"] == 8


def test_a_refused_workbook_is_never_kept(minimal_copy: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = _xlsx(minimal_copy)
    book = openpyxl.load_workbook(path)
    _hidden_sheet(book)
    book.save(path)
    db = tmp_path / "db" / "sosu.duckdb"
    assert main(["load", str(minimal_copy), "--db", str(db)]) == 1
    output = capsys.readouterr()
    assert "arket 'skjult'" in output.err and not contains_cpr(output.out + output.err)
    assert not db.exists()
    assert CPR.encode() not in _kept_bytes(db)


# --- the zip around the parts, and the parts that are not XML -------------------------

def _rezip(path: Path, *, add: dict[str, bytes] | None = None, comment: bytes = b"",
           part_comment: bytes = b"") -> None:
    """`path` written again with parts added and comments set, as any zip tool can."""
    packed = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(packed, "w",
                                                          zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == "xl/workbook.xml":
                info.comment = part_comment
            target.writestr(info, source.read(info.filename))
        for name, data in (add or {}).items():
            target.writestr(name, data)
        target.comment = comment
    path.write_bytes(packed.getvalue())


def _embedded_workbook(text: str) -> bytes:
    book = openpyxl.Workbook()
    book.active.append([text])
    packed = io.BytesIO()
    book.save(packed)
    return packed.getvalue()


ZIP_CASES = [
    ("text-part", {"add": {"xl/notes.txt": f"note {CPR}".encode()}}, "delen xl/notes.txt"),
    ("csv-part", {"add": {"data.csv": f"a,b\n1,{CPR}\n".encode()}}, "delen data.csv"),
    ("utf-16-in-binary", {"add": {"xl/embeddings/oleObject1.bin":
                                  b"\xd0\xcf\x11\xe0" + f"x {CPR} y".encode("utf-16-le")}},
     "delen xl/embeddings/oleObject1.bin"),
    ("utf-16-big-endian", {"add": {"xl/printerSettings/printerSettings1.bin":
                                   b"\x01" + f"x {CPR} y".encode("utf-16-be")}},
     "delen xl/printerSettings/printerSettings1.bin"),
    ("picture-metadata", {"add": {"xl/media/image1.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\x10"
                                  b"tEXtComment\x00" + CPR.encode()}},
     "delen xl/media/image1.png"),
    ("embedded-workbook", {"add": {"xl/embeddings/Microsoft_Excel_Worksheet.xlsx":
                                   _embedded_workbook(f"elev {CPR}")}},
     "delen xl/embeddings/Microsoft_Excel_Worksheet.xlsx"),
    ("part-name", {"add": {f"xl/media/{CPR}.png": b"\x89PNG"}}, "navnet på en del af filen"),
    ("zip-comment", {"comment": f"elev {CPR}".encode()}, "kommentarerne i filen"),
    ("part-comment", {"part_comment": f"elev {CPR}".encode()}, "kommentarerne i filen"),
]


@pytest.mark.parametrize(("name", "change", "place"),
                         sweep(ZIP_CASES, [case[0] for case in ZIP_CASES]))
def test_a_cpr_number_in_any_part_or_name_of_the_zip_refuses_it(
        name: str, change: dict[str, object], place: str, minimal_copy: Path) -> None:
    path = _xlsx(minimal_copy)
    _rezip(path, **change)  # type: ignore[arg-type]
    shown = _refused(minimal_copy)
    assert len(shown) == 1 and shown[0].startswith("elever.xlsx: indeholder noget, der ligner "
                                                   "et CPR-nummer"), shown
    assert place in shown[0], shown


def _before(path: Path) -> None:
    path.write_bytes(f"elev {CPR}\n".encode() + path.read_bytes())


def _after(path: Path) -> None:
    path.write_bytes(path.read_bytes() + f"elev {CPR}".encode())


def _part_twice(path: Path) -> None:
    """docProps/app.xml twice, the first copy (which readers pass over) with the number."""
    packed = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(packed, "w") as target, \
            warnings.catch_warnings(action="ignore", category=UserWarning):  # the duplicate
        target.writestr("docProps/app.xml", f"<a>{CPR}</a>")
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
    path.write_bytes(packed.getvalue())


@pytest.mark.parametrize("change", sweep([_before, _after, _part_twice],
                                          ["bytes-before-the-zip", "bytes-after-the-zip",
                                           "a-part-twice"]))
def test_a_cpr_number_outside_the_zips_parts_refuses_it(change: object,
                                                        minimal_copy: Path) -> None:
    path = _xlsx(minimal_copy)
    change(path)  # type: ignore[operator]
    shown = _refused(minimal_copy)
    assert len(shown) == 1 and "ligner et CPR-nummer" in shown[0], shown


@pytest.mark.parametrize(("value", "code"), [
    (1501901234000, "0,"),  # a thousand: shows 1501901234
    (101901234000000, "0,,"),  # a million: shows 101901234, the leading zero lost
    (15019012.34, "0%"),  # a hundred: shows 1501901234%
    (2512891234000, "#,##0,"),  # grouped too: shows 2.512.891.234
])
def test_a_number_a_format_scales_into_a_cpr_number_is_refused(
        minimal_copy: Path, value: float, code: str) -> None:
    """The cell keeps the value, the reader sees it scaled: the second review's case."""
    path = _xlsx(minimal_copy)
    book = openpyxl.load_workbook(path)
    sheet = book.create_sheet("noter")
    sheet["A1"] = value
    sheet["A1"].number_format = code
    book.save(path)
    shown = _refused(minimal_copy)
    assert len(shown) == 1 and shown[0].startswith(
        "elever.xlsx: indeholder noget, der ligner et CPR-nummer: arket 'noter', celle A1;")


def test_a_scaled_number_that_breaks_another_rule_is_reported_as_a_cpr_number_alone(
        minimal_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A review of 2026-12-04: `101901234%` typed in an age cell is 1019012.34 formatted
    `0%`. Only the workbook scan reads it as a CPR number, and the age rule quoted the
    value (`ugyldig alder '1019012.34'`); a second one elsewhere went unreported."""
    path = _xlsx(minimal_copy)
    book = openpyxl.load_workbook(path)
    sheet = book["elever"]
    for cell in ("D3", "D5"):  # alder of two students
        sheet[cell] = 1019012.34
        sheet[cell].number_format = "0%"
    sheet["F2"] = "ukendt"  # and a problem of its own, which quotes no scaled value
    book.save(path)
    shown = _refused(minimal_copy)
    assert shown[0].startswith("elever.xlsx: indeholder noget, der ligner et CPR-nummer: "
                               "arket 'elever', celle D3; arket 'elever', celle D5;"), shown
    assert shown[1:] == ["… og 3 fejl mere (ret dem ovenfor først)"]
    assert not any("1019012" in line or "101901234" in line for line in shown)
    assert main(["check", str(minimal_copy)]) == 1
    printed = capsys.readouterr()
    assert "celle D3" in printed.out + printed.err
    assert not any(number in printed.out + printed.err
                   for number in ("1019012", "101901234", DIGITS))


def test_numbers_a_format_scales_into_no_cpr_number_load(minimal_copy: Path) -> None:
    path = _xlsx(minimal_copy)
    book = openpyxl.load_workbook(path)
    sheet = book.create_sheet("noter")
    for row, (value, code) in enumerate([(0.125, "0%"), (45000, "0,"), (7.4, "0.0"),
                                         (123456789000, "0,"), (32131901234, "0,")], 1):
        sheet.cell(row=row, column=1, value=value).number_format = code
    book.save(path)
    assert check_folder(minimal_copy, today=TODAY)["elever"] == 8


@pytest.mark.parametrize("inside", [
    "<text:p>010190</text:p><text:p>1234</text:p>",  # two lines of the cell's text
    "<text:p>noter</text:p><office:annotation><text:p>010190</text:p>"
    "<text:p>1234</text:p></office:annotation>",  # two lines of its comment
])
def test_an_ods_cells_paragraphs_are_read_as_its_lines(minimal_copy: Path, inside: str) -> None:
    """A spreadsheet shows a cell's paragraphs as lines of one text: `010190⏎1234` (the
    third review: each paragraph alone was read)."""
    (minimal_copy / "elever.csv").unlink()
    path = minimal_copy / "elever.ods"
    write_ods(path, {"elever": _rows("elever"), "noter": [["ingen"]]})
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["content.xml"] = parts["content.xml"].replace(
        b"<text:p>ingen</text:p>", inside.encode(), 1)
    assert inside.encode() in parts["content.xml"]
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    shown = _refused(minimal_copy)
    assert len(shown) == 1 and "arket 'noter', celle A1" in shown[0], shown


_NUMBER_NS = 'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"'
ODS_STYLES = {
    # ten digits with a dash embedded four from the right: 101901234 shows as 010190-1234
    "embedded-dash": '<number:number-style style:name="N1"><number:number '
                     'number:min-integer-digits="10"><number:embedded-text number:position="4">'
                     "-</number:embedded-text></number:number></number:number-style>",
    # day, month, two-digit year, a dash, hours, minutes: 1990-01-01 12:34 as 010190-1234
    "date-and-time": '<number:date-style style:name="N1"><number:day number:style="long"/>'
                     '<number:month number:style="long"/><number:year/><number:text>-'
                     '</number:text><number:hours number:style="long"/><number:minutes '
                     'number:style="long"/></number:date-style>',
    # digits of the style's own around the value's
    "literal-digits": '<number:number-style style:name="N1"><number:text>01</number:text>'
                      '<number:number number:min-integer-digits="4"/><number:text>-1234'
                      "</number:text></number:number-style>",
}


def _ods_with(folder: Path, styles: str, cell: str) -> None:
    """elever as an .ods file with a sheet 'noter' whose one cell is `cell`, and
    automatic `styles` in content.xml."""
    (folder / "elever.csv").unlink()
    path = folder / "elever.ods"
    write_ods(path, {"elever": _rows("elever"), "noter": [["ingen"]]})
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    content = parts["content.xml"].decode()
    content = content.replace("<office:body>", "<office:automatic-styles>"
                              f"{styles}</office:automatic-styles><office:body>", 1)
    content = content.replace('office:version="1.3"', f'office:version="1.3" {_NUMBER_NS} '
                              'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"', 1)
    before = '<table:table-cell office:value-type="string"><text:p>ingen</text:p>' \
             "</table:table-cell>"
    assert before in content
    parts["content.xml"] = content.replace(before, cell, 1).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


@pytest.mark.parametrize("style", list(ODS_STYLES))
def test_an_ods_style_that_could_show_a_cpr_number_is_refused(minimal_copy: Path,
                                                               style: str) -> None:
    """LibreOffice draws a cell's value through its style when it opens the file; the
    text the file keeps beside the value (`x`) is not what it shows (the third review)."""
    _ods_with(minimal_copy, ODS_STYLES[style],
              '<table:table-cell office:value-type="float" office:value="7">'
              "<text:p>x</text:p></table:table-cell>")
    shown = _refused(minimal_copy)
    assert len(shown) == 1 and "talformat" in shown[0], shown


def test_an_embedded_objects_own_style_is_asked_too(minimal_copy: Path) -> None:
    """An embedded chart or sheet (`Object 1/`) has number styles of its own."""
    _ods_with(minimal_copy, "", '<table:table-cell office:value-type="string">'
              "<text:p>ingen</text:p></table:table-cell>")
    path = minimal_copy / "elever.ods"
    styles = ('<office:document-styles xmlns:office="urn:oasis:names:tc:opendocument:xmlns:'
              f'office:1.0" {_NUMBER_NS} xmlns:style="urn:oasis:names:tc:opendocument:xmlns:'
              f'style:1.0"><office:styles>{ODS_STYLES["embedded-dash"]}</office:styles>'
              "</office:document-styles>")
    _rezip(path, add={"Object 1/styles.xml": styles.encode()})
    shown = _refused(minimal_copy)
    assert len(shown) == 1 and "talformat" in shown[0], shown


@pytest.mark.parametrize(("kind", "value"), [("float", "101901234000"),
                                              ("percentage", "1019012.34")])
def test_an_ods_value_a_style_scales_into_a_cpr_number_is_refused(
        minimal_copy: Path, kind: str, value: str) -> None:
    """number:display-factor="1000" shows 101901234000 as 101901234; a percentage
    1019012.34 as 101901234 %."""
    _ods_with(minimal_copy, "", f'<table:table-cell office:value-type="{kind}" '
              f'office:value="{value}"><text:p>x</text:p></table:table-cell>')
    shown = _refused(minimal_copy)
    assert len(shown) == 1 and "arket 'noter', celle A1" in shown[0], shown


@pytest.mark.parametrize("size", sweep([1 << 16, 1 << 20], ["64-KiB", "1-MiB"]))
def test_pictures_and_binary_parts_without_a_number_load(minimal_copy: Path,
                                                          size: int) -> None:
    """Binary parts read as text find no number by chance: random bytes (a picture's
    compressed pixels; a megabyte in `make test`, 8 s of CPU to read in three decodings),
    an embedded workbook of codes and dates."""
    noise = random.Random(7).randbytes(size)
    path = _xlsx(minimal_copy)
    _rezip(path, add={"xl/media/image1.png": noise,
                      "xl/embeddings/oleObject1.bin": noise[:4096].replace(b"\x00", b"\x01")
                      + "2024-01-15 10:20:30 A1 SSH".encode("utf-16-le"),
                      "xl/embeddings/Book.xlsx": _embedded_workbook("2024-01-15 10:20:30")})
    assert check_folder(minimal_copy, today=TODAY)["elever"] == 8


def test_an_embedded_zip_beyond_the_limits_refuses_the_file(minimal_copy: Path) -> None:
    """It cannot be read within the limits, so it cannot be vouched for."""
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("big.txt", b"0" * (80 << 20))
    path = _xlsx(minimal_copy)
    _rezip(path, add={"xl/embeddings/bomb.zip": packed.getvalue()})
    shown = _refused(minimal_copy)
    assert len(shown) == 1 and "en del af filen, der ikke kan læses" in shown[0], shown


def test_an_ods_cell_showing_a_cpr_number_over_another_value_is_found(
        minimal_copy: Path) -> None:
    """An .ods number cell keeps its value and the text it shows apart: the reader takes
    the value (24), the file keeps the text."""
    (minimal_copy / "elever.csv").unlink()
    rows: list[list[object]] = [list(row) for row in _rows("elever")]
    rows[1][3] = 24
    path = minimal_copy / "elever.ods"
    write_ods(path, {"elever": rows, "noter": [["ingen"]]})
    assert check_folder(minimal_copy, today=TODAY)["elever"] == 8
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["content.xml"] = parts["content.xml"].replace(
        b'office:value="24"><text:p>24</text:p>', f'office:value="24"><text:p>{CPR}</text:p>'
        .encode(), 1)
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    shown = _refused(minimal_copy)
    assert "arket 'elever', celle D2" in shown[0], shown


def test_an_ods_second_sheet_is_read_for_cpr_numbers(minimal_copy: Path) -> None:
    (minimal_copy / "elever.csv").unlink()
    write_ods(minimal_copy / "elever.ods",
              {"elever": _rows("elever"), "noter": [["ingen"], [f"elev {CPR}"]]})  # type: ignore[dict-item]
    shown = _refused(minimal_copy)
    assert "arket 'noter', celle A2" in shown[0], shown


def test_an_ods_thumbnail_or_other_part_is_read_for_cpr_numbers(minimal_copy: Path) -> None:
    (minimal_copy / "elever.csv").unlink()
    path = minimal_copy / "elever.ods"
    write_ods(path, {"elever": _rows("elever")})  # type: ignore[dict-item]
    assert check_folder(minimal_copy, today=TODAY)["elever"] == 8
    _rezip(path, add={"Thumbnails/thumbnail.png": b"\x89PNG tEXt " + CPR.encode()})
    shown = _refused(minimal_copy)
    assert "delen Thumbnails/thumbnail.png i filen" in shown[0], shown


# --- CSV: a quote above the header, two encodings --------------------------------------

def test_a_title_that_runs_on_past_its_line_is_refused(minimal_copy: Path) -> None:
    """read_csv skips rows, not lines: a title quote open to the next line made it take
    the line after the header for the header, and no rule saw that line."""
    path = minimal_copy / "elever.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(['"Elevliste', 'udtræk"', lines[0], f"{CPR},SSH", *lines[1:]])
                    + "\n", encoding="utf-8")
    shown = _refused(minimal_copy)
    assert shown[:2] == [f"elever.csv:1: {OPEN_QUOTE_ABOVE}", f"elever.csv:2: {OPEN_QUOTE_ABOVE}"]


def test_a_file_of_two_encodings_is_refused(minimal_copy: Path) -> None:
    """Read as Windows-1252, a UTF-8 no-break space between a CPR number's parts becomes
    `Â` and a space, and `Â` is a letter."""
    path = minimal_copy / "elever.csv"
    lines = path.read_text(encoding="utf-8").encode("ascii", "replace").splitlines()
    lines[1] = lines[1] + " Å".encode("cp1252")  # Windows-1252 on line 2 ...
    lines.append("A9,SSH,2022-03-01,30,010190\u00a01234".encode())  # ... UTF-8 at the end
    path.write_bytes(b"\n".join(lines) + b"\n")
    shown = _refused(minimal_copy)
    assert shown == [f"elever.csv:{len(lines)}: {MIXED_ENCODINGS}"]


# --- the demo's marker, a profile, a draft ---------------------------------------------

def test_a_marker_with_a_note_is_neither_trusted_nor_kept(
        minimal_copy: Path, tmp_path: Path) -> None:
    (minimal_copy / DEMO_MARKER).write_text(f"noter: elev {CPR}\n", encoding="utf-8")
    db = tmp_path / "db" / "sosu.duckdb"
    assert main(["load", str(minimal_copy), "--db", str(db)]) == 0
    assert CPR.encode() not in _kept_bytes(db)


@pytest.mark.parametrize("between", ["-", "\u2028", "\u2029", "\u0085", "\x0c"],
                         ids=["hyphen", "line-separator", "paragraph-separator", "next-line",
                              "form-feed"])
def test_a_cpr_number_in_a_profiles_comment_refuses_it(tmp_path: Path, between: str) -> None:
    """A TOML line ends at LF: other line breaks are separators inside a comment."""
    text = (DATA / "foreign" / "profil.toml").read_text(encoding="utf-8")
    path = tmp_path / "profil.toml"
    path.write_text(text + f"\n# spørg om elev 010190{between}1234\n", encoding="utf-8")
    with pytest.raises(ProfileError) as refused:
        load_profile(path)
    message = str(refused.value)
    assert f"linje {text.count(chr(10)) + 2}" in message and not contains_cpr(message)


def test_a_draft_never_takes_a_cpr_number_from_the_folders_name(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / f"eksport {DIGITS}"
    folder.mkdir()
    for path in (DATA / "foreign").glob("*.csv"):
        (folder / path.name).write_bytes(path.read_bytes())
    out = tmp_path / "udkast.toml"
    assert main(["profil", "forslag", str(folder), "--out", str(out)]) == 0
    output = capsys.readouterr()
    draft = out.read_text(encoding="utf-8")
    assert 'navn = "eksport XXXXXX-XXXX"' in draft
    for text in (draft, output.out, output.err):
        assert not contains_cpr(text) and DIGITS not in text
    assert main(["profil", "forslag", str(folder), "--out", str(tmp_path / f"{CPR}.toml")]) == 1
    assert not (tmp_path / f"{CPR}.toml").exists()
    output = capsys.readouterr()
    assert not contains_cpr(output.out + output.err)


def test_a_cpr_number_in_a_date_cell_reaches_no_warning_on_stderr(minimal_copy: Path) -> None:
    """0101901234 typed into a date cell is kept by Excel as 101901234, which openpyxl
    warned about on stderr, unmasked ("the serial value 101901234 is outside the limits
    for dates"), before any rule saw it: in the dashboard, into the server's log. Run as a
    plain Python process (not the command line, whose messages are masked anyway)."""
    rows = list(csv.reader(io.StringIO((minimal_copy / "elever.csv").read_text("utf-8"))))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "elever"
    for row in rows:
        sheet.append(row)
    sheet.cell(row=2, column=3).value = 101901234
    sheet.cell(row=2, column=3).number_format = "dd-mm-yyyy"
    book.save(minimal_copy / "elever.xlsx")
    (minimal_copy / "elever.csv").unlink()
    script = ("import datetime, sys\n"
              "from pathlib import Path\n"
              "from sosu.etl.load import check_folder\n"
              "from sosu.etl.problems import ValidationFailed\n"
              "try:\n"
              f"    check_folder(Path({str(minimal_copy)!r}), today=datetime.date(2026, 11, 22))\n"
              "except ValidationFailed as error:\n"
              "    print(len(error.problems))\n")
    done = subprocess.run([sys.executable, "-W", "default", "-c", script],
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "1"
    assert "101901234" not in done.stderr and not contains_cpr(done.stderr), done.stderr
