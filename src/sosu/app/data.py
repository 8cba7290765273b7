"""Cached access to the query layer, always on behalf of the session's viewer.

The connection is cached per file version (inode, mtime): after a load swaps a
new file in, the next rerun opens the new version. Query results are cached per
version, per viewer scope (role, sites, threshold) and per request, so figures are
shared only between viewers allowed exactly the same view. The version is fixed
once at the start of every script run (app.py calls pin_version), so all figures
on a page come from one file even when a load swaps a new one in while the page is
being drawn.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from sosu.domain import settings
from sosu.domain.roles import AccessDenied, Viewer
from sosu.domain.targets import Target, TargetsError, load_targets
from sosu.metrics import datasets, metrics
from sosu.metrics.datasets import Request
from sosu.store import db, schema
from sosu.store.db import connect_read_only, database_path, file_stamp
from sosu.store.schema import built_by_this_version

Stamp = tuple[int, int]


_PINNED = PINNED = "_sosu_db_version"


class _Swapped(Exception):
    """The file was replaced while it was being opened: which one is open is unknown."""


_log = logging.getLogger(__name__)
PREPARING = "sosu-forbered"  # the name of the thread that prepares a new file's figures


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(path: str, stamp: Stamp) -> Any:
    """Opened once per file version; a new version also starts preparing the figures
    every Kvalitetsforum member shares (see _prepare)."""
    con = connect_read_only(Path(path))
    if file_stamp(Path(path)) != stamp:  # a swap between stat and ATTACH: never cache it
        con.close()
        raise _Swapped(path)
    if _preparing():
        _start_preparation(con, path, stamp)
    return con


def _start_preparation(con: Any, path: str, stamp: Stamp) -> None:
    """Start _prepare in the background. The release's lock is taken here, before the page
    that opened the file asks for figures, so a member's first page waits for the
    preparation rather than compute the release beside it."""
    try:
        reserved = datasets.reserve_release(con, _preparation_viewer())
    except Exception as error:  # noqa: BLE001 - the pages make the release when asked
        _log.warning("forberedelsen af %s startede ikke: %s", path, type(error).__name__)
        return
    if reserved is not None:
        threading.Thread(target=_prepare, args=(path, stamp, reserved), name=PREPARING,
                         daemon=True).start()


class DatabaseUnusable(Exception):
    """The database file is there but cannot be opened (corrupt, another program's file,
    a folder, no right to read it). Details go to the server log, never to the page."""


def _current() -> tuple[str, Stamp] | None:
    """The file as it is now, with an open connection proven to be that very file."""
    path = database_path()
    for _attempt in range(10):
        stamp = file_stamp(path)
        if stamp is None:
            return None
        try:
            _connection(str(path), stamp)
        except _Swapped:
            continue  # swapped just now: take the new file
        except db.OPEN_ERRORS as error:
            _log.error("Databasen %s kan ikke åbnes: %s", path, error)
            raise DatabaseUnusable from error
        return str(path), stamp
    raise RuntimeError("databasen skiftes hele tiden ud; prøv igen om lidt")


def _open(path: str, stamp: Stamp) -> Any:
    """The pinned file's connection. If it was dropped from the cache and the file has
    been swapped since, the run starts again on the new file rather than mix the two."""
    try:
        return _connection(path, stamp)
    except _Swapped:
        st.rerun()


def pin_version() -> None:
    """Fix the database version for this script run (called first in app.py)."""
    st.session_state[_PINNED] = _current()


def _pinned() -> tuple[str, Stamp] | None:
    """The file pinned for this run; outside a pinned run, the file as it is now."""
    if _PINNED in st.session_state:
        pinned: tuple[str, Stamp] | None = st.session_state[_PINNED]
        return pinned
    return _current()


@st.cache_data(max_entries=4, show_spinner=False)
def _built_here(path: str, stamp: Stamp) -> bool:
    return built_by_this_version(_open(path, stamp))


def version() -> tuple[str, Stamp] | None:
    """The pinned file, if this version of sosu-overblik built it: every figure is asked
    of it. A file loaded by another version answers no figures at all (see stale)."""
    pinned = _pinned()
    return pinned if pinned is not None and _built_here(*pinned) else None


def stale() -> bool:
    """There is a database, but another version of sosu-overblik loaded it: its macros
    and columns may not be the ones the figures ask for, so it must be loaded again."""
    pinned = _pinned()
    return pinned is not None and not _built_here(*pinned)


def _viewer() -> Viewer:
    """The session's viewer as the cache keys it: by what they may see, not by name."""
    from sosu.app.viewer import current_viewer

    return current_viewer().scope


