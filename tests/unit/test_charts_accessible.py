"""Charts a reader can use (issue #23): colours with enough contrast, Danish axes, an
accessible description with the latest value, and the sick-leave trend line."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest

from sosu.app import charts
from sosu.domain import palette
from sosu.metrics.release import rolling_share

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("colour", [*palette.EDUCATION.values(), *palette.SEQUENCE,
                                    *palette.STATUS.values(), palette.SITE, palette.TARGET])
def test_chart_marks_stand_out_from_white(colour: str) -> None:
    assert palette.contrast(colour) >= 3  # WCAG 2.1 1.4.11, non-text contrast


def test_text_in_colour_is_readable() -> None:
    assert palette.contrast(palette.INITIATIVE) >= 4.5  # initiative labels are text
    theme = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
    assert palette.contrast(theme["primaryColor"]) >= 4.5  # buttons, slider numbers
    # Streamlit draws captions in the text colour at 60 % opacity on white.
    text = theme["textColor"].lstrip("#")
    caption = "".join(f"{round(0.6 * int(text[i:i + 2], 16) + 0.4 * 255):02x}"
                      for i in (0, 2, 4))
    assert palette.contrast(f"#{caption}") >= 4.5


def test_fulfilment_colours_differ_by_status() -> None:
    colours = [palette.STATUS[s] for s in ("nået", "på vej", "ikke på vej", "usikker")]
    assert len(set(colours)) == 4


def _months(values: list[tuple[str, float, float]], education: str = "SSH") -> pd.DataFrame:
    return pd.DataFrame({"uddannelse": education,
                         "maaned": pd.to_datetime([m for m, _, _ in values]),
                         "syge_timer": [s for _, s, _ in values],
                         "planlagte_timer": [p for _, _, p in values]})


def rolling(frame: pd.DataFrame) -> pd.Series:
    return rolling_share(frame, ("syge_timer", "planlagte_timer"), 3, ["uddannelse"])


def test_rolling_sick_leave_is_three_consecutive_months_summed() -> None:
    frame = _months([("2024-01-01", 10, 100), ("2024-02-01", 0, 100),
                     ("2024-03-01", 20, 200), ("2024-05-01", 5, 100),
                     ("2024-06-01", 5, 100), ("2024-07-01", 5, 100)])
    shares = rolling(frame).tolist()
    assert shares[:2] == [pytest.approx(float("nan"), nan_ok=True)] * 2
    assert shares[2] == pytest.approx(30 / 400)  # Σ hours / Σ planned, not a mean of rates
    # April is missing: May and June have no three whole months behind them.
    assert pd.isna(shares[3]) and pd.isna(shares[4])
    assert shares[5] == pytest.approx(15 / 300)


def test_a_hidden_month_hides_the_rolling_figure() -> None:
    frame = _months([("2024-01-01", 10, 100), ("2024-02-01", float("nan"), float("nan")),
                     ("2024-03-01", 20, 200), ("2024-04-01", 20, 200)])
    assert rolling(frame).isna().all()  # no hidden month can be recomputed from it


def test_monthly_chart_in_danish_with_a_description() -> None:
    frame = _months([(f"2024-{m:02d}-01", m, 100) for m in range(1, 13)])
    frame = frame.assign(andel=frame.syge_timer / frame.planlagte_timer,
                         andel_3_mdr=rolling(frame), hover="x")
    fig = charts.rolling_months(frame, "Sygefravær pr. måned", "Andel")
    assert list(fig.layout.xaxis.ticktext) == ["jan. 2024", "mar. 2024", "maj 2024",
                                               "jul. 2024", "sep. 2024", "nov. 2024"]
    charts.add_target(fig, 0.08, "Mål")
    charts.danish_percent_ticks(fig)
    assert all(t.endswith(" %") for t in fig.layout.yaxis.ticktext)
    described = charts.describe(fig)
    assert described.startswith("Sygefravær pr. måned. Seneste værdi")
    assert "SSH december 2024: 11,00 % de seneste 3 måneder" in described


def test_the_report_describes_a_trend_chart_as_the_dashboard_does() -> None:
    """The PDF's alternative text for a target's chart says what Overblik's accessible
    description says (its pointer to the table aside), and names the initiatives."""
    from sosu.domain.targets import load_targets
    from sosu.report import charts as report_charts

    target = next(t for t in load_targets() if t.id == "frafald_ssh")
    series = pd.DataFrame({
        "metric": target.metric, "uddannelse": "SSH", "aar": [2022, 2023, 2024],
        "vaerdi": [0.16, 0.141, 0.125], "periode": ["årgang 2022", "årgang 2023", "årgang 2024"],
        "endelig": [True, True, False]})
    dashboard = charts.describe(charts.trajectory(
        series, target.trajectory([2022, 2023, 2024]), target.label, target.is_rate))
    initiatives = pd.DataFrame({"navn": ["Personlige vejledere"],
                                "start_dato": pd.to_datetime(["2023-01-01"])})
    report = report_charts.trajectory(series, target, initiatives)
    assert report.name == target.label
    said = "Frafald i hovedforløbet, SSH. Seneste værdi – Værdi: årgang 2024: 12,5 % " \
           "(foreløbigt tal)."
    assert dashboard == said + " Tallene står i tabellen."
    assert report.description == said + (" Indsatser markeret, hvor de startede: "
                                          "Personlige vejledere (fra 01-01-2023).")


def test_the_theme_is_plotly_white_for_every_chart_the_dashboard_draws() -> None:
    """The dashboard's theme is the part of "plotly_white" its charts read: every trace
    type the app's code makes (go.Bar, go.Scatter …), with the same style, and the same
    2-D layout."""
    import re

    import plotly.io as pio

    source = "".join(path.read_text(encoding="utf-8")
                     for path in (ROOT / "src" / "sosu" / "app").rglob("*.py"))
    made = {name.lower() for name in re.findall(r"\bgo\.([A-Z]\w*)\(", source)} - {"figure"}
    assert made and made <= set(charts.TRACE_TYPES)
    white = pio.templates["plotly_white"]
    for kind in charts.TRACE_TYPES:
        assert charts.THEME.data[kind] == white.data[kind]
    theirs = white.layout.to_plotly_json()
    assert charts.THEME.layout.to_plotly_json() == {k: theirs[k] for k in charts._THEME_LAYOUT}
