"""Excel workbooks are opened only within limits, so one file cannot starve the server.

An .xlsx file is a zip of XML. A small upload can unpack to gigabytes (a zip bomb),
hold a huge shared-strings table (read whole into memory), or claim a million rows
in its <dimension> that openpyxl would hand out one by one. Before openpyxl sees a
file its zip directory is checked: every member's unpacked size, the workbook's
total and each large member's compression ratio against the limits below. Sheets
are then read streaming (read_only) with their claimed dimension ignored; a sheet
with more rows of content than MAX_ROWS, or more than MAX_EMPTY_RUN empty rows in a
row, is refused (nothing is silently cut off): such files belong in CSV, which has
no limit. The limits are documented in the README (Excel-filer).

An .ods spreadsheet (LibreOffice, OpenOffice, Google Sheets' download) is a zip of
XML too and passes the same zip checks. No streaming reader exists for it: calamine
(a Rust reader) reads one sheet's cells into memory, which the 64 MB limit on its
content.xml bounds (all sheets of an .ods are in that one member). Its rows are then
handed out under the same row limits.
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from sosu.domain.cpr import decode_ooxml_escapes

MB = 1 << 20
MAX_MEMBER_BYTES = 64 * MB  # one sheet's XML: about 200,000 rows of ten columns
MAX_TOTAL_BYTES = 128 * MB  # every member together, unpacked
MAX_SHARED_STRINGS_BYTES = 16 * MB  # read whole into memory by openpyxl

# openpyxl warns with a cell's value ("the serial value 101901234 is outside the limits for
# dates": a CPR number typed into a date cell) on the terminal or the server's log, before
# any rule has seen it. The rules read every value and report it, masked; the warnings
# add nothing.
warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
MAX_RATIO = 100  # ordinary sheets pack 5–20 times; a bomb thousands of times
RATIO_FROM_BYTES = 1 * MB  # small members may pack well without harm
MAX_MEMBERS = 1000
MAX_ROWS = 200_000  # rows with content per sheet
MAX_EMPTY_RUN = 50_000  # empty rows in a row: formatting, or a row claimed far below
WORKBOOK_EXTENSIONS = (".xlsx", ".ods")


def is_workbook(path: Path) -> bool:
    return path.suffix.lower() in WORKBOOK_EXTENSIONS


class WorkbookRefused(Exception):
    """The workbook breaks a limit; the message is Danish and says what to do."""


def _mb(size: int) -> str:
    return f"{size / MB:,.0f}".replace(",", ".")


def what_file(path: Path) -> str:
    """The file's kind as the messages name it."""
    return "regnearket" if path.suffix.lower() == ".ods" else "Excel-filen"


def check_limits(path: Path) -> None:
    """Refuse a workbook whose zip would unpack beyond the limits; read nothing but the
    zip directory. Raises WorkbookRefused, or zipfile.BadZipFile for a damaged file."""
    with zipfile.ZipFile(path) as archive:
        check_members(archive.infolist(), what_file(path))


def check_members(members: list[zipfile.ZipInfo], what: str) -> None:
    """The limits on a zip's parts, from its directory (also a zip inside a workbook,
    etl.workbook_cpr). `what` names the file in the messages. Raises WorkbookRefused."""
    if len(members) > MAX_MEMBERS:
        raise WorkbookRefused(f"{what.capitalize()} består af {len(members)} dele (grænsen "
                              f"er {MAX_MEMBERS}); gem den igen, eller som CSV")
    total = 0
    for member in members:
        _check_member(member, what)
        total += member.file_size
    if total > MAX_TOTAL_BYTES:
        raise WorkbookRefused(
            f"{what.capitalize()} fylder {_mb(total)} MB, når den pakkes ud (grænsen er "
            f"{_mb(MAX_TOTAL_BYTES)} MB). Gem de store ark som CSV, eller slet tomme rækker "
            "og kolonner, der kun har formatering")


