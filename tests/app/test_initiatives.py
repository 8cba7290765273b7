"""Initiatives (indsatser) on the pages: the status table on Overblik and the markers on
the charts. Fixture: tests/data/minimal plus tests/data/initiatives/indsatser.csv (see
tests/sql/test_initiatives.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.helpers import APP, TIMEOUT, add_user, log_in


@pytest.fixture
def app(initiatives_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("SOSU_DB", str(initiatives_db))
    add_user("kf", "kvalitetsforum")
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
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
