"""The quarterly PDF: its figures, its respect for roles, and pages that render cleanly."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
from pathlib import Path

import numpy as np
import pypdf
import pypdfium2
import pytest

from sosu.cli.main import main
from sosu.domain.fmt import pct
from sosu.domain.roles import AccessDenied, Viewer
from sosu.domain.targets import load_targets
from sosu.metrics import datasets
from sosu.metrics.scorecard import overall, score
from sosu.report import make_report
from sosu.report.content import Quarter, ReportError
from sosu.store.db import connect_read_only
from tests.support import DEMO_OTHER_SITE, DEMO_SITE

OWN, OTHER = DEMO_SITE, DEMO_OTHER_SITE
FORUM = Viewer("kf", "kvalitetsforum")
LEDER = Viewer("leder", "leder", (OWN,))
TEAM = Viewer("team", "uddannelse")


@pytest.fixture(scope="module")
def con(demo_db: Path):  # noqa: ANN201 - a DuckDB connection
    connection = connect_read_only(demo_db)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def forum_pdf(con) -> bytes:
    return make_report(con, FORUM, "2025Q3")


@pytest.fixture(scope="module")
def site_pdf(demo_site_report: bytes) -> bytes:
    return demo_site_report


def _text(pdf: bytes) -> list[str]:
    """Each page's text with line breaks folded into spaces."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def test_quarters() -> None:
    assert Quarter.parse("2025q3").last_day == dt.date(2025, 9, 30)
    assert Quarter.parse("2024Q4").last_day == dt.date(2024, 12, 31)
    assert Quarter.parse("2025Q1").first_day == dt.date(2025, 1, 1)
    with pytest.raises(ReportError, match="fx 2025Q3"):
        Quarter.parse("2025-3")


def test_front_page_summary_matches_the_query_layer(con, forum_pdf: bytes) -> None:
    pages = _text(forum_pdf)
    front = pages[0]
    assert "kvartalsrapport 2025Q3" in front and "Kvalitetsforum" in front
    years = datasets.sick_leave(con, FORUM, datasets.Request(None, ("SSH", "SSA"),
                                                             (2019, 2025)), "aar")
    sick_2025 = years[(years.aar == 2025) & (years.uddannelse == "I alt")].andel.iloc[0]
    assert (f"Elevernes sygefravær er faldet fra 8,8 % (2023) til {pct(sick_2025)} (2025)"
            in front)
    series = datasets.target_series(con, FORUM)
    series = series[series.aar <= 2025]
    share = overall([score(series, t) for t in load_targets()]).share
    assert f"Samlet målopfyldelse, vægtet: {pct(share, 0)}" in front
    for heading in ("Før uddannelse", "Under uddannelse", "Efter uddannelse", "Om tallene"):
        assert sum(heading in page for page in pages) == 1, heading
    assert "Tal på 3 elever eller færre er skjult" in pages[-1]


def test_nothing_after_the_quarter(forum_pdf: bytes) -> None:
    text = " ".join(_text(forum_pdf))
    assert "årgang 2026" not in text and "(2026)" not in text


def test_site_report_shows_the_site_suppressed_and_no_other_site(site_pdf: bytes) -> None:
    text = " ".join(_text(site_pdf))
    assert f"Oplæringssted: {OWN}" in text
    assert "skjult" in text and "≤3" not in text
    assert OTHER not in text


def test_report_respects_the_role(con) -> None:
    with pytest.raises(AccessDenied):
        make_report(con, LEDER, "2025Q3", OTHER)
    team = " ".join(_text(make_report(con, TEAM, "2025Q3", OWN)))
    assert "'skjult'" not in team and "små tal er ikke skjult" in team


def test_a_quarter_after_the_data_is_refused(con) -> None:
    with pytest.raises(ReportError, match="data rækker kun til"):
        make_report(con, FORUM, "2031Q1")


@pytest.mark.parametrize("which", ["forum", "site"])
def test_pages_render_with_nothing_in_the_margins(forum_pdf: bytes, site_pdf: bytes,
                                                  which: str) -> None:
    document = pypdfium2.PdfDocument(forum_pdf if which == "forum" else site_pdf)
    assert len(document) >= 5
    for index in range(len(document)):
        image = np.asarray(document[index].render(scale=1).to_pil().convert("L"))
        ink = image < 200
        height, width = ink.shape
        assert ink.mean() > 0.002, f"page {index + 1} is blank"
        margin = int(width * 0.06)  # 1.26 cm of a 21 cm page; content keeps 2 cm
        assert not ink[:, :margin].any() and not ink[:, -margin:].any(), index + 1
        assert not ink[: int(height * 0.04)].any(), f"page {index + 1} runs off the top"


def test_cli_writes_the_report_and_logs_the_export(demo_db: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rapport.pdf"
    assert main(["report", "--quarter", "2025Q3", "--site", OWN, "--db", str(demo_db),
                 "--out", str(out)]) == 0
    assert f"Oplæringssted: {OWN}" in " ".join(_text(out.read_bytes()))
    entry = json.loads(Path(os.environ["SOSU_LOG"]).read_text(encoding="utf-8").splitlines()[-1])
    assert (entry["haendelse"], entry["tabel"], entry["rolle"]) == (
        "eksport", "kvartalsrapport", "leder")
    assert main(["report", "--quarter", "2025-3", "--db", str(demo_db),
                 "--out", str(out)]) == 1
    assert "skal skrives som fx 2025Q3" in capsys.readouterr().err


def test_each_focus_page_lists_its_initiatives_with_status(forum_pdf: bytes) -> None:
    pages = _text(forum_pdf)
    under = next(p for p in pages if "Under uddannelse: frafald" in p)
    assert "Indsatser" in under
    assert "Personlige vejledere januar 2023 ● Implementeret" in under
    assert "Digitalt uddannelsesoverblik ikke startet ○ Ikke implementeret" in under
    after = next(p for p in pages if "Efter uddannelse: fastholdelse" in p)
    assert "Mentorordning for nyuddannede (pilot) ikke startet ‖ Afventer" in after
    assert "Personlige vejledere" not in after


def test_charts_mark_only_initiatives_started_by_the_quarter(con) -> None:
    from sosu.report.content import gather, marked_initiatives

    targets = {t.id: t for t in load_targets()}
    early = gather(con, FORUM, Quarter.parse("2023Q4"), list(targets.values()))
    late = gather(con, FORUM, Quarter.parse("2025Q3"), list(targets.values()))
    ssh = targets["frafald_ssh"]
    assert list(marked_initiatives(early, ssh).navn) == [
        "Personlige vejledere", "Tre dages snusepraktik under grundforløbet"]
    assert list(marked_initiatives(late, ssh).navn) == [
        "Personlige vejledere", "Tre dages snusepraktik under grundforløbet",
        "Struktureret velkomst i alle oplæringsperioder"]
