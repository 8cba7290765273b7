"""Text from data is drawn as text in the quarterly report: no mathtext, no PDF markup,
and a report that cannot be made says why in Danish."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pypdf
import pytest

from sosu.domain.roles import Viewer
from sosu.domain.targets import load_targets
from sosu.report import ReportError, make_report
from sosu.report.content import Quarter, gather
from sosu.store.db import connect_read_only

FORUM = Viewer("kf", "kvalitetsforum")
HOSTILE = ["Kursus $\\frac{a}{b$", "<b>Fed</b> & <i>kursiv", "Pris $5 og $6", "a &amp; b <br/>"]


@pytest.fixture(scope="module")
def con(demo_db: Path):  # noqa: ANN201 - a DuckDB connection
    connection = connect_read_only(demo_db)
    yield connection
    connection.close()


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_initiative_names_are_drawn_as_text_in_charts_and_tables(con) -> None:  # noqa: ANN001
    from sosu.report.pdf import build

    content = gather(con, FORUM, Quarter.parse("2025Q3"), load_targets())
    assert len(content.initiatives) >= len(HOSTILE)
    names = content.initiatives.navn.tolist()
    names[:len(HOSTILE)] = HOSTILE
    content.initiatives = content.initiatives.assign(navn=names)
    text = _text(build(content))
    for name in HOSTILE:  # in the initiative tables, literally
        assert name in text, name


def test_chart_titles_and_legends_are_text_not_mathtext() -> None:
    from xml.etree import ElementTree

    from sosu.report import charts

    frame = pd.DataFrame({"uddannelse": ["$\\frac{a", "$\\frac{a", "b$"],
                          "aar": [2023, 2024, 2023], "andel": [0.1, 0.2, 0.3]})
    chart = charts.lines_by_education(frame, "aar", "andel", "Titel $\\sqrt{x$", percent=True)
    # SVG with its text as <text>, literally: no glyph outlines, no formula.
    texts = {"".join(t.itertext()) for t in ElementTree.fromstring(chart.svg).iter()
             if t.tag.endswith("}text")}
    assert {"Titel $\\sqrt{x$", "$\\frac{a", "b$", "10,0 %"} <= texts
    assert chart.description == ("Titel $\\sqrt{x$. Seneste værdi – $\\frac{a: 2024: 20,0 %; "
                                 "b$: 2023: 30,0 %.")


def test_a_report_that_cannot_be_drawn_says_why_in_danish(
        con, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    from sosu.report import charts

    def broken(*_args: object, **_kwargs: object) -> bytes:
        raise ValueError("0101901234 kunne ikke tegnes")  # an error quoting data

    monkeypatch.setattr(charts, "trajectory", broken)
    with pytest.raises(ReportError) as refused:
        make_report(con, FORUM, "2025Q3")
    message = str(refused.value)
    assert "rapporten kunne ikke tegnes" in message and "0101901234" not in message


def test_cli_exits_non_zero_with_a_danish_message(
        demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from sosu.cli.main import main
    from sosu.report import charts

    def broken(*_args: object, **_kwargs: object) -> bytes:
        raise ValueError("mathtext")

    monkeypatch.setattr(charts, "trajectory", broken)
    out = tmp_path / "rapport.pdf"
    assert main(["report", "--quarter", "2025Q3", "--db", str(demo_db),
                 "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "Ingen rapport: rapporten kunne ikke tegnes" in err and "Traceback" not in err
    assert not out.exists()


def test_a_chart_weasyprint_cannot_draw_stops_the_report(
        con, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """WeasyPrint logs an image it cannot read and goes on; the report would miss a chart
    without a word, so it is refused instead."""
    from sosu.report import charts

    def unreadable(*_args: object, **_kwargs: object) -> charts.Chart:
        return charts.Chart(b"<svg 0101901234", "Graf", "Graf. Ingen værdier.")

    monkeypatch.setattr(charts, "trajectory", unreadable)
    with pytest.raises(ReportError) as refused:
        make_report(con, FORUM, "2025Q3")
    message = str(refused.value)
    assert "rapporten kunne ikke tegnes" in message and "0101901234" not in message


def test_a_machine_without_weasyprint_or_pango_gets_a_danish_message(
        con, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    import sys

    # As on a server without Pango: importing the PDF module fails.
    monkeypatch.delitem(sys.modules, "sosu.report.pdf", raising=False)
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    with pytest.raises(ReportError, match="apt-get install libpango-1.0-0"):
        make_report(con, FORUM, "2025Q3")
