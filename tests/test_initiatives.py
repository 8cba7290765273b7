"""Initiatives (indsatser): the optional sixth file, its rules, the markers and the table.

Fixture: tests/data/minimal plus tests/data/initiatives/indsatser.csv, four initiatives
on five rows: Personlige vejledere serves two targets; Karrieresamtaler and Snusepraktik
are written with labels ("Efter uddannelse", "På vej", "delvist implementeret");
Spireordning has not started and serves no target.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from sosu.app import charts
from sosu.etl.load import check_folder, load_folder
from sosu.etl.problems import ValidationFailed
from sosu.metrics import metrics
from sosu.metrics.kpi import kpi
from sosu.store.db import connect_read_only
from tests.conftest import APP, DATA, MINIMAL, TODAY, add_user, log_in

INITIATIVES = DATA / "initiatives" / "indsatser.csv"


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


# Markers ------------------------------------------------------------------------------

def _rows(*items: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"navn": [n for n, _ in items], "status_tekst": "● Implementeret",
                         "start_dato": pd.to_datetime([d for _, d in items])})


def test_markers_sit_at_the_start_month_and_stack_when_close() -> None:
    fig = go.Figure()
    charts.add_initiatives(fig, _rows(("Personlige vejledere", "2023-01-01"),
                                      ("Tre dages snusepraktik under grundforløbet",
                                       "2023-08-01"),
                                      ("Karrieresamtaler", "2026-09-01")))
    assert [s.x0 for s in fig.layout.shapes] == pytest.approx([2023.0, 2023 + 7 / 12,
                                                               2026 + 8 / 12])
    texts = [a.text for a in fig.layout.annotations]
    assert texts[0] == "Personlige vejledere"
    assert texts[1].endswith("…") and len(texts[1]) == charts.LABEL_LENGTH
    assert [a.yshift for a in fig.layout.annotations] == [0, -14, 0]  # stacked when close
    assert "fra 01-08-2023" in fig.layout.annotations[1].hovertext


def test_markers_on_a_date_axis_and_names_escaped() -> None:
    fig = go.Figure()
    charts.add_initiatives(fig, _rows(("<b>Ny</b>", "2024-09-01")), dates=True)
    assert fig.layout.shapes[0].x0 == pd.Timestamp("2024-09-01").timestamp() * 1000
    assert fig.layout.annotations[0].text == "&lt;b&gt;Ny&lt;/b&gt;"


# Pages --------------------------------------------------------------------------------

@pytest.fixture
def app(with_initiatives: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    db = tmp_path / "db.duckdb"
    load_folder(with_initiatives, db, today=TODAY)
    monkeypatch.setenv("SOSU_DB", str(db))
    add_user("kf", "kvalitetsforum")
    at = AppTest.from_file(str(APP), default_timeout=60)
    log_in(at, "kf")
    return at.run()


def test_overview_status_table_by_focus_area(app: AppTest) -> None:
    assert not app.exception
    assert "Indsatser" in [s.value for s in app.subheader]
    areas = {"**Før uddannelse**", "**Under uddannelse**", "**Efter uddannelse**"}
    headings = [m.value for m in app.markdown if m.value in areas]
    assert headings == ["**Før uddannelse**", "**Under uddannelse**", "**Efter uddannelse**"]
    tables = [t.value for t in app.dataframe
              if list(t.value.columns) == ["Indsats", "Start", "Status", "Mål"]]
    before, under, after = tables
    assert list(under.Indsats) == ["Personlige vejledere", "Snusepraktik"]
    assert list(under.Status) == ["● Implementeret", "◐ Delvist implementeret"]
    assert under.Mål[0] == "Frafald i hovedforløbet, SSA, Frafald i hovedforløbet, SSH"
    assert list(under.Start) == ["januar 2023", "februar 2023"]
    assert list(after.Status) == ["→ På vej"]
    assert list(before.Start) == ["ikke startet"] and list(before.Mål) == ["–"]


def test_overview_trend_charts_carry_their_targets_markers(app: AppTest) -> None:
    app.toggle(key="vis_udvikling").set_value(True).run()
    charts_by_key = {c.proto.id: c for c in app.get("plotly_chart")}
    assert len(charts_by_key) == 8  # one trend chart per target
    figures = {key: json.loads(chart.proto.spec) for key, chart in charts_by_key.items()}
    marked = {key: [a["text"] for a in fig["layout"].get("annotations", [])
                    if a.get("hovertext")] for key, fig in figures.items()}
    texts = sorted(t for labels in marked.values() for t in labels)
    assert texts == ["Karrieresamtaler", "Personlige vejledere", "Personlige vejledere",
                     "Snusepraktik"]


def test_dropout_page_marks_only_the_chosen_educations_initiatives(app: AppTest) -> None:
    app.query_params["uddannelse"] = "SSA"
    app.switch_page("app_pages/frafald.py").run()
    first = json.loads(app.get("plotly_chart")[0].proto.spec)
    labels = [a["text"] for a in first["layout"].get("annotations", []) if a.get("hovertext")]
    assert labels == ["Personlige vejledere"]  # Snusepraktik serves the SSH target only


def test_markers_before_the_chart_begins_are_left_out() -> None:
    fig = go.Figure(go.Scatter(x=[2019, 2020, 2021], y=[1, 2, 3]))
    charts.add_initiatives(fig, _rows(("Kloge hænder", "2016-01-01"),
                                      ("Personlige vejledere", "2020-01-01")))
    assert [a.text for a in fig.layout.annotations] == ["Personlige vejledere"]
    monthly = go.Figure(go.Scatter(x=pd.to_datetime(["2020-01-01", "2020-02-01"]), y=[1, 2]))
    charts.add_initiatives(monthly, _rows(("Før", "2019-06-01"), ("Efter", "2020-02-01")),
                           dates=True)
    assert [a.text for a in monthly.layout.annotations] == ["Efter"]
