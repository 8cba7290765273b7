"""Templates and the contract's documentation, generated from domain.contract.

The Excel template is what the education team fills in by hand: one sheet per file
with Danish headers the loader maps back to the contract's names, drop-down lists for
every coded column, real date cells, and a sheet explaining every column. It loads as
it is (its example rows are one consistent student), so a team can start from it.
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from sosu.domain.contract import ALL_FILES, GUIDE_SHEET, Column, FileSpec, normalize_header
from sosu.etl.profile import profile_markdown
from sosu.store import export

KIND_TEXT = {
    "id": "tekst (pseudonym)",
    "text": "tekst",
    "code": "kode",
    "date": "dato",
    "month": "måned (ÅÅÅÅ-MM)",
    "int": "helt tal",
    "hours": "timer (decimaltal)",
    "yesno": "ja/nej",
}


def template_frame(spec: FileSpec) -> pd.DataFrame:
    """The header and one example row, all text."""
    return pd.DataFrame([[c.example for c in spec.columns]], columns=spec.column_names,
                        dtype=object)


def template_csv(spec: FileSpec) -> bytes:
    """Semicolon separated as Danish Excel expects; made like every other download."""
    return export.download(template_frame(spec), "csv")


# How the contract's ASCII names are spelt in Danish (gennemfoert → gennemført); a
# header is used only if the loader maps it back to the same name.
_DANISH_LETTERS = (("aa", "å"), ("oe", "ø"), ("ae", "æ"))
TEMPLATE_NAME = "sosu-skabelon.xlsx"
_ROWS_WITH_LISTS = 2000  # drop-down lists and formats reach this far down each sheet


def danish_header(column: Column) -> str:
    """'ansat_dato' → 'Ansat dato', 'gennemfoert' → 'Gennemført'."""
    text = column.name.replace("_", " ")
    for ascii_, danish in _DANISH_LETTERS:
        text = text.replace(ascii_, danish)
    text = text[:1].upper() + text[1:]
    return text if normalize_header(text) == column.name else column.name


def _example(column: Column) -> object:
    """The example as the cell type a user would type: dates as dates, numbers as numbers."""
    if column.kind == "date":
        return dt.date.fromisoformat(column.example)
    if column.kind == "int":
        return int(column.example)
    if column.kind == "hours":
        return float(column.example.replace(",", "."))
    return column.example


# The examples describe one student who completed; the dropout example is a second
# student, so the template's rows obey the rules across files and load as they are.
_DROPOUT_EXAMPLE = "E0002"


def _example_rows(spec: FileSpec) -> list[list[object]]:
    row = [_example(c) for c in spec.columns]
    if "elev_id" not in spec.column_names:
        return [row]
    position = spec.column_names.index("elev_id")
    second = [_DROPOUT_EXAMPLE if i == position else value for i, value in enumerate(row)]
    if spec.name == "elever":
        return [row, second]
    return [second] if spec.name == "frafald" else [row]


def _file_sheet(book: Workbook, spec: FileSpec) -> None:
    sheet = book.create_sheet(spec.name)
    sheet.append([export.safe_text(danish_header(c)) for c in spec.columns])
    for row in _example_rows(spec):
        sheet.append([export.safe_text(v) if isinstance(v, str) else v for v in row])
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[letter].width = max(14, len(danish_header(column)) + 4)
        cells = f"{letter}2:{letter}{_ROWS_WITH_LISTS}"
        if column.codes:
            choices = DataValidation(type="list", formula1='"' + ",".join(column.codes) + '"',
                                     allow_blank=not column.required, showErrorMessage=True,
                                     errorTitle="Ukendt kode",
                                     error="Vælg en af koderne på listen.")
            choices.add(cells)
            sheet.add_data_validation(choices)
        if column.kind == "date":
            for line in range(2, _ROWS_WITH_LISTS + 1):
                sheet.cell(row=line, column=index).number_format = "DD-MM-YYYY"
        elif column.kind in ("month", "id", "text"):
            # Text cells: Excel would turn 2023-09 into a date and E0001-like ids are kept.
            for line in range(2, _ROWS_WITH_LISTS + 1):
                sheet.cell(row=line, column=index).number_format = "@"
    sheet.freeze_panes = "A2"


def _guide_sheet(book: Workbook) -> None:
    sheet = book.create_sheet(GUIDE_SHEET, 0)
    sheet.append(["Ark", "Kolonne", "Overskrift", "Type", "Påkrævet", "Beskrivelse",
                  "Koder"])
    for spec in ALL_FILES:
        for column in spec.columns:
            codes = ", ".join(f"{code} ({label})" for code, label in column.codes.items())
            sheet.append([export.safe_text(text) for text in (
                spec.name, column.name, danish_header(column), KIND_TEXT[column.kind],
                "ja" if column.required else "nej", column.description, codes)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFG", (18, 20, 20, 18, 10, 80, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"


def template_workbook() -> bytes:
    """One .xlsx: the guide, then a sheet per contract file with one example row."""
    book = Workbook()
    book.remove(book.active)
    _guide_sheet(book)
    for spec in ALL_FILES:
        _file_sheet(book, spec)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def contract_markdown() -> str:
    lines = [
        "# Datakontrakt (data contract)",
        "",
        "Generated from `src/sosu/domain/contract.py` by `python -m sosu.etl.templates`; a test",
        "keeps the two in step. A data folder holds the five student files below, each as",
        "`.csv`, `.xlsx` or `.ods` (first sheet), or one `.xlsx` or `.ods` workbook with five",
        "sheets named like the files. The sixth, `indsatser` (the strategy's initiatives), is",
        "optional: without it the dashboard shows no initiatives; with it, it is checked like",
        "the others.",
        "",
        "Accepted variants, all loading to the same result: comma or semicolon separated;",
        "UTF-8 with or without BOM, or Windows-1252; CRLF or LF; decimal point or comma;",
        "headers in any case with spaces, hyphens or æ/ø/å (`Ansat dato` → `ansat_dato`).",
        "Codes may be given as the code or its Danish label, in any case. Empty rows are",
        "ignored. A file whose lines end in CR alone (Excel for Mac's \"CSV (Macintosh)\") is",
        "refused with a request to save it as \"CSV UTF-8\".",
        "",
        "**The header** is line 1 when line 1 names any of the file's columns. Otherwise it is",
        "the first of the next 19 lines (or sheet rows) that names at least two of them, so a",
        "report's title and blank lines above the header are passed over; if no line does,",
        "the file is refused (`fandt ingen overskriftslinje i de første 20 linjer`). Line",
        "numbers in messages are always the file's own: with two lines above the header, the",
        "first data row is line 4.",
        "",
        "**Dates** may be written:",
        "",
        "| skrevet | eksempel | læses som |",
        "| --- | --- | --- |",
        "| `ÅÅÅÅ-MM-DD` | `2022-02-01` | 1 February 2022 (four digits for the year) |",
        "| `DD-MM-ÅÅÅÅ`, `DD.MM.ÅÅÅÅ`, `DD/MM/ÅÅÅÅ` | `01.02.2022` | day first, always |",
        "| `DD-MM-ÅÅ`, `DD.MM.ÅÅ`, `DD/MM/ÅÅ` | `01-02-22` | the century that puts the date "
        "nearest before the data's date (a Danish spreadsheet's short date in CSV) |",
        "| Excel serial number | `44593` | days since 1899-12-30, as Excel shows a date whose "
        "format was lost (five digits) |",
        "| a date cell in `.xlsx`/`.ods` | | the cell's date |",
        "| a number cell in a date column | `44593` | an Excel serial number (time of day "
        "dropped) |",
        "",
        "A date before 1950 or after the data's date is refused with how it was read (`'01-02-30'",
        "er læst som 1930-02-01, før 1950`). **One file uses one convention**: the kinds in the",
        "table count apart, and so do their separators (a date cell counts as `ÅÅÅÅ-MM-DD`). A",
        "file that writes a date otherwise than its first date is refused at the first such",
        "cell, naming both: `elever.csv:3: ansat_dato: datoen '01.03.2022' er skrevet som",
        "DD.MM.ÅÅÅÅ, men filen skriver datoer som ÅÅÅÅ-MM-DD (linje 2, ansat_dato)`. Two",
        "sources pasted together, one writing month first, would otherwise move dates",
        "silently; in a sheet, a date left as text beside date cells is one the spreadsheet",
        "could not read as a Danish date.",
        "",
    ]
    for spec in ALL_FILES:
        lines += [f"## `{spec.name}` — {spec.title}", "", spec.description, "",
                  "| kolonne | type | påkrævet | beskrivelse | eksempel |",
                  "| --- | --- | --- | --- | --- |"]
        for c in spec.columns:
            codes = ""
            if c.codes:
                codes = " Koder: " + ", ".join(f"`{k}` ({v})" for k, v in c.codes.items())
            lines.append(f"| `{c.name}` | {KIND_TEXT[c.kind]} | {'ja' if c.required else 'nej'}"
                         f" | {c.description}{codes} | `{c.example}` |")
        lines.append("")
    lines += [
        "## Regler på tværs af filer",
        "",
        "- (`elev_id`, `uddannelse`) identificerer en elev og må kun stå én gang i `elever`,",
        "  `gennemfoerte`, `frafald` og `efter_uddannelse`; i `sygefravaer` én gang pr. måned.",
        "- Rækker i de andre filer skal høre til en elev i `elever`.",
        "- En elev kan ikke både have gennemført og være faldet fra.",
        "- Frafald og afslutning kan ikke ligge før ansættelsen; ingen dato i fremtiden.",
        "- Sygefraværsmåneder skal ligge inden for ansættelsen (ansat_dato til afslutning,",
        "  frafald eller i dag).",
        "- `efter_uddannelse` kun for elever i `gennemfoerte`; `arbejdssted` skal udfyldes ved ja.",
        "- `rekruttering = ssh` og årsagen `skift_ssa_ssh` gælder kun SSA-elever.",
        "- `indsatser`: `maal_id` skal være et id i målfilen (`SOSU_MAAL`); samme indsats og mål",
        "  må kun stå én gang.",
        "- Intet CPR-nummer i nogen celle i nogen fil, uanset hvordan det er skrevet: seks",
        "  cifre, hvor de fire første er en mulig dag og måned (DDMM), evt. en bindestreg,",
        "  tankestreg, skråstreg, punktum eller et mellemrum, og fire cifre; også med",
        "  fuldbredde- eller andre Unicode-cifre, med bogstaver lige foran (`CPR010190-1234`)",
        "  eller midt i en tekst. Ti cifre midt i et længere tal er ikke et CPR-nummer.",
        "  Desuden afvises et `elev_id` på ti cifre, der begynder med en gyldig dato, og på ni",
        "  cifre, når et foranstillet 0 giver en gyldig dato (Excel fjerner nullet i et",
        "  CPR-nummer skrevet som tal). Nummeret gentages aldrig i fejlbeskeden. Eksporterer",
        "  jeres system CPR-numre, så erstat dem først med faste pseudonymer:",
        "  `sosu pseudonymize MAPPE NY_MAPPE --key-file STI` (se README, Pseudonymisering).",
        "- Et CPR-nummer i et fil- eller arknavn gemmes og vises aldrig: navnet gemmes med",
        "  nummeret skiftet ud med `XXXXXX-XXXX`, og filen indlæses som ellers.",
        "",
        "Every problem is reported as `fil:linje: kolonne: besked` (the header is line 1,",
        "or the line it stands on below a title).",
        "",
        "## Fuldstændighed",
        "",
        "What the files leave out is counted per year, and the education team sees it on the",
        "Data page and beside the figures it concerns (other roles: see docs/privacy.md):",
        "",
        "- frafald uden en bestemt årsag (`andet` eller tom) og uden fase, pr. frafaldsår;",
        "- gennemførte uden en række i `efter_uddannelse`, pr. årgang;",
        "- ansættelsesmåneder uden en række i `sygefravaer`, pr. kalenderår, fra",
        "  ansættelsesmåneden til afslutning, frafald eller data-datoen, dog højst til den",
        "  nyeste måned, sygefraværsfilen når (senere måneder er ikke indberettet endnu).",
        "",
    ]
    lines += profile_markdown()
    return "\n".join(lines)


if __name__ == "__main__":
    print(contract_markdown(), end="")
