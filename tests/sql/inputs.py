"""Input data shared by the load tests (a plain module, not a test module): the rule cases
of tests/sql/test_bad_input.py and the Danish export spellings of
tests/sql/test_input_variants.py, both also run through the fast load path
(tests/sql/test_fast_path.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path

import openpyxl

from sosu.domain.contract import FILES
from tests.support import MINIMAL


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


def decimal_comma(value: str) -> str:
    return value.replace(".", ",") if re.fullmatch(r"\d+\.\d+", value) else value


def transform(folder: Path, cell: Callable[[str], str] = str,
               header: Callable[[str], str] = str, **options: str) -> None:
    for spec in FILES:
        rows = _read(spec.name)
        rows = [[header(h) for h in rows[0]]] + [[cell(v) for v in r] for r in rows[1:]]
        _write_csv(folder, spec.name, rows, **options)


HEADERS = {"ansat_dato": "Ansat dato", "oplaeringssted": "Oplæringssted", "aarsag": "Årsag",
           "maaned": "Måned", "afsluttet_dato": "Afsluttet-dato", "elev_id": "Elev ID",
           "planlagte_timer": "Planlagte timer", "ansat_i_kommunen": "Ansat i kommunen"}


VARIANTS: dict[str, Callable[[Path], None]] = {
    "semicolon": lambda f: transform(f, delimiter=";"),
    "utf8_bom": lambda f: transform(f, encoding="utf-8-sig"),
    "cp1252": lambda f: transform(f, encoding="cp1252"),
    "crlf": lambda f: transform(f, newline="\r\n"),
    "dates_dd_mm_yyyy": lambda f: transform(f, cell=lambda v: _danish_date(v, "-")),
    "dates_dd_dot_mm_yyyy": lambda f: transform(f, cell=lambda v: _danish_date(v, ".")),
    "decimal_comma": lambda f: transform(f, cell=decimal_comma, delimiter=";"),
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