def _check_member(member: zipfile.ZipInfo, what: str) -> None:
    limit = (MAX_SHARED_STRINGS_BYTES if member.filename.endswith("sharedStrings.xml")
             else MAX_MEMBER_BYTES)
    if member.file_size > limit:
        file = what
        part = ("tabellen over tekster (sharedStrings)"
                if limit == MAX_SHARED_STRINGS_BYTES else member.filename)
        raise WorkbookRefused(
            f"{file.capitalize()} er for stor, når den pakkes ud: {part} fylder "
            f"{_mb(member.file_size)}"
            f" MB (grænsen er {_mb(limit)} MB). Gem arket som CSV, eller slet tomme rækker "
            "og kolonner, der kun har formatering")
    ratio = member.file_size / max(member.compress_size, 1)
    if member.file_size > RATIO_FROM_BYTES and ratio > MAX_RATIO:
        raise WorkbookRefused(
            f"{what.capitalize()} pakker sig ud til {ratio:,.0f} gange sin størrelse "
            f"({member.filename})"
            f"; en almindelig projektmappe pakker højst {MAX_RATIO} gange, så filen afvises "
            "som mulig zip-bombe. Gem den igen fra Excel, eller som CSV")


def open_workbook(path: Path) -> Any:
    """An openpyxl workbook in streaming (read-only) mode, after the limits are checked."""
    import openpyxl

    check_limits(path)
    return openpyxl.load_workbook(path, read_only=True, data_only=True)


def sheet_names(path: Path) -> list[str]:
    """The sheets of an .xlsx or .ods workbook, after the limits are checked."""
    if path.suffix.lower() == ".ods":
        check_limits(path)
        book = CalamineWorkbook.from_path(str(path))
        try:
            return list(book.sheet_names)
        finally:
            book.close()
    book = open_workbook(path)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def sheet_rows(path: Path, sheet: str | None) -> Iterator[tuple[int, tuple[object, ...]]]:
    """(line number, values) of every row with content of a sheet (None: the first), in
    either format, under the limits."""
    if path.suffix.lower() == ".ods":
        check_limits(path)
        book = CalamineWorkbook.from_path(str(path))
        try:
            found = book.get_sheet_by_name(sheet) if sheet else book.get_sheet_by_index(0)
            # Kept from A1 (skip_empty_area=False), so a row's place is its line number.
            rows = found.to_python(skip_empty_area=False)
        finally:
            book.close()
        yield from _with_content(tuple(row) for row in rows)
        return
    book = open_workbook(path)
    try:
        yield from content_rows(book[sheet] if sheet else book.worksheets[0])
    finally:
        book.close()


def content_rows(sheet: Any) -> Iterator[tuple[int, tuple[object, ...]]]:
    """(line number, values) of every row with content, at most MAX_ROWS of them.

    The sheet's claimed <dimension> is ignored: openpyxl would otherwise make up an
    empty row for every claimed one (a million of them, each as wide as claimed). Text is
    read as a spreadsheet shows it: openpyxl keeps Office Open XML's `_x0030_` escapes as
    written, which Excel, LibreOffice and calamine show as the character (0)."""
    sheet.reset_dimensions()
    yield from _with_content(
        tuple(decode_ooxml_escapes(value) if isinstance(value, str) else value
              for value in values)
        for values in sheet.iter_rows(values_only=True))


def _with_content(rows: Iterable[tuple[object, ...]]
                  ) -> Iterator[tuple[int, tuple[object, ...]]]:
    found, last = 0, 0
    for number, values in enumerate(rows, start=1):
        if not any(v not in (None, "") for v in values):
            if number - last > MAX_EMPTY_RUN:
                raise WorkbookRefused(
                    f"arket har over {_count(MAX_EMPTY_RUN)} tomme rækker i træk efter række "
                    f"{last}; slet de tomme rækker (de har formatering eller står langt "
                    "nede), eller gem arket som CSV")
            continue
        found, last = found + 1, number
        if found > MAX_ROWS:
            raise WorkbookRefused(f"arket har mere end {_count(MAX_ROWS)} rækker med indhold; "
                                  "gem det som CSV, som ingen grænse har")
        yield number, tuple(values)


def _count(value: int) -> str:
    return f"{value:,}".replace(",", ".")
