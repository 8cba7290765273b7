"""Kvalitetsforum's release is prepared in the background after a load (SOSU_FORBERED,
dashboard/data.py), so a member opening a page or a site finds it ready."""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sosu.app import data
from sosu.metrics import datasets, metrics, release
from sosu.store.db import connect_read_only, file_stamp
from tests.app.helpers import APP, PAGES, TEAM_ONLY_PAGES, TIMEOUT, as_viewer

FORUM_PAGES = [page for page in PAGES if page not in TEAM_ONLY_PAGES]


@pytest.fixture
def fresh_file(minimal_session_db: Path, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> Path:
    """Data of two sites as a file no test has opened yet: a new version to the dashboard.
    The hand-made fixture, not the demo: what is tested is when and where the release is
    made, and Kvalitetsforum's release of the demo costs 5 s of CPU each time."""
    db = tmp_path / "sosu.duckdb"
    shutil.copy(minimal_session_db, db)
    monkeypatch.setenv("SOSU_DB", str(db))
    # Releases are cached per database file version (metrics.datasets): none made by an
    # earlier test answers for this new file, though it holds the same data.
    return db


def _releases_built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The thread of each protected release computed from now on."""
    built: list[str] = []
    build = release.build

    def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        built.append(threading.current_thread().name)
        return build(*args, **kwargs)

    monkeypatch.setattr(release, "build", counted)
    return built


def _preparation_done() -> None:
    for thread in threading.enumerate():
        if thread.name == data.PREPARING:
            thread.join(timeout=TIMEOUT)
            assert not thread.is_alive()


def _a_site(db: Path) -> str:
    con = connect_read_only(db)
    try:
        return metrics.sites(con)[0]
    finally:
        con.close()


@pytest.mark.parametrize("prepare", ["ja", "nej"])
def test_a_member_opens_a_site_from_the_prepared_release(
        prepare: str, fresh_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOSU_FORBERED", prepare)
    built = _releases_built(monkeypatch)
    at = as_viewer(AppTest.from_file(str(APP), default_timeout=TIMEOUT), "kvalitetsforum").run()
    assert not at.exception
    _preparation_done()
    at.query_params["sted"] = _a_site(fresh_file)
    for page in FORUM_PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
    # One release serves every page and site; with the preparation it is made in the
    # background, without it by the first page that asks.
    assert len(built) == 1
    assert (built[0] == data.PREPARING) == (prepare == "ja")


def test_a_page_asking_before_the_preparation_begins_waits_for_it(
        fresh_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The preparation's thread is held back until the member's first page has asked for
    the release: the page waits for that thread's computation (its lock was taken when
    the thread was started) instead of computing the release beside it."""
    monkeypatch.setenv("SOSU_FORBERED", "ja")
    built = _releases_built(monkeypatch)
    asked = threading.Event()
    ask, check = datasets.scope_release, data._built_here

    def asking(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if threading.current_thread().name != data.PREPARING:
            asked.set()
        return ask(*args, **kwargs)

    def held_back(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if threading.current_thread().name == data.PREPARING:
            assert asked.wait(TIMEOUT)
        return check(*args, **kwargs)

    monkeypatch.setattr(datasets, "scope_release", asking)
    monkeypatch.setattr(data, "_built_here", held_back)
    at = as_viewer(AppTest.from_file(str(APP), default_timeout=TIMEOUT), "kvalitetsforum").run()
    assert not at.exception
    _preparation_done()
    assert asked.is_set()
    assert built == [data.PREPARING]


def test_a_bad_setting_is_logged_and_the_default_used(
        fresh_file: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("SOSU_FORBERED", "måske")
    built = _releases_built(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="sosu.app.data"):
        at = as_viewer(AppTest.from_file(str(APP), default_timeout=TIMEOUT), "kvalitetsforum").run()
        _preparation_done()
    assert not at.exception
    assert "SOSU_FORBERED" in caplog.text
    assert data.PREPARING in built


def test_a_file_replaced_before_the_preparation_is_not_prepared(
        fresh_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A load swapped a new file in: the new one gets its own preparation.
    newer = tmp_path / "nyere.duckdb"
    shutil.copy(fresh_file, newer)
    built = _releases_built(monkeypatch)
    stamp = file_stamp(fresh_file)
    assert stamp is not None
    newer.replace(fresh_file)
    data._prepare(str(fresh_file), stamp)
    assert built == []


def test_a_failed_preparation_is_logged_without_the_data(
        fresh_file: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def failing(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise ValueError("E0042 har 0101901234")  # as an error could quote the data

    monkeypatch.setattr(release, "build", failing)
    stamp = file_stamp(fresh_file)
    assert stamp is not None
    with caplog.at_level(logging.WARNING, logger="sosu.app.data"):
        data._prepare(str(fresh_file), stamp)  # does not raise: the pages compute when asked
    assert "forberedelsen" in caplog.text and "ValueError" in caplog.text
    assert "E0042" not in caplog.text and "0101901234" not in caplog.text


def test_a_file_that_is_no_database_is_not_prepared(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    broken = tmp_path / "ikke-en-database.duckdb"
    broken.write_text("E0001,SSH\n")
    stamp = file_stamp(broken)
    assert stamp is not None
    with caplog.at_level(logging.WARNING, logger="sosu.app.data"):
        data._prepare(str(broken), stamp)
    assert "forberedelsen" in caplog.text
