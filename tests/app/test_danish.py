"""Danish everywhere a user looks (issue #23): every table on every page, for every role,
has Danish headers (never a code name such as `ansat_efter`) and shows numbers, shares
and dates in Danish formats (46,7 · 5.233 · 8,8 % · 01-02-2024), never 46.7 or 5233.

AppTest reads what st.dataframe sends the browser: the headers from the column
configuration and the cells from the display values (ui.dataframe's pandas Styler)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from sosu.domain import labels
from sosu.domain.contract import ALL_FILES
from tests.app.helpers import APP, PAGES, TEAM_ONLY_PAGES, add_user, log_in, open_tables
from tests.support import sweep

CODE_NAMES = set(labels.COLUMNS) | {c.name for spec in ALL_FILES for c in spec.columns}
ENGLISH = [
    (re.compile(r"-?\d+\.\d{1,2}( ?%)?"), "decimalpunktum"),
    (re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?"), "tusindtalskomma"),
    (re.compile(r"-?\d{4,}"), "tal uden tusindtalspunktum"),
    (re.compile(r".*\d%.*"), "procent uden mellemrum"),
    (re.compile(r"\d{4}-\d{2}-\d{2}.*"), "ISO-dato"),
    (re.compile(r".*\b(January|February|March|May|June|July|October|True|False|nan|NaN)\b.*"),
     "engelsk ord"),
]


def headers(element: Any) -> dict[str, str]:
    """Column name → the header the browser shows."""
    config = json.loads(element.proto.columns or "{}")
    return {str(c): (config.get(str(c), {}).get("label") or str(c))
            for c in element.value.columns}


def cells(element: Any) -> pd.DataFrame:
    """The cells as the browser shows them: the Styler's display values when given."""
    raw = element.proto.arrow_data.styler.display_values
    if not raw:
        return element.value.astype(str)
    return pa.ipc.open_stream(raw).read_pandas()


def problems(element: Any) -> list[str]:
    found = []
    shown = headers(element)
    for header in shown.values():
        if header in CODE_NAMES or "_" in header:
            found.append(f"overskrift {header!r} er et kodenavn")
    values = cells(element)
    for column in values.columns:
        # Years are 2024 (also a period "2024"), and the contract's examples show how a
        # file writes a value.
        if str(column) in labels.YEARS | {"periode", "eksempel"}:
            continue
        for value in values[column].astype(str).head(200):
            for pattern, what in ENGLISH:
                if pattern.fullmatch(value):
                    found.append(f"{shown.get(str(column), column)}: {value!r} ({what})")
                    break
    return found


def every_table(at: AppTest, team: bool) -> dict[str, list[str]]:
    """Every page, with its toggles on and its tables open: the problems per page."""
    result: dict[str, list[str]] = {}
    at.run()
    for page in PAGES:
        if page in TEAM_ONLY_PAGES and not team:
            continue  # not in their navigation (tests/test_roles.py)
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        for toggle in at.toggle:
            if not toggle.value:
                toggle.set_value(True)
        open_tables(at.run())
        found = [p for element in at.dataframe for p in problems(element)]
        assert at.dataframe or page.endswith(("overblik.py", "tidlig_opsporing.py")), page
        if found:
            result[page] = sorted(set(found))
    return result


@pytest.mark.parametrize("role", sweep(["leder", "uddannelse", "kvalitetsforum"]))
def test_no_table_shows_a_code_name_or_an_english_number(
        demo_db: Path, monkeypatch: pytest.MonkeyPatch, role: str) -> None:
    monkeypatch.setenv("SOSU_DB", str(demo_db))
    add_user(f"test-{role}", role, ("Døgnplejen Nord",) if role == "leder" else ())
    at = log_in(AppTest.from_file(str(APP), default_timeout=120), f"test-{role}")
    assert every_table(at, role == "uddannelse") == {}


@pytest.mark.parametrize(("column", "value", "shown"), [
    ("Sygefravær seneste 3 mdr. (%)", 46.7, "46,7"),
    ("rækker", 5233, "5.233"),
    ("andel", 0.088, "8,8 %"),
    ("frafald_nedre", 0.05, "5,0 %"),
    ("aargang", 2024, "2024"),
    ("ansat_dato", dt.date(2024, 2, 1), "01-02-2024"),
    ("maaned", pd.Timestamp(2024, 2, 1), "februar 2024"),
    ("syge_timer", float("nan"), "–"),
    ("afsluttet", True, "ja"),
])
def test_cells_in_danish(column: str, value: object, shown: str) -> None:
    assert labels.cell(column, value) == shown


def test_a_column_keeps_its_decimals() -> None:
    assert labels.cell("Sygefravær seneste 3 mdr. (%)", 100.0, decimals=1) == "100,0"


def test_headers_come_from_one_place() -> None:
    assert labels.header("ansat_efter") == "Ansat efter endt uddannelse"
    assert labels.header("frafald_oevre") == "Frafald, 95 %-interval, øvre"
    assert labels.header("Pseudonym") == "Pseudonym"
    # every column of the data contract has a Danish header
    assert all(labels.header(c.name) != c.name for spec in ALL_FILES for c in spec.columns)
