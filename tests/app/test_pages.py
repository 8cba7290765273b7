"""AppTest: every page renders the fixture's figures, from the entry file as users do."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sosu.access.users import load_users, save_users
from tests.app.helpers import APP, PAGES, TIMEOUT, as_viewer, open_tables, texts


@pytest.fixture
def app(minimal_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("SOSU_DB", str(minimal_db))
    return as_viewer(AppTest.from_file(str(APP), default_timeout=TIMEOUT), "uddannelse")


def _frames(at: AppTest) -> list:
    return [d.value for d in at.dataframe]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(app: AppTest, page: str) -> None:
    app.run()
    app.switch_page(page).run()
    assert not app.exception, [e.value for e in app.exception]
    assert "Data pr. 30-09-2023" in texts(app)


def test_overview_scorecard_shows_values_and_status(app: AppTest) -> None:
    app.run()
    text = texts(app)
    # SSH 2022 main-course dropout: 1 of 4 = 25,0 %; too few students for a status.
    assert "Frafald i hovedforløbet, SSH" in text
    assert "Seneste værdi=25,0 % " in text
    assert "1 af 4" in text and "for få data" in text
    # Sick leave 2022 (the last complete year): 12 of 120 hours = 10,0 %.
    assert "Seneste værdi=10,0 %" in text
    # Hires: SSH 2022 = 4 against a goal of 27.
    assert "mål 27 i 2026" in text


def test_dropout_page_tables_and_switch_toggle(app: AppTest) -> None:
    app.run()
    open_tables(app.switch_page("app_pages/frafald.py").run())
    cohorts = _frames(app)[0]
    ssa = cohorts[cohorts.uddannelse == "SSA"].iloc[0]
    assert (ssa.ansatte, ssa.frafald_hovedforloeb, ssa.omvalg) == (4, 1, 1)
    assert app.toggle[0].value is True
    app.toggle[0].set_value(False).run()
    assert not app.exception
    reasons = _frames(app)[2]
    assert app.toggle(key="vis_overlevelse").value is False  # the curves are on request
    assert len(_frames(app)) == 4
    app.toggle(key="vis_overlevelse").set_value(True).run()
    open_tables(app)
    survival = _frames(app)[4]
    assert survival.maaneder.min() == 0 and survival.andel_i_forloeb.max() == 1
    assert set(reasons.aarsag_tekst) == {"Fravær", "For høje faglige krav",
                                         "Skift fra SSA til SSH"}


def test_filters_are_kept_in_the_url(app: AppTest) -> None:
    app.run()
    app.switch_page("app_pages/rekruttering.py").run()
    open_tables(app.multiselect(key="filter_uddannelse").set_value(["SSA"]).run())
    assert app.query_params["uddannelse"] in ("SSA", ["SSA"])
    hires = _frames(app)[0]
    assert hires.uddannelse.tolist() == ["SSA"]
    assert hires.ansatte.tolist() == [4]


def test_url_filter_is_read_on_arrival(app: AppTest) -> None:
    app.query_params["uddannelse"] = ["SSH"]
    app.run()
    open_tables(app.switch_page("app_pages/sygefravaer.py").run())
    years = _frames(app)[0]
    assert set(years.uddannelse) == {"SSH"}
    assert years.andel.tolist() == pytest.approx([0.1, 25 / 400])


@pytest.mark.parametrize("page", PAGES)
def test_an_education_twice_in_the_url_counts_once(app: AppTest, page: str) -> None:
    """A hand-edited or doubled link (?uddannelse=SSH&uddannelse=SSH) is one choice."""
    app.query_params["uddannelse"] = ["SSH", "SSH"]
    app.run()
    app.switch_page(page).run()
    assert not app.exception, [e.value for e in app.exception]
    if page == "app_pages/sygefravaer.py":
        open_tables(app)
        years = _frames(app)[0]
        assert years.uddannelse.tolist() == ["SSH", "SSH"]
        assert years.andel.tolist() == pytest.approx([0.1, 25 / 400])


def test_empty_filter_selection_gives_a_message(app: AppTest) -> None:
    app.run()
    app.switch_page("app_pages/frafald.py").run()
    app.multiselect(key="filter_uddannelse").set_value([]).run()
    assert not app.exception
    assert "Ingen data" in texts(app)


def test_site_page_compares_with_the_municipality(app: AppTest) -> None:
    app.run()
    app.switch_page("app_pages/mit_oplaeringssted.py").run()
    app.selectbox(key="site_pick").set_value("Plejecenter Å").run()
    table = _frames(app)[0]
    own = table[(table.hvem == "Plejecenter Å") & (table.uddannelse == "SSH")].iloc[0]
    everyone = table[(table.hvem == "Hele kommunen") & (table.uddannelse == "SSH")].iloc[0]
    assert (own.ansatte, own.gennemfoert) == (2, 2)
    assert (everyone.ansatte, everyone.frafald) == (4, 2)


def test_small_numbers_are_suppressed_for_kvalitetsforum(
        minimal_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOSU_DB", str(minimal_db))
    app = as_viewer(AppTest.from_file(str(APP), default_timeout=TIMEOUT), "kvalitetsforum")
    app.run()
    app.switch_page("app_pages/mit_oplaeringssted.py").run()
    table = _frames(app)[0]
    own = table[table.hvem != "Hele kommunen"]
    assert set(own.ansatte.astype(str)) == {"skjult"}
    assert "1" not in set(own.frafald.astype(str))
    assert "Kun uddannelsesteamet" in texts(app.switch_page("app_pages/data.py").run())


def test_data_page_lists_files_and_templates(app: AppTest) -> None:
    app.run()
    app.switch_page("app_pages/data.py").run()
    files = _frames(app)[0]
    assert dict(zip(files.fil, files["rækker"], strict=True)) == {
        "elever": 8, "gennemfoerte": 2, "frafald": 3, "sygefravaer": 5, "efter_uddannelse": 2,
        "indsatser": 0}
    assert "ikke med (valgfri fil)" in set(files.kilde)
    buttons = app.get("download_button")
    assert len(buttons) >= 5 + 2
    assert any("Excel-skabelon" in button.proto.label for button in buttons)
    # A file's columns are drawn when its panel is opened.
    from sosu.app.app_pages.upload_view import contract_panel

    shown = len(app.dataframe)
    app.session_state[contract_panel("elever")] = True
    columns = _frames(app.run())[shown]
    assert "elev_id" in set(columns.kolonne) and set(columns["påkrævet"]) <= {"ja", "nej"}


def test_no_database_gives_a_friendly_message(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOSU_DB", str(tmp_path / "none.duckdb"))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception
    assert "ingen data" in texts(at).lower()


def test_overview_shows_weighted_fulfilment_and_the_trajectories(app: AppTest) -> None:
    app.run()
    text = texts(app)
    assert "Samlet målopfyldelse (vægtet)=" in text
    # 1 of 4 SSH students is too few for a status, so that target is left out.
    assert "Ikke med (for få data): Frafald i hovedforløbet, SSH" in text
    # Sick leave 2022 comes before the baseline year 2023: the line still says 8,8 %.
    assert "målkurven siger 8,8 % nu" in text
    assert len(app.get("plotly_chart")) == 0  # drawn only when asked for
    app.toggle(key="vis_udvikling").set_value(True).run()
    assert len(app.get("plotly_chart")) == 8  # one trajectory chart per target


def test_overview_makes_the_quarterly_report(demo_db: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOSU_DB", str(demo_db))
    at = as_viewer(AppTest.from_file(str(APP), default_timeout=TIMEOUT), "kvalitetsforum").run()
    assert at.selectbox(key="report_quarter").value == "2026Q4"
    at.selectbox(key="report_quarter").set_value("2025Q3")
    at.button(key="report_make").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.get("download_button")[-1].proto.label == "Hent kvartalsrapport 2025Q3 (PDF)"
    made = at.session_state["report_pdf"]
    assert made.quarter == "2025Q3" and made.pdf.startswith(b"%PDF")


def test_a_report_made_before_a_change_of_role_is_never_handed_over(
        demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The operator lowers an education team member to Kvalitetsforum while her report,
    made with every small number, waits in the session: it is dropped, not offered."""
    monkeypatch.setenv("SOSU_DB", str(demo_db))
    at = as_viewer(AppTest.from_file(str(APP), default_timeout=TIMEOUT), "uddannelse").run()
    at.selectbox(key="report_quarter").set_value("2025Q3")
    at.button(key="report_make").click().run()
    assert at.session_state["report_pdf"].pdf.startswith(b"%PDF")
    users = Path(os.environ["SOSU_USERS"])  # the same account, another role
    everyone = load_users(users)
    save_users(users, everyone | {"test-uddannelse": dataclasses.replace(
        everyone["test-uddannelse"], role="kvalitetsforum")})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "report_pdf" not in at.session_state
    assert not [b for b in at.get("download_button") if "kvartalsrapport" in b.proto.label]
