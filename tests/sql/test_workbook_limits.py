"""Malicious or oversized .xlsx files are refused with a Danish message, in bounded work.

The files are built for real with zipfile: a sheet of repeated bytes that packs
1000:1, a shared-strings table that would fill memory, a dimension claiming
1,048,576 rows. Work is measured in rows handed out and memory, never in seconds.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from sosu.domain.contract import FILES_BY_NAME
from sosu.etl import workbook
from sosu.etl.load import check_folder
from sosu.etl.problems import ValidationFailed
from tests.support import MINIMAL, ROOT

SHEET = "xl/worksheets/sheet1.xml"
SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns='
              '"http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def _elever_xlsx(path: Path) -> Path:
    """A real workbook (openpyxl) with the header and first row of the fixture's elever."""
    lines = (MINIMAL / "elever.csv").read_text(encoding="utf-8-sig").splitlines()
    book = openpyxl.Workbook()
    sheet = book.active
    for line in lines[:2]:
        sheet.append(line.split(";") if ";" in line else line.split(","))
    book.save(path)
    return path


def _rewrite(path: Path, member: str, write: object) -> None:
    """Replace one member of the zip; `write(handle)` streams its new content."""
    original = path.with_suffix(".orig")
    shutil.move(path, original)
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(
            path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename == member:
                continue
            target.writestr(item, source.read(item.filename))
        with target.open(member, "w", force_zip64=True) as handle:
            write(handle)  # type: ignore[operator]
    original.unlink()


def _folder_with(tmp_path: Path, name: str = "elever") -> tuple[Path, Path]:
    folder = tmp_path / "data"
    shutil.copytree(MINIMAL, folder)
    (folder / f"{name}.csv").unlink()
    return folder, _elever_xlsx(folder / f"{name}.xlsx")


def _problems(folder: Path) -> list[str]:
    with pytest.raises(ValidationFailed) as refused:
        check_folder(folder)
    return [f"{p.file}: {p.message}" for p in refused.value.problems]


def _repeated(chunk: bytes, total: int):  # noqa: ANN202 - a writer for _rewrite
    def write(handle: object) -> None:
        block = chunk * ((1 << 20) // len(chunk) or 1)
        written = 0
        while written < total:
            handle.write(block)  # type: ignore[attr-defined]
            written += len(block)
    return write


def test_zip_bomb_sheet_is_refused_before_it_is_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, book = _folder_with(tmp_path)
    # 40 MB of one repeated row: within the size limit, but packed about 1000:1.
    _rewrite(book, SHEET, _repeated(b"<row><c><v>1</v></c></row>", 40 << 20))
    member = zipfile.ZipFile(book).getinfo(SHEET)
    assert member.file_size / member.compress_size > 300 and book.stat().st_size < 200_000

    def never(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("openpyxl must not open a refused workbook")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    problems = _problems(folder)
    assert any("elever.xlsx" in p and "zip-bombe" in p and "gange" in p for p in problems), \
        problems


def test_sheet_too_large_unpacked_is_refused(tmp_path: Path) -> None:
    folder, book = _folder_with(tmp_path)
    size = workbook.MAX_MEMBER_BYTES + (1 << 20)
    _rewrite(book, SHEET, _repeated(b"<row><c><v>1</v></c></row>", size))
    problems = _problems(folder)
    assert any("for stor, når den pakkes ud" in p and "Gem arket som CSV" in p
               for p in problems), problems


def test_huge_shared_strings_table_is_refused(tmp_path: Path) -> None:
    folder, book = _folder_with(tmp_path)
    size = workbook.MAX_SHARED_STRINGS_BYTES + (1 << 20)

    def write(handle: object) -> None:
        handle.write(b'<sst xmlns="http://schemas.openxmlformats.org/'  # type: ignore[attr-defined]
                     b'spreadsheetml/2006/main">')
        _repeated(b"<si><t>abcdefgh</t></si>", size)(handle)
        handle.write(b"</sst>")  # type: ignore[attr-defined]

    _rewrite(book, "xl/sharedStrings.xml", write)
    problems = _problems(folder)
    assert any("sharedStrings" in p and "MB" in p for p in problems), problems


def test_a_workbook_not_named_like_a_file_is_checked_too(tmp_path: Path) -> None:
    """A five-sheet workbook (any name) goes through the same limits as elever.xlsx."""
    folder, book = _folder_with(tmp_path)
    book = book.rename(folder / "samlet.xlsx")
    _rewrite(book, SHEET, _repeated(b"<row><c><v>1</v></c></row>", 40 << 20))
    problems = _problems(folder)
    assert any("samlet.xlsx" in p and "zip-bombe" in p for p in problems), problems


def _count_handed_out(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Rows and cells openpyxl hands to the reader: the work a sheet causes."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    counted = {"rows": 0, "cells": 0}
    real = ReadOnlyWorksheet.iter_rows

    def counting(self: object, *args: object, **kwargs: object):  # noqa: ANN202
        for row in real(self, *args, **kwargs):  # type: ignore[arg-type]
            counted["rows"] += 1
            counted["cells"] += len(row)
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "iter_rows", counting)
    return counted


def _patch_sheet(book: Path, change: object) -> None:
    with zipfile.ZipFile(book) as archive:
        xml = archive.read(SHEET).decode("utf-8")
    patched = change(xml)  # type: ignore[operator]
    _rewrite(book, SHEET, lambda handle: handle.write(patched.encode("utf-8")))


def _claim(xml: str, ref: str) -> str:
    start = xml.index("<dimension")
    end = xml.index("/>", start) + 2
    return xml[:start] + f'<dimension ref="{ref}"/>' + xml[end:]


def test_a_claimed_million_rows_and_columns_are_not_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sheet claims A1:XFD1048576 and has 3,000 empty rows (formatting): openpyxl
    would make every row 16,384 cells wide, 49 million cells in all."""
    folder, book = _folder_with(tmp_path)
    empty = "".join(f'<row r="{n}"/>' for n in range(3, 3003))
    _patch_sheet(book, lambda xml: _claim(xml, "A1:XFD1048576").replace(
        "</sheetData>", empty + "</sheetData>"))
    counted = _count_handed_out(monkeypatch)
    problems = _problems(folder)  # the fixture's other students are missing: refused
    assert counted["cells"] < 10_000, counted
    assert not any("elever.xlsx" in p and "Excel" in p for p in problems), problems


def test_rows_far_below_the_data_are_refused_in_bounded_work(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A row at 1,048,576 (or a million rows with only formatting): refused after
    MAX_EMPTY_RUN empty rows, not after a million."""
    folder, book = _folder_with(tmp_path)
    far = '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    _patch_sheet(book, lambda xml: xml.replace("</sheetData>", far + "</sheetData>"))
    counted = _count_handed_out(monkeypatch)
    problems = _problems(folder)
    assert counted["rows"] <= workbook.MAX_EMPTY_RUN + 10, counted
    assert any("elever.xlsx" in p and "tomme rækker i træk" in p for p in problems), problems


def test_more_content_rows_than_the_limit_are_refused(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workbook, "MAX_ROWS", 1)
    folder, _book = _folder_with(tmp_path)
    problems = _problems(folder)
    assert any("mere end 1 rækker med indhold" in p and "CSV" in p for p in problems), problems


def test_an_ordinary_workbook_still_loads(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(MINIMAL, folder)
    spec = FILES_BY_NAME["elever"]
    lines = (folder / "elever.csv").read_text(encoding="utf-8-sig").splitlines()
    book = openpyxl.Workbook()
    for line in lines:
        book.active.append(line.split(";") if ";" in line else line.split(","))
    (folder / "elever.csv").unlink()
    book.save(folder / "elever.xlsx")
    counts = check_folder(folder)
    assert counts[spec.name] == len(lines) - 1


_MEMORY_PROBE = """
import json, resource, sys
from pathlib import Path
from sosu.etl.load import check_folder
from sosu.etl.problems import ValidationFailed
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    check_folder(Path(sys.argv[1]))
    messages = []
except ValidationFailed as error:
    messages = [p.message for p in error.problems]
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"growth_kb": after - before, "messages": messages[:20]}))
"""


def test_memory_stays_bounded_for_a_shared_strings_bomb(tmp_path: Path) -> None:
    """Run in a fresh process, so its peak memory is this file's alone. 48 MB of
    distinct shared strings (two million texts), which openpyxl would read whole."""
    folder, book = _folder_with(tmp_path)

    def write(handle: object) -> None:
        handle.write(b'<sst xmlns="http://schemas.openxmlformats.org/'  # type: ignore[attr-defined]
                     b'spreadsheetml/2006/main">')
        for start in range(0, 2_000_000, 100_000):
            handle.write("".join(f"<si><t>tekst{n:09d}</t></si>"  # type: ignore[attr-defined]
                                 for n in range(start, start + 100_000)).encode("ascii"))
        handle.write(b"</sst>")  # type: ignore[attr-defined]

    _rewrite(book, "xl/sharedStrings.xml", write)
    done = subprocess.run([sys.executable, "-c", _MEMORY_PROBE, str(folder)], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["growth_kb"] < 64 * 1024, result["growth_kb"]
    assert any("sharedStrings" in m for m in result["messages"]), result["messages"][:3]