# Bounded in bytes too: a replaced file's figures are only dropped as the oldest.
@st.cache_data(max_entries=512, max_size="512MiB", show_spinner=False)
def _dataset(path: str, stamp: Stamp, name: str, viewer: Viewer,
             request: Request) -> pd.DataFrame:
    return datasets.BY_NAME[name](_open(path, stamp), viewer, request)


def _preparing() -> bool:
    """SOSU_FORBERED; a bad value is the default (ja), said in the server's log: the
    dashboard works either way."""
    try:
        return bool(settings.get("prepare"))
    except settings.SettingsError as error:
        _log.warning("%s; bruger standarden", error)
        return True


def _preparation_viewer() -> Viewer:
    """Any Kvalitetsforum member, as the release is keyed: by role and threshold."""
    return Viewer("", "kvalitetsforum", threshold=settings.get("threshold")).scope


def _prepare(path: str, stamp: Stamp, reserved: datasets.Reservation | None = None) -> None:
    """Kvalitetsforum's release (every output for every site, protected together; see
    metrics.release) computed in the background when a new file is opened, so the first
    member who opens a page in a meeting does not wait for it. A member asking meanwhile
    waits for this computation (the release's lock, `reserved` when the thread was
    started; taken here when not), not for a second one."""
    def replaced() -> bool:  # a newer file is in place, with a preparation of its own
        return file_stamp(Path(path)) != stamp

    try:
        try:
            con = _connection(path, stamp)  # the one this thread was started from
        except _Swapped:
            return
        if replaced() or not _built_here(path, stamp):
            return  # the pages will not read this file
        ticket = reserved or datasets.reserve_release(con, _preparation_viewer())
        if ticket is not None:
            ticket.fulfil(con)
    except Exception as error:  # noqa: BLE001 - a page computes it again when asked
        # The type only: a message could quote a value from the data.
        _log.warning("forberedelsen af %s stoppede: %s", path, type(error).__name__)
    finally:
        if reserved is not None:
            reserved.cancel()  # ended early: a page waiting for it makes the release


def dataset(name: str, request: Request) -> pd.DataFrame:
    """One figure's rows as this viewer may see them; a refusal is shown, not raised."""
    current = version()
    if current is None or not request.educations:  # an emptied filter selects nothing
        return pd.DataFrame()
    viewer = _viewer()
    try:
        return _dataset(*current, name, viewer, request)
    except AccessDenied as refusal:
        st.warning(str(refusal))
        return pd.DataFrame()


@st.cache_data(max_entries=64, show_spinner=False)
def _warning(path: str, stamp: Stamp, what: str, viewer: Viewer, request: Request,
             threshold: float) -> pd.DataFrame:
    con = _open(path, stamp)
    if what == "list":
        return datasets.early_warning(con, viewer, request, threshold)
    if what == "active":
        return datasets.active_students(con, viewer, request)
    return datasets.early_warning_backtest(con, viewer, request, threshold)


def early_warning(what: str, request: Request, threshold: float) -> pd.DataFrame:
    """The early warning's `list`, its `active` students or its `backtest`, for this viewer."""
    current = version()
    if current is None or not request.educations:
        return pd.DataFrame()
    try:
        return _warning(*current, what, _viewer(), request, threshold)
    except AccessDenied as refusal:
        st.warning(str(refusal))
        return pd.DataFrame()


@st.cache_data(max_entries=64, show_spinner=False)
def _completeness(path: str, stamp: Stamp, viewer: Viewer, request: Request) -> pd.DataFrame:
    return datasets.completeness(_open(path, stamp), viewer, request)


def completeness(request: Request) -> pd.DataFrame:
    """How complete each figure's basis is, for the education team; empty for anyone else
    (metrics.datasets.completeness), without a warning: the figures are shown as before."""
    current = version()
    viewer = _viewer()
    if current is None or not request.educations or not viewer.may_see_individuals:
        return pd.DataFrame()
    try:
        return _completeness(*current, viewer, request)
    except AccessDenied:
        return pd.DataFrame()


