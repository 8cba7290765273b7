"""Downloads are safe to open in Excel: no text cell becomes a formula (CSV injection)."""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from sosu.domain.contract import ALL_FILES
from sosu.etl.templates import template_csv
from sosu.store import export
from tests.support import ROOT

ATTACKS = ["=HYPERLINK(\"http://x.invalid\",\"klik\")", "+1+cmd|' /C calc'!A0",
           "-2+3", "@SUM(A1:A2)", "\tTAB", "\rCR", "＝1+1"]


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "bruger": ATTACKS,
        "antal": [-3, 0, 4, 5, -1, 2, 7],
        "andel": [-0.25, 0.5, 0.1, 0.0, 1.0, -1.5, 0.3],
        "tekst": ["=1+1", "almindelig", "-4", "-1.234,5 %", None, "Ærø", "@"],
    })


def _download_calls() -> list[tuple[Path, ast.Call]]:
    """Every download button the pages draw: `downloads.button(...)`, the one place that
    calls Streamlit's download_button (app/downloads.py, which it must be)."""
    calls = []
    for path in sorted((ROOT / "src" / "sosu" / "app").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        direct = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
                  and isinstance(node.func, ast.Attribute)
                  and node.func.attr == "download_button"]
        assert not direct or path.name == "downloads.py", f"{path.name}: use downloads.button"
        calls += [(path, node) for node in ast.walk(tree) if isinstance(node, ast.Call)
                  and ast.unparse(node.func) == "downloads.button"]
    return calls


def _argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    if len(call.args) > position:
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == name), None)


def _calls_export(function: ast.FunctionDef) -> bool:
    return any(isinstance(node, ast.Call) and ast.unparse(node.func) == "export.download"
               for node in ast.walk(function))


def _through_export(data: ast.expr, module: ast.Module) -> bool:
    """`export.download(...)`, or `partial(export.download, ...)` made when clicked, possibly
    `guarded(...)` (checked again at the click), or `partial(f, ...)` of a function of the
    same module that makes the file with export.download."""
    if ast.unparse(data) == "template_workbook":
        # The Excel template (made when clicked) needs drop-down lists export cannot make;
        # its every text cell goes through export.safe_text
        # (test_the_excel_template_neutralises_every_text).
        return True
    if not isinstance(data, ast.Call):
        return False
    if isinstance(data.func, ast.Name) and data.func.id == "guarded" and data.args:
        return _through_export(data.args[0], module)
    target = data.args[0] if (isinstance(data.func, ast.Name) and data.func.id == "partial"
                              and data.args) else data.func
    if ast.unparse(target) == "export.download":
        return True
    local = [node for node in module.body if isinstance(node, ast.FunctionDef)
             and isinstance(target, ast.Name) and node.name == target.id]
    return bool(local) and _calls_export(local[0])


def test_every_download_button_goes_through_export() -> None:
    calls = _download_calls()
    assert len(calls) >= 4  # the table CSV/Excel, the templates, the quarterly report
    for path, call in calls:
        data, mime = _argument(call, 1, "data"), _argument(call, 3, "mime")
        assert data is not None, f"{path.name}:{call.lineno}"
        if mime is not None and ast.unparse(mime) == "'application/pdf'":
            continue  # the PDF report: its text is escaped in report.pdf (test_report)
        assert _through_export(data, ast.parse(path.read_text(encoding="utf-8"))), (
            f"{path.name}:{call.lineno}: download_button must get its file from "
            f"export.download, got {ast.unparse(data)}")


