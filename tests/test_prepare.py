"""Kvalitetsforum's shared figures are prepared in the background after a load
(SOSU_FORBERED, dashboard/data.py), so a member opening a site finds them ready."""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data
from queries import datasets, metrics
from queries.db import connect_read_only, file_stamp
from tests.conftest import APP, PAGES, TEAM_ONLY_PAGES
from tests.test_pages import as_viewer

FORUM_PAGES = [page for page in PAGES if page not in TEAM_ONLY_PAGES]


@pytest.fixture
def fresh_demo(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo data as a file no test has opened yet: a new version to the dashboard."""
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    monkeypatch.setenv("SOSU_DB", str(db))
    return db


def _every_site_figures(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(thread, figure) for each every-site figure computed from now on."""
    computed: list[tuple[str, str]] = []
    for name, figure in list(datasets.BY_NAME.items()):
        def counted(con, viewer, request, figure=figure, name=name):  # noqa: ANN001, ANN202
            if request.every_site:
                computed.append((threading.current_thread().name, name))
            return figure(con, viewer, request)
        monkeypatch.setitem(datasets.BY_NAME, name, counted)
    return computed


def _preparation_done() -> None:
    for thread in threading.enumerate():
        if thread.name == data.PREPARING:
            thread.join(timeout=120)
            assert not thread.is_alive()


def _a_site(db: Path) -> str:
    con = connect_read_only(db)
    try:
        return metrics.sites(con)[0]
    finally:
        con.close()


@pytest.mark.parametrize("prepare", ["ja", "nej"])
def test_a_member_opens_a_site_from_the_prepared_figures(
        prepare: str, fresh_demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOSU_FORBERED", prepare)
    computed = _every_site_figures(monkeypatch)
    at = as_viewer(AppTest.from_file(str(APP), default_timeout=60), "kvalitetsforum").run()
    assert not at.exception
    _preparation_done()
    prepared = sorted(name for thread, name in computed if thread == data.PREPARING)
    computed.clear()

    at.query_params["sted"] = _a_site(fresh_demo)
    for page in FORUM_PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
    asked = sorted({name for _thread, name in computed})

    if prepare == "ja":
        assert prepared == sorted(datasets.PROTECTED_PER_SITE)
        assert asked == []  # every page's first view of a site came from the cache
    else:
        assert prepared == []
        # Without it, the pages ask for exactly the figures the preparation makes.
        assert asked == sorted(datasets.PROTECTED_PER_SITE)


def test_a_bad_setting_is_logged_and_the_default_used(
        fresh_demo: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("SOSU_FORBERED", "måske")
    computed = _every_site_figures(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="dashboard.data"):
        at = as_viewer(AppTest.from_file(str(APP), default_timeout=60), "kvalitetsforum").run()
        _preparation_done()
    assert not at.exception
    assert "SOSU_FORBERED" in caplog.text
    assert {name for _thread, name in computed} == datasets.PROTECTED_PER_SITE


def test_a_file_replaced_meanwhile_is_prepared_no_further(
        fresh_demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A load swaps a new file in after the first figure: the rest would be for a file
    # nobody opens any more (the new one gets its own preparation).
    newer = tmp_path / "nyere.duckdb"
    shutil.copy(fresh_demo, newer)
    computed = _every_site_figures(monkeypatch)
    first_figure = datasets.BY_NAME[min(datasets.PROTECTED_PER_SITE)]

    def then_a_load(con, viewer, request):  # noqa: ANN001, ANN202
        result = first_figure(con, viewer, request)
        newer.replace(fresh_demo)
        return result

    monkeypatch.setitem(datasets.BY_NAME, min(datasets.PROTECTED_PER_SITE), then_a_load)
    stamp = file_stamp(fresh_demo)
    assert stamp is not None
    data._prepare(str(fresh_demo), stamp)
    assert [name for _thread, name in computed] == [min(datasets.PROTECTED_PER_SITE)]


def test_a_failed_preparation_is_logged_without_the_data(
        fresh_demo: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def failing(con, viewer, request):  # noqa: ANN001, ANN202
        raise ValueError("E0042 har 0101901234")  # as an error could quote the data

    monkeypatch.setitem(datasets.BY_NAME, min(datasets.PROTECTED_PER_SITE), failing)
    stamp = file_stamp(fresh_demo)
    assert stamp is not None
    with caplog.at_level(logging.WARNING, logger="dashboard.data"):
        data._prepare(str(fresh_demo), stamp)  # does not raise: the pages compute when asked
    assert "forberedelsen" in caplog.text and "ValueError" in caplog.text
    assert "E0042" not in caplog.text and "0101901234" not in caplog.text


def test_a_file_that_is_no_database_is_not_prepared(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    broken = tmp_path / "ikke-en-database.duckdb"
    broken.write_text("E0001,SSH\n")
    stamp = file_stamp(broken)
    assert stamp is not None
    with caplog.at_level(logging.WARNING, logger="dashboard.data"):
        data._prepare(str(broken), stamp)
    assert "forberedelsen" in caplog.text
