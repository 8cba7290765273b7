"""Input data shared by the load tests (a plain module, not a test module): the rule cases
of tests/sql/test_bad_input.py and the Danish export spellings of
tests/sql/test_input_variants.py, both also run through the fast load path
(tests/sql/test_fast_path.py), and the foreign export of tests/sql/test_profiles.py
rewritten as other files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl

from sosu.domain.contract import FILES
from tests.support import MINIMAL


def _read(name: str) -> list[list[str]]:
    with open(MINIMAL / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _write_csv(folder: Path, name: str, rows: list[list[str]], *, delimiter: str = ",",
               encoding: str = "utf-8", newline: str = "\n", title: str = "") -> None:
    buffer = io.StringIO()
    if title:  # a report's title and a blank line above the header
        buffer.write(f"{title}{newline}{newline}")
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    (folder / f"{name}.csv").write_bytes(buffer.getvalue().encode(encoding))


def _danish_date(value: str, sep: str) -> str:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.day:02d}{sep}{day.month:02d}{sep}{day.year}"


def short_date(value: str) -> str:
    """DD-MM-ÅÅ, as a Danish-locale spreadsheet saves a date to CSV."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.day:02d}-{day.month:02d}-{day.year % 100:02d}"


def excel_serial(value: str) -> str:
    """The number Excel stores for a date, as it shows once the date format is lost."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return value
    return str((day - dt.date(1899, 12, 30)).days)


def decimal_comma(value: str) -> str:
    return value.replace(".", ",") if re.fullmatch(r"\d+\.\d+", value) else value


def transform(folder: Path, cell: Callable[[str], str] = str,
               header: Callable[[str], str] = str, *, titled: bool = False,
               **options: str) -> None:
    """The minimal fixture rewritten; `titled`: each file with a report title above."""
    for spec in FILES:
        rows = _read(spec.name)
        rows = [[header(h) for h in rows[0]]] + [[cell(v) for v in r] for r in rows[1:]]
        title = f"Udtræk af {spec.name} pr. 22-11-26" if titled else ""
        _write_csv(folder, spec.name, rows, title=title, **options)


HEADERS = {"ansat_dato": "Ansat dato", "oplaeringssted": "Oplæringssted", "aarsag": "Årsag",
           "maaned": "Måned", "afsluttet_dato": "Afsluttet-dato", "elev_id": "Elev ID",
           "planlagte_timer": "Planlagte timer", "ansat_i_kommunen": "Ansat i kommunen"}


VARIANTS: dict[str, Callable[[Path], None]] = {
    "semicolon": lambda f: transform(f, delimiter=";"),
    "utf8_bom": lambda f: transform(f, encoding="utf-8-sig"),
    # Excel's "CSV UTF-8" (a byte order mark) from a report with a title above the header.
    "utf8_bom_title_line": lambda f: transform(f, encoding="utf-8-sig", titled=True),
    "cp1252": lambda f: transform(f, encoding="cp1252"),
    "crlf": lambda f: transform(f, newline="\r\n"),
    "dates_dd_mm_yyyy": lambda f: transform(f, cell=lambda v: _danish_date(v, "-")),
    "dates_dd_dot_mm_yyyy": lambda f: transform(f, cell=lambda v: _danish_date(v, ".")),
    "decimal_comma": lambda f: transform(f, cell=decimal_comma, delimiter=";"),
    # Text cells with spaces around them (ids, codes, sites), as hand-kept sheets have.
    "padded_text": lambda f: transform(f, cell=lambda v: f"  {v} " if v[:1].isalpha() else v),
    "danish_headers": lambda f: transform(f, header=lambda h: HEADERS.get(h, h.upper())),
    "labels_not_codes": lambda f: transform(f, cell=lambda v: {
        "fravaer": "Fravær", "faglige_krav": "For høje faglige krav", "GF": "Grundforløb",
        "skift_ssa_ssh": "Skift fra SSA til SSH", "O1": "oplæringsperiode 1",
        "ja": "Ja", "nej": "NEJ"}.get(v, v)),
    "everything_at_once": lambda f: transform(
        f, cell=lambda v: _danish_date(decimal_comma(v), "."),
        header=lambda h: HEADERS.get(h, h), delimiter=";", encoding="cp1252", newline="\r\n"),
    "xlsx_files": lambda f: _write_xlsx(f, workbook=False),
    "one_workbook": lambda f: _write_xlsx(f, workbook=True),
    # As a Danish-locale spreadsheet saves CSV from a report: DD-MM-ÅÅ, semicolons, decimal
    # commas, a title and a blank line above the header.
    "csv_short_dates_title_line": lambda f: transform(
        f, cell=lambda v: short_date(decimal_comma(v)), delimiter=";", titled=True),
    "csv_excel_serial_dates": lambda f: transform(f, cell=excel_serial),
    # Dates as number cells in one sheet (their format lost), date cells in the others,
    # and a title row above two sheets' headers.
    "xlsx_serial_numbers_and_titles": lambda f: _write_xlsx(
        f, workbook=True, serial_dates={"elever"}, titled={"elever", "frafald"}),
    "ods_files": lambda f: _write_ods(f, workbook=False),
    "one_ods_workbook": lambda f: _write_ods(f, workbook=True),
}


def _typed(value: str) -> object:
    """Cells as Excel stores them: real dates and numbers, not text."""
    for parse in (dt.date.fromisoformat, int, float):
        try:
            return parse(value)  # type: ignore[operator]
        except ValueError:
            continue
    return value or None


def _sheet(name: str, *, serial_dates: bool = False, titled: bool = False
           ) -> list[list[object]]:
    """A fixture file's rows as spreadsheet cells; `serial_dates`: dates as the numbers
    Excel stores (their date format lost); `titled`: a title row and an empty row above."""
    rows = _read(name)
    cells = [[_typed(excel_serial(v) if serial_dates else v) for v in row] for row in rows[1:]]
    title: list[list[object]] = [[f"Udtræk af {name}"], []] if titled else []
    return [*title, list(rows[0]), *cells]


def _write_xlsx(folder: Path, workbook: bool, serial_dates: frozenset[str] | set[str] = frozenset(),
                titled: frozenset[str] | set[str] = frozenset()) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for spec in FILES:
        if not workbook:
            book = openpyxl.Workbook()
            book.remove(book.active)
        sheet = book.create_sheet("Gennemførte" if spec.name == "gennemfoerte" else spec.name)
        for row in _sheet(spec.name, serial_dates=spec.name in serial_dates,
                          titled=spec.name in titled):
            sheet.append(row)
        if not workbook:
            book.save(folder / f"{spec.name}.xlsx")
    if workbook:
        book.save(folder / "sosu-eksport.xlsx")


def _write_ods(folder: Path, workbook: bool) -> None:
    """.ods as LibreOffice saves it: date and number cells, a title above efter_uddannelse."""
    sheets = {spec.name: _sheet(spec.name, titled=spec.name == "efter_uddannelse")
              for spec in FILES}
    if workbook:
        write_ods(folder / "sosu-eksport.ods", sheets)
    else:
        for name, rows in sheets.items():
            write_ods(folder / f"{name}.ods", {"Ark1": rows})


ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"
_ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3"')


def _ods_cell(value: object) -> str:
    """One cell as LibreOffice writes it: dates and numbers typed, with their text shown."""
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, dt.date):
        shown = f"{value.day:02d}-{value.month:02d}-{value.year}"
        return (f'<table:table-cell office:value-type="date" office:date-value='
                f'"{value.isoformat()}"><text:p>{shown}</text:p></table:table-cell>')
    if isinstance(value, int | float):
        return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>")
    return (f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}'
            "</text:p></table:table-cell>")


def write_ods(path: Path, sheets: dict[str, list[list[object]]]) -> None:
    """An OpenDocument spreadsheet, as LibreOffice saves one: the mimetype stored first,
    a manifest, and content.xml with typed cells; each sheet ends in the repeated empty
    rows LibreOffice writes below the data."""
    tables = "".join(
        f'<table:table table:name="{escape(name)}">'
        + "".join("<table:table-row>" + "".join(_ods_cell(v) for v in row)
                  + "</table:table-row>" for row in rows)
        + '<table:table-row table:number-rows-repeated="1048000"><table:table-cell/>'
          "</table:table-row></table:table>"
        for name, rows in sheets.items())
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS}>'
               f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
               "</office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
                '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
                f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIME}"/>'
                '<manifest:file-entry manifest:full-path="content.xml" '
                'manifest:media-type="text/xml"/></manifest:manifest>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODS_MIME, zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)


# (file, text to replace, replacement, words the report must contain)
CASES = [
    ("elever", "A2,SSH,2022-03-01", "A1,SSH,2022-03-01",
     ["elever.csv:3: elev_id:", "samme elev", "linje 2"]),
    ("elever", ",30,", ",abc,", ["elever.csv:3: alder:", "ugyldig alder 'abc'"]),
    ("elever", ",30,", ",71,", ["elever.csv:3: alder:", "15 til 70"]),
    ("elever", "A2,SSH", "A2,SOSU", ["elever.csv:3: uddannelse:", "ukendt værdi 'SOSU'", "SSH"]),
    ("elever", "ufaglaert", "intern", ["elever.csv:3: rekruttering:", "ekstern, ufaglaert, ssh"]),
    ("elever", "2022-03-01", "2022-02-30", ["elever.csv:3: ansat_dato:", "findes ikke"]),
    ("elever", "2022-03-01", "1. marts 2022", ["elever.csv:3: ansat_dato:", "ugyldig dato"]),
    ("elever", "2022-03-01", "2027-03-01", ["elever.csv:3: ansat_dato:", "i fremtiden"]),
    ("elever", "A2,SSH,2022-03-01,30,Plejecenter Å", "A2,SSH,2022-03-01,30,",
     ["elever.csv:3: oplaeringssted:", "mangler en værdi"]),
    ("elever", "B3,SSA,2023-08-01,22,Døgnplejen Øst,ekstern",
     "B3,SSH,2023-08-01,22,Døgnplejen Øst,ssh", ["elever.csv:8: rekruttering:", "kun SSA"]),
    ("elever", "A2,SSH,2022-03-01,30,Plejecenter Å,ufaglaert",
     "A2,SSH,2022-03-01,30,Plejecenter Å", ["elever.csv:3:", "ikke 6 felter"]),
    ("elever", "elev_id,", "elev,", ["elever.csv:1: elev:", "ukendt kolonne",
                                      "elever.csv:1: elev_id: kolonnen mangler"]),
    ("gennemfoerte", "A2,SSH,2023-09-30", "A9,SSH,2023-09-30",
     ["gennemfoerte.csv:3: elev_id:", "A9 (SSH) findes ikke i elever"]),
    ("gennemfoerte", "A2,SSH,2023-09-30", "A2,SSA,2023-09-30",
     ["gennemfoerte.csv:3: elev_id:", "A2 (SSA) findes ikke i elever"]),
    ("gennemfoerte", "2023-09-30", "2022-01-01", ["gennemfoerte.csv:3: afsluttet_dato:",
                                                  "før ansættelsen"]),
    ("frafald", "A4,SSH,2023-01-15", "A2,SSH,2023-01-15",
     ["frafald.csv:3: elev_id:", "står også som gennemført", "kan ikke både"]),
    ("frafald", "2022-10-01", "2022-08-01", ["frafald.csv:2: frafald_dato:", "før ansættelsen"]),
    ("frafald", "fravaer", "keder sig", ["frafald.csv:2: aarsag:", "ukendt værdi 'keder sig'"]),
    ("frafald", ",O1,", ",O9,", ["frafald.csv:3: fase:", "ukendt værdi 'O9'"]),
    ("frafald", "A4,SSH,2023-01-15,faglige_krav", "A4,SSH,2023-01-15,skift_ssa_ssh",
     ["frafald.csv:3: aarsag:", "gælder kun SSA"]),
    ("sygefravaer", "2022-09,120.0", "2022-07,120.0",
     ["sygefravaer.csv:2: maaned:", "uden for ansættelsen", "2022-08 til 2022-10"]),
    ("sygefravaer", "2023-07,150.0,15.0", "2023-07,150.0,151.0",
     ["sygefravaer.csv:3: syge_timer:", "flere end de planlagte"]),
    ("sygefravaer", "2023-07,150.0,15.0", "2023-07,0,0",
     ["sygefravaer.csv:3: planlagte_timer:", "over 0"]),
    ("sygefravaer", "2023-07,150.0,15.0", "2023-07,150.0,-1",
     ["sygefravaer.csv:3: syge_timer:", "negative"]),
    ("sygefravaer", "2023-07,150.0,15.0", "2023-07,1e15,15.0",
     ["sygefravaer.csv:3: planlagte_timer:", "mere end 744 timer"]),
    ("sygefravaer", "2023-07,150.0,15.0", "2023-07,mange,15.0",
     ["sygefravaer.csv:3: planlagte_timer:", "ugyldigt antal timer 'mange'"]),
    ("sygefravaer", "2023-07,", "juli 2023,", ["sygefravaer.csv:3: maaned:", "ÅÅÅÅ-MM"]),
    ("sygefravaer", "2023-08,150.0,0.0", "2023-07,150.0,0.0",
     ["sygefravaer.csv:4: elev_id:", "samme elev og måned"]),
    ("sygefravaer", "A3,SSH,2022-09", "A3,SSH,2022-11",
     ["sygefravaer.csv:2: maaned:", "uden for ansættelsen", "2022-08 til 2022-10"]),
    ("sygefravaer", "A1,SSH,2023-08", "A1,SSH,2023-09",
     ["sygefravaer.csv:4: maaned:", "uden for ansættelsen", "2022-02 til 2023-08"]),
    ("sygefravaer", "A1,SSH,2023-07", "A9,SSH,2023-07",
     ["sygefravaer.csv:3: elev_id:", "A9 (SSH) findes ikke i elever"]),
    ("efter_uddannelse", "A2,SSH,nej", "B1,SSA,nej",
     ["efter_uddannelse.csv:3: elev_id:", "står ikke i gennemfoerte"]),
    ("efter_uddannelse", "ja,SSA-elev", "ja,", ["efter_uddannelse.csv:2: arbejdssted:",
                                                "skal udfyldes"]),
    ("efter_uddannelse", "A2,SSH,nej", "A2,SSH,måske",
     ["efter_uddannelse.csv:3: ansat_i_kommunen:", "ja, nej"]),
]


# --- the foreign export (tests/data/foreign, read through its profil.toml) -------------

def foreign_rows(path: Path) -> list[list[str]]:
    """A file of the foreign export as rows of text (UTF-8 with BOM, semicolons)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def write_foreign(path: Path, rows: list[list[str]], *, title: str = "") -> None:
    """Rows written as the foreign export writes them; `title`: a report's title line and
    an empty line above the header."""
    buffer = io.StringIO()
    if title:
        buffer.write(f"{title};;\r\n\r\n")
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))


def spreadsheet_cell(value: str) -> object:
    """The foreign export's text as a spreadsheet holds it: a DD-MM-ÅÅÅÅ date as a date
    cell, a number (decimal comma) as a number cell."""
    if re.fullmatch(r"\d\d-\d\d-\d{4}", value):
        day, month, year = value.split("-")
        return dt.date(int(year), int(month), int(day))
    if re.fullmatch(r"\d+(,\d+)?", value):
        return float(value.replace(",", "."))
    return value


def foreign_as_ods(folder: Path, profile_text: str, *, title: str = "") -> str:
    """Each CSV file of the foreign export in `folder` saved as an .ods spreadsheet of
    date, number and text cells (`title`: a title row and an empty row above the header);
    returns the profile's text reading the spreadsheets."""
    for path in sorted(folder.glob("*.csv")):
        above: list[list[object]] = [[title], []] if title else []
        rows = foreign_rows(path)
        header: list[object] = list(rows[0])
        write_ods(path.with_suffix(".ods"),
                  {"Ark1": [*above, header, *([spreadsheet_cell(v) for v in row]
                                              for row in rows[1:])]})
        path.unlink()
        profile_text = profile_text.replace(f'"{path.name}"', f'"{path.stem}.ods"')
    return profile_text