def test_no_csv_or_excel_is_written_outside_export() -> None:
    """Every CSV/XLSX users get comes from sosu.store.export (the pseudonymised files are
    input for `sosu load`, written by the csv module, and are not downloads)."""
    for path in sorted((ROOT / "src" / "sosu").rglob("*.py")):
        if path.name == "export.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert ".to_csv(" not in text and ".to_excel(" not in text, path.name


def test_xlsx_has_no_formula_and_numbers_stay_numbers() -> None:
    book = openpyxl.load_workbook(io.BytesIO(export.download(_frame(), "xlsx")))
    sheet = book.worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert cells and all(cell.data_type != "f" for cell in cells)
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("bruger", "antal", "andel", "tekst")
    # XML reads a carriage return back as a line feed.
    assert [r[0] for r in rows[1:]] == ["'" + a.replace("\r", "\n") for a in ATTACKS]
    assert [r[1] for r in rows[1:]] == [-3, 0, 4, 5, -1, 2, 7]
    assert rows[1][2] == -0.25 and isinstance(rows[1][2], float)
    # Danish numbers as text stay readable; a lone formula character is neutralised.
    assert [r[3] for r in rows[1:]] == ["'=1+1", "almindelig", "-4", "-1.234,5 %", None,
                                        "Ærø", "'@"]


def test_xlsx_column_names_are_neutralised_too() -> None:
    frame = pd.DataFrame({"=cmd|' /C calc'!A0": ["x"]})
    book = openpyxl.load_workbook(io.BytesIO(export.download(frame, "xlsx")))
    header = book.worksheets[0]["A1"]
    assert header.data_type != "f" and header.value == "'=cmd|' /C calc'!A0"


def test_csv_cells_that_excel_would_run_start_with_an_apostrophe() -> None:
    text = export.download(_frame(), "csv").decode("utf-8-sig")
    rows = list(pd.read_csv(io.StringIO(text), sep=";", dtype=str, keep_default_na=False)
                .itertuples(index=False, name=None))
    assert [r[0] for r in rows] == ["'" + a for a in ATTACKS]
    assert [r[1] for r in rows] == ["-3", "0", "4", "5", "-1", "2", "7"]
    assert rows[0][2] == "-0,25"  # a negative number is a number, not neutralised
    assert [r[3] for r in rows] == ["'=1+1", "almindelig", "-4", "-1.234,5 %", "", "Ærø", "'@"]
    for line in text.splitlines()[1:]:
        first = line.lstrip('"')
        assert not first.startswith(("=", "+", "@", "\t", "\r")), line


def test_csv_keeps_a_carriage_return_inside_its_cell() -> None:
    text = export.download(pd.DataFrame({"a": ["x\ry", "z;w"], "b": [1, 2]}), "csv")
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows == [["a", "b"], ["x\ry", "1"], ["z;w", "2"]]


@pytest.mark.parametrize("value", [
    "=1", "+1", "-x", "@x", "\t=1", "\r=1", "\uff1d1",
    # small forms (﹦ ﹢ ﹣), and = behind what a spreadsheet may skip: no-break, zero-
    # width and ideographic space, byte order mark, line separator, vertical tab, form feed
    "\ufe661", "\ufe62x", "\ufe63x", "\u00a0=1", "\u200b=1", "\ufeff=1", "\u3000=1",
    "\u2028=1", "\x0b=1", "\x0c=1", " =1", "\u00a0\u200b+1",
    # a Danish number's shape with a line end or other digits is not a Danish number
    "-3\n", "-\u0663", "-1.234,5 %\n=1"])
def test_safe_text(value: str) -> None:
    assert export.safe_text(value) == "'" + value


@pytest.mark.parametrize("value", ["Døgnplejen", "-3", "-1.234", "-2,5 pp", "-4 %", "", "a=b",
                                   " Døgnplejen", "\u00a0x=1"])
def test_safe_text_leaves_harmless_text(value: str) -> None:
    assert export.safe_text(value) == value


def test_audit_log_download_neutralises_a_typed_login_name(tmp_path: Path) -> None:
    """The reported path: a name typed on the login page, logged, then downloaded."""
    from sosu.store import audit

    log = tmp_path / "log.jsonl"
    audit.record(log, "login_afvist", '=HYPERLINK("http://x.invalid","klik")')
    frame = pd.DataFrame(audit.latest(log))
    book = openpyxl.load_workbook(io.BytesIO(export.download(frame, "xlsx")))
    cells = [c for row in book.worksheets[0].iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert "'=HYPERLINK(\"http://x.invalid\",\"klik\")" in [c.value for c in cells]


def test_templates_go_through_export() -> None:
    for spec in ALL_FILES:
        text = template_csv(spec).decode("utf-8-sig")
        header, example = csv.reader(io.StringIO(text, newline=""), delimiter=";")
        assert header == list(spec.column_names)
        assert example == [export.safe_text(c.example) for c in spec.columns]


def test_every_csv_field_is_quoted_so_a_comma_cannot_split_off_a_formula() -> None:
    """A spreadsheet that splits on commas (another locale, or an import set so) read
    `x,=cmd|…` as `x` and a formula: every field is quoted, so none is cut."""
    attack = "x,=cmd|' /C calc'!A0"
    text = export.download(pd.DataFrame({"bruger": [attack], "antal": [2]}), "csv")
    lines = text.decode("utf-8-sig").splitlines()
    assert lines == ['"bruger";"antal"', f'"{attack}";"2"']
    for separator in (",", ";", "\t", "|"):
        fields = next(csv.reader([lines[1]], delimiter=separator))
        assert not any(f.startswith(("=", "+", "-", "@")) for f in fields), separator


def test_streamlits_own_table_export_is_off_wherever_the_dashboard_runs() -> None:
    """st.dataframe's toolbar has its own "Download as CSV", made in the browser from the
    cells shown: not through store.export (a typed name such as '=HYPERLINK(…)' in the
    audit log would reach Excel as a formula), not logged, not checked again when clicked.
    The served options switch it off; every download is one of the pages' buttons."""
    import tomllib

    from streamlit import config

    from sosu.cli.serve import STREAMLIT_OPTIONS

    assert "client.disableDataExport" in config.get_config_options()  # installed Streamlit
    assert STREAMLIT_OPTIONS["client.disableDataExport"] == "true"
    repository = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    assert repository["client"]["disableDataExport"] is True


def test_xlsx_drops_control_characters_a_workbook_cannot_hold() -> None:
    """A vertical tab in a site name loaded from a file made every Excel download of a
    table holding it fail (openpyxl refuses the cell, its text in the message)."""
    frame = pd.DataFrame({"sted\x0b": ["Døgnplejen\x0b", "A\x00B\x1fC", "tab\tog\nlinje"],
                          "antal": [1, 2, 3]})
    book = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(frame, sheet="ark\x0c")))
    sheet = book.active
    assert sheet.title == "ark"
    assert [c.value for c in sheet[1]] == ["sted", "antal"]
    assert [sheet.cell(row=r, column=1).value for r in (2, 3, 4)] == [
        "Døgnplejen", "ABC", "tab\tog\nlinje"]


def test_xlsx_shows_an_escape_like_text_as_it_is_written() -> None:
    """Excel shows `_x0030_` in a text as 0: a text holding it (loaded from a CSV file)
    is written with its underscore escaped, and reads back as written."""
    from sosu.domain.cpr import decode_ooxml_escapes

    written = ["Sted _x0030__x0031_", "a_x005F_b", "_x00e6_ og _xFFFF_"]
    book = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(pd.DataFrame({"_x0041_": written}))))
    sheet = book.active
    raw = [sheet.cell(row=r, column=1).value for r in range(1, 5)]
    assert [decode_ooxml_escapes(value) for value in raw] == ["_x0041_", *written]
