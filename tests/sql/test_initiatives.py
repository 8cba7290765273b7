"""Initiatives (indsatser): the optional sixth file and its rules (the markers:
tests/unit/test_initiative_markers.py; the pages: tests/app/test_initiatives.py).

Fixture: tests/data/minimal plus tests/data/initiatives/indsatser.csv, four initiatives
on five rows: Personlige vejledere serves two targets; Karrieresamtaler and Snusepraktik
are written with labels ("Efter uddannelse", "På vej", "delvist implementeret");
Spireordning has not started and serves no target.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from sosu.etl.load import check_folder, load_folder
from sosu.etl.problems import ValidationFailed
from sosu.metrics import metrics
from sosu.metrics.kpi import kpi
from sosu.store.db import connect_read_only
from tests.support import INITIATIVES, MINIMAL, TODAY


@pytest.fixture
def with_initiatives(minimal_copy: Path) -> Path:
    shutil.copy(INITIATIVES, minimal_copy / "indsatser.csv")
    return minimal_copy


def _loaded(folder: Path, db: Path) -> pd.DataFrame:
    load_folder(folder, db, today=TODAY)
    con = connect_read_only(db)
    try:
        return metrics.initiatives(con)
    finally:
        con.close()


def test_optional_file_absent_loads_with_no_initiatives(tmp_path: Path) -> None:
    assert check_folder(MINIMAL, today=TODAY)["indsatser"] == 0
    assert _loaded(MINIMAL, tmp_path / "db.duckdb").empty


def test_initiatives_load_as_codes_in_the_strategys_order(with_initiatives: Path,
                                                          tmp_path: Path) -> None:
    frame = _loaded(with_initiatives, tmp_path / "db.duckdb")
    assert list(zip(frame.navn, frame.fokusomraade, frame.status, frame.maal_id.fillna("-"),
                    strict=True)) == [
        ("Spireordning", "foer", "afventer", "-"),
        ("Personlige vejledere", "under", "implementeret", "frafald_ssa"),
        ("Personlige vejledere", "under", "implementeret", "frafald_ssh"),
        ("Snusepraktik", "under", "delvist_implementeret", "frafald_ssh"),
        ("Karrieresamtaler", "efter", "paa_vej", "ansat_efter"),
    ]
    assert frame.start_dato.isna().sum() == 1


def test_initiatives_change_no_figure(with_initiatives: Path, tmp_path: Path) -> None:
    load_folder(MINIMAL, tmp_path / "without.duckdb", today=TODAY)
    load_folder(with_initiatives, tmp_path / "with.duckdb", today=TODAY)
    figures = []
    for name in ("without", "with"):
        con = connect_read_only(tmp_path / f"{name}.duckdb")
        figures.append(kpi(con))
        con.close()
    assert figures[0] == figures[1]


# (text to replace, replacement, words the report must contain)
CASES = [
    ("Implementeret,frafald_ssa", "Færdig,frafald_ssa",
     ["indsatser.csv:2: status:", "ukendt værdi 'Færdig'", "paa_vej"]),
    ("Spireordning,foer", "Spireordning,før skolen",
     ["indsatser.csv:6: fokusomraade:", "ukendt værdi 'før skolen'"]),
    ("ansat_efter", "ansat_bagefter",
     ["indsatser.csv:4: maal_id:", "ukendt mål 'ansat_bagefter'", "frafald_ssa"]),
    ("2023-06-15", "2023-13-01", ["indsatser.csv:4: start_dato:", "findes ikke"]),
    ("2023-06-15", "2030-01-01", ["indsatser.csv:4: start_dato:", "i fremtiden"]),
    ("Snusepraktik,", ",", ["indsatser.csv:5: navn:", "mangler en værdi"]),
    ("Karrieresamtaler,Efter uddannelse,2023-06-15,På vej,ansat_efter",
     "Personlige vejledere,under,2023-01-01,Implementeret,frafald_ssh",
     ["indsatser.csv:4: navn:", "samme indsats og mål", "linje 3"]),
    ("navn,fokusomraade,", "navn,", ["indsatser.csv:1: fokusomraade: kolonnen mangler"]),
]


def _report(folder: Path) -> str:
    with pytest.raises(ValidationFailed) as refused:
        check_folder(folder, today=TODAY)
    return "\n".join(refused.value.report())


@pytest.mark.parametrize(("old", "new", "words"), CASES, ids=[c[2][-1][:30] for c in CASES])
def test_bad_initiatives_are_reported_by_file_line_column(
        with_initiatives: Path, old: str, new: str, words: list[str]) -> None:
    path = with_initiatives / "indsatser.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    report = _report(with_initiatives)
    for word in words:
        assert word in report


def test_a_cpr_number_in_an_initiative_is_refused_and_not_repeated(
        with_initiatives: Path, tmp_path: Path) -> None:
    path = with_initiatives / "indsatser.csv"
    cpr = "010190-1234"
    path.write_text(path.read_text(encoding="utf-8").replace("Snusepraktik", f"Elev {cpr}"),
                    encoding="utf-8")
    report = _report(with_initiatives)
    assert "indsatser.csv:5: navn:" in report and "CPR" in report
    assert cpr not in report and "0101901234" not in report
    db = tmp_path / "db.duckdb"
    with pytest.raises(ValidationFailed):
        load_folder(with_initiatives, db, today=TODAY)
    assert not db.exists()


def test_a_bad_initiatives_file_keeps_the_last_good_database(
        with_initiatives: Path, tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    load_folder(MINIMAL, db, today=TODAY)
    before = db.read_bytes()
    path = with_initiatives / "indsatser.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Afventer", "Måske"),
                    encoding="utf-8")
    with pytest.raises(ValidationFailed):
        load_folder(with_initiatives, db, today=TODAY)
    assert db.read_bytes() == before
