"""Every CSV and Excel file users download is made here, safe to open in Excel.

A text cell that starts with = + - @, a tab or a carriage return is a formula to
Excel (CSV/formula injection): a login name typed on the login page reaches the
audit log and from there the education team's spreadsheet. As OWASP recommends,
such text gets a leading apostrophe, and in .xlsx files every text cell is written
as text, so openpyxl never makes it a formula. Numbers stay numbers, negative ones
too. Pure: no Streamlit, so the templates, pages and tests share it.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from typing import Any

import pandas as pd

CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The characters that start a formula, with their full-width forms (Excel reads
# those as formulas in some locales, so they are neutralised as well).
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# A number already formatted as Danish text ("-3", "-1.234,5", "-2,0 pp", "-4 %") is
# harmless and stays readable without an apostrophe.
_DANISH_NUMBER = re.compile(r"^-\d{1,3}(\.\d{3})*(,\d+)?( ?(%|pp))?$|^-\d+(,\d+)?( ?(%|pp))?$")


def safe_text(value: str) -> str:
    """The text as it is, or with a leading apostrophe when Excel would read a formula."""
    if value.startswith(_TRIGGERS) and not _DANISH_NUMBER.match(value):
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

    Lines end in CRLF, as Excel's own CSV files: the csv writer quotes a field holding
    any character of the line end, so a lone carriage return in a text cannot split a row.
    """
    return safe_frame(frame).to_csv(index=False, sep=";", decimal=",",
                                    lineterminator="\r\n").encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "data") -> bytes:
    """An .xlsx file in which no cell is a formula: text cells are typed as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(safe_text(sheet)[:31])
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


def _excel_value(value: Any) -> Any:
    value = _safe_cell(value)
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
