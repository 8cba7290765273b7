"""The early warning page on the hand-made fixture in tests/data/early_warning, as the
education team sees it (the rules and back-test themselves:
tests/sql/test_early_warning.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.helpers import APP, TIMEOUT, add_user, log_in


@pytest.fixture
def page(early_warning_db: Path, tmp_path: Path,
         monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201 - an AppTest
    path = tmp_path / "ew.duckdb"
    shutil.copy2(early_warning_db, path)  # a file of this test's own
    monkeypatch.setenv("SOSU_DB", str(path))
    add_user("team", "uddannelse")
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    log_in(at, "team")
    at.run()
    return at.switch_page("app_pages/tidlig_opsporing.py").run()


def _metrics(at) -> dict[str, str]:  # noqa: ANN001 - an AppTest
    return {m.label: m.value for m in at.metric}


def test_page_lists_the_students_and_tries_the_list_on_the_history(page) -> None:  # noqa: ANN001
    assert not page.exception, [e.value for e in page.exception]
    assert _metrics(page) == {"Elever på listen af de aktive": "3 af 5",
                              "Sygefravær til og med": "december 2025"}
    listing = page.dataframe[0].value
    assert list(listing.Pseudonym) == ["W01", "W02", "W03"]
    assert list(listing.Tegn) == ["Højt", "Stigende", "Tidlig fase"]
    assert list(listing["Sandsynlig fase"]) == ["Oplæringsperiode 3", "Oplæringsperiode 3",
                                                 "Skoleperiode 1"]
    assert list(listing["Sygefravær seneste 3 mdr. (%)"]) == [11.0, 8.0, 6.0]
    test = page.dataframe[1].value.set_index("Grænse")
    assert test.loc["10,0 % (valgt)", "Frafaldne på listen 3 mdr. før"] == "1 af 2 (50 %)"
    assert test.loc["20,0 %", "Frafaldne på listen 3 mdr. før"] == "0 af 2 (0 %)"
    assert test.loc["10,0 % (valgt)", "Typisk listelængde"] == "2 elever (22 % af de aktive)"
    assert [b.label for b in page.get("download_button")] == ["Hent CSV", "Hent Excel"]


def test_the_slider_changes_list_and_backtest(page) -> None:  # noqa: ANN001
    page.select_slider(key="varsel_graense").set_value(0.05).run()
    assert _metrics(page)["Elever på listen af de aktive"] == "4 af 5"
    assert "5,0 % (valgt)" in set(page.dataframe[1].value["Grænse"])


def _fresh_session() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    log_in(at, "team")
    at.run()
    return at.switch_page("app_pages/tidlig_opsporing.py").run()


def test_configured_default_threshold(monkeypatch: pytest.MonkeyPatch, page) -> None:  # noqa: ANN001
    monkeypatch.setenv("SOSU_VARSEL_GRAENSE", "20")
    fresh = _fresh_session()
    assert fresh.select_slider(key="varsel_graense").value == 0.2
    assert _metrics(fresh)["Elever på listen af de aktive"] == "0 af 5"
    assert "Ingen aktive elever" in "".join(s.value for s in fresh.success)


def test_a_bad_threshold_setting_falls_back_to_ten_per_cent(
        monkeypatch: pytest.MonkeyPatch, page) -> None:  # noqa: ANN001
    monkeypatch.setenv("SOSU_VARSEL_GRAENSE", "ti procent")
    fresh = _fresh_session()
    assert not fresh.exception
    assert "SOSU_VARSEL_GRAENSE" in "".join(w.value for w in fresh.warning)
    assert fresh.select_slider(key="varsel_graense").value == 0.1


def test_a_list_longer_than_the_page_shows_shows_its_first_rows_and_says_so(
        monkeypatch: pytest.MonkeyPatch, page) -> None:  # noqa: ANN001
    # A region's or the country's list is thousands of students: the page draws the
    # first rows and the download buttons still give all of them.
    from sosu.app.app_pages import early_warning_view

    monkeypatch.setattr(early_warning_view, "SHOWN_ROWS", 2)
    page.run()
    assert list(page.dataframe[0].value.Pseudonym) == ["W01", "W02"]
    assert "Viser de første 2 af 3 rækker" in "".join(c.value for c in page.caption)
    assert _metrics(page)["Elever på listen af de aktive"] == "3 af 5"
    assert [b.label for b in page.get("download_button")] == ["Hent CSV", "Hent Excel"]
