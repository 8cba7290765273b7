"""Dates as Danish spreadsheets write them: DD-MM-ÅÅ gets the century nearest before the
data's date, a date before 1950 is refused saying how it was read, and ÅÅÅÅ-MM-DD needs
its four digits (strptime alone reads '01-02-21' as the year 1)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from sosu.domain.contract import Column
from sosu.etl.load import check_folder, load_folder
from sosu.etl.problems import ValidationFailed
from sosu.etl.validate import parse_expression
from sosu.metrics.kpi import kpi
from sosu.store.db import connect_read_only

TODAY = dt.date(2026, 11, 22)
MINIMAL = Path(__file__).parents[1] / "data" / "minimal"
ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?=[,;\n])")


def _read(text: str, today: dt.date = TODAY) -> dt.date | None:
    expression = parse_expression(Column("v", "date", "", ""), today)
    return duckdb.execute(f"SELECT {expression} FROM (SELECT ? AS v)", [text]).fetchone()[0]


@pytest.mark.parametrize(("text", "read_as"), [
    ("01-02-21", dt.date(2021, 2, 1)),
    ("1.2.21", dt.date(2021, 2, 1)),
    ("01/02/99", dt.date(1999, 2, 1)),
    ("22-11-26", dt.date(2026, 11, 22)),  # the data's own date: this century
    ("23-11-26", dt.date(1926, 11, 23)),  # one day later would lie in the future
    ("2021-02-01", dt.date(2021, 2, 1)),
    ("01-02-2021", dt.date(2021, 2, 1)),
    ("0021-02-01", dt.date(21, 2, 1)),  # four digits: read as written, then refused
    ("21-02-01", dt.date(2001, 2, 21)),  # never ISO with a two-digit year
    ("31-02-21", None),
    ("1-2-3-4", None),
])
def test_how_a_date_is_read(text: str, read_as: dt.date | None) -> None:
    assert _read(text) == read_as


def _copy(tmp_path: Path, convert: bool) -> Path:
    folder = tmp_path / ("short" if convert else "iso")
    shutil.copytree(MINIMAL, folder)
    for path in folder.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        if convert:
            text = ISO.sub(lambda m: f"{m[3]}-{m[2]}-{m[1][2:]}", text)
        path.write_text(text, encoding="utf-8")
    return folder


def test_short_dates_load_to_the_same_figures_as_iso(tmp_path: Path) -> None:
    short = _copy(tmp_path, convert=True)
    assert "01-02-22" in (short / "elever.csv").read_text(encoding="utf-8")
    figures = []
    for folder in (_copy(tmp_path, convert=False), short):
        db = tmp_path / f"{folder.name}.duckdb"
        load_folder(folder, db, today=TODAY)
        con = connect_read_only(db)
        try:
            figures.append(kpi(con))
        finally:
            con.close()
    assert figures[0] == figures[1]


@pytest.mark.parametrize(("written", "words"), [
    ("01-02-30", ["ansat_dato:", "'01-02-30' er læst som 1930-02-01, før 1950"]),
    ("0022-02-01", ["ansat_dato:", "'0022-02-01' er læst som 0022-02-01, før 1950"]),
    ("2027-02-01", ["ansat_dato:", "ligger i fremtiden (læst som 2027-02-01)"]),
])
def test_an_impossible_year_is_refused_saying_how_it_was_read(
        tmp_path: Path, written: str, words: list[str]) -> None:
    folder = _copy(tmp_path, convert=False)
    elever = folder / "elever.csv"
    elever.write_text(elever.read_text(encoding="utf-8").replace("2022-02-01", written, 1),
                      encoding="utf-8")
    with pytest.raises(ValidationFailed) as refused:
        check_folder(folder, today=TODAY)
    report = "\n".join(refused.value.report())
    assert "elever.csv:2:" in report and all(word in report for word in words), report