@st.cache_data(max_entries=16, show_spinner=False)
def _backtest(path: str, stamp: Stamp, viewer: Viewer, request: Request) -> pd.DataFrame:
    return datasets.projection_backtest(_open(path, stamp), viewer, request)


def projection_backtest(request: Request) -> pd.DataFrame:
    """The dropout projection's back-test: the education team only (empty for others)."""
    current = version()
    viewer = _viewer()
    if current is None or not request.educations or not viewer.may_see_individuals:
        return pd.DataFrame()
    return _backtest(*current, viewer, request)


@st.cache_data(max_entries=64, show_spinner=False)
def _series(path: str, stamp: Stamp, viewer: Viewer) -> pd.DataFrame:
    return datasets.target_series(_open(path, stamp), viewer)


def target_series() -> pd.DataFrame:
    current = version()
    return _series(*current, _viewer()) if current else pd.DataFrame()


@st.cache_data(max_entries=16, show_spinner=False)
def _initiatives(path: str, stamp: Stamp, viewer: Viewer) -> pd.DataFrame:
    return datasets.initiatives(_open(path, stamp), viewer)


def initiatives() -> pd.DataFrame:
    """The strategy's initiatives (the same for every viewer)."""
    current = version()
    return _initiatives(*current, _viewer()) if current else pd.DataFrame()


@st.cache_data(show_spinner=False)
def _all_sites(path: str, stamp: Stamp) -> list[str]:
    return metrics.sites(_open(path, stamp))


def all_sites() -> list[str]:
    """Every site in the data: for the login gate's demo role picker only."""
    current = version()
    return _all_sites(*current) if current else []


def sites() -> list[str]:
    """The sites this viewer may choose."""
    return _viewer().visible_sites(all_sites())


@st.cache_data(show_spinner=False)
def _year_span(path: str, stamp: Stamp) -> tuple[int, int] | None:
    return metrics.year_span(_open(path, stamp))


def year_span() -> tuple[int, int] | None:
    current = version()
    return _year_span(*current) if current else None


@st.cache_data(show_spinner=False)
def _load_info(path: str, stamp: Stamp) -> dict[str, Any]:
    return db.load_info(_open(path, stamp))


def load_info() -> dict[str, Any]:
    """When and what was loaded. Read from a stale file too: the Data page lists its
    files, and the login gate must know whether it holds real personal data."""
    pinned = _pinned()
    return _load_info(*pinned) if pinned else {}


@st.cache_data(max_entries=8, show_spinner=False)
def _loaded_files(path: str, stamp: Stamp, viewer: Viewer) -> pd.DataFrame:
    return datasets.loaded_files(_open(path, stamp), viewer)


def loaded_files() -> pd.DataFrame:
    """The files of the load in use, as the viewer may see them (datasets.loaded_files)."""
    pinned = _pinned()
    return _loaded_files(*pinned, _viewer()) if pinned else pd.DataFrame()


@st.cache_data(max_entries=4, show_spinner=False)
def _real_here(path: str, stamp: Stamp) -> bool:
    return schema.real_data(_open(path, stamp))


def holds_real_data() -> bool:
    """Whether the pinned file holds real personal data (`schema.real_data`): unless this
    version loaded it as the sealed demo, it does."""
    pinned = _pinned()
    return pinned is not None and _real_here(*pinned)


@st.cache_data(max_entries=16, show_spinner="Laver rapporten …")
def _report(path: str, stamp: Stamp, viewer: Viewer, quarter: str, site: str | None) -> bytes:
    from sosu.report import make_report

    return make_report(_open(path, stamp), viewer, quarter, site)


def report(quarter: str, site: str | None) -> bytes:
    """The same PDF as `sosu report`, for this viewer; ReportError/AccessDenied propagate."""
    current = version()
    if current is None:
        raise AccessDenied("Der er ingen data endnu.")
    return _report(*current, _viewer(), quarter, site)


def targets() -> tuple[list[Target], str | None]:
    try:
        return load_targets(), None
    except TargetsError as error:
        return [], str(error)
