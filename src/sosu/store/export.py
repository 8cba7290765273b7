"""Every CSV and Excel file users download is made here, safe to open in Excel.

A text cell that starts with = + - @ (in any width, after any invisible or space
character), a tab or a carriage return is a formula to Excel (CSV/formula injection):
a login name typed on the login page reaches the audit log and from there the
education team's spreadsheet. As OWASP recommends,
such text gets a leading apostrophe, and in .xlsx files every text cell is written
as text, so openpyxl never makes it a formula. Numbers stay numbers, negative ones
too. Pure: no Streamlit, so the templates, pages and tests share it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import unicodedata
from typing import Any

import pandas as pd

from sosu.domain.cpr import OOXML_ESCAPE

CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The characters that start a formula. A text's first visible character counts, read as
# NFKC reads it (full-width ＝, small ﹦ and the like are = to some spreadsheets), after
# any spaces, line or paragraph separators, control and format characters (NBSP, zero-
# width space, byte order mark, vertical tab …), which a spreadsheet may skip.
_FORMULA_STARTS = frozenset("=+-@")
_SKIPPED = frozenset(("Zs", "Zl", "Zp", "Cc", "Cf"))
# A number already formatted as Danish text ("-3", "-1.234,5", "-2,0 pp", "-4 %") is
# harmless and stays readable without an apostrophe.
_DANISH_NUMBER = re.compile(
    r"-[0-9]{1,3}(\.[0-9]{3})*(,[0-9]+)?( ?(%|pp))?|-[0-9]+(,[0-9]+)?( ?(%|pp))?")


def _starts_formula(value: str) -> bool:
    for char in value:
        if char in "\t\r\n":
            return True
        if unicodedata.category(char) in _SKIPPED:
            continue
        return unicodedata.normalize("NFKC", char)[:1] in _FORMULA_STARTS
    return False


def safe_text(value: str) -> str:
    """The text as it is, or with a leading apostrophe when a spreadsheet would read a
    formula."""
    if _starts_formula(value) and not _DANISH_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _safe_cell(value: Any) -> Any:
    """Text neutralised; numbers, dates and booleans as they are; missing as empty."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, (bool, int, float, dt.date, dt.datetime, dt.time)):
        return value
    if hasattr(value, "item"):  # numpy scalars: their Python number
        return _safe_cell(value.item())
    return safe_text(str(value))


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy in which every text cell and every column name is neutralised."""
    result = pd.DataFrame(
        {i: frame.iloc[:, i].map(_safe_cell, na_action=None)
         if not pd.api.types.is_numeric_dtype(frame.iloc[:, i].dtype)
         or pd.api.types.is_bool_dtype(frame.iloc[:, i].dtype)
         else frame.iloc[:, i]
         for i in range(frame.shape[1])},
        index=frame.index)
    result.columns = [safe_text(str(c)) for c in frame.columns]
    return result


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """Semicolon separated with decimal comma and BOM: Danish Excel opens it as it is.

    Lines end in CRLF, as Excel's own CSV files. Every field is quoted (as OWASP
    recommends): a spreadsheet that splits on commas, not semicolons, must not cut
    `x,=cmd|…` into a harmless field and a formula, and a lone carriage return in a text
    cannot split a row.
    """
    return safe_frame(frame).to_csv(index=False, sep=";", decimal=",", quoting=csv.QUOTE_ALL,
                                    lineterminator="\r\n").encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "data") -> bytes:
    """An .xlsx file in which no cell is a formula: text cells are typed as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(_NOT_IN_XML.sub("", safe_text(sheet))[:31])
    safe = safe_frame(frame)

    def row(values: list[Any]) -> list[WriteOnlyCell]:
        cells = []
        for value in values:
            cell = WriteOnlyCell(worksheet, value=_excel_value(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl types any text starting with = as a formula
            cells.append(cell)
        return cells

    worksheet.append(row(list(safe.columns)))
    for values in safe.itertuples(index=False, name=None):
        worksheet.append(row(list(values)))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# The control characters an .xlsx cannot hold (XML 1.0): openpyxl refuses the whole file
# with the cell's text in its message, so one stray vertical tab in a site name loaded from
# a file made every download of a table holding it fail. Such a character is dropped.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _excel_value(value: Any) -> Any:
    value = _safe_cell(value)
    if isinstance(value, str):
        # A text holding `_x0030_` is shown by Excel as the character it escapes (0):
        # the underscore escaped (`_x005F_`), the text is shown as it is written.
        value = OOXML_ESCAPE.sub(r"_x005F_x\1_", _NOT_IN_XML.sub("", value))
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones
    return value


def download(frame: pd.DataFrame, kind: str) -> bytes:
    """The one way a table becomes a downloaded file: `kind` is "csv" or "xlsx"."""
    if kind == "csv":
        return csv_bytes(frame)
    if kind == "xlsx":
        return xlsx_bytes(frame)
    raise ValueError(f"ukendt filtype {kind!r}")
