"""Initiative markers on a chart (app/charts.add_initiatives): at the start month, stacked
when close, escaped, left out before the chart begins.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from sosu.app import charts


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


def test_markers_before_the_chart_begins_are_left_out() -> None:
    fig = go.Figure(go.Scatter(x=[2019, 2020, 2021], y=[1, 2, 3]))
    charts.add_initiatives(fig, _rows(("Kloge hænder", "2016-01-01"),
                                      ("Personlige vejledere", "2020-01-01")))
    assert [a.text for a in fig.layout.annotations] == ["Personlige vejledere"]
    monthly = go.Figure(go.Scatter(x=pd.to_datetime(["2020-01-01", "2020-02-01"]), y=[1, 2]))
    charts.add_initiatives(monthly, _rows(("Før", "2019-06-01"), ("Efter", "2020-02-01")),
                           dates=True)
    assert [a.text for a in monthly.layout.annotations] == ["Efter"]
