"""Cached access to the query layer.

The connection is cached per file version (inode, mtime): after a load swaps a
new file in, the next rerun opens the new version. Query results are cached per
version and per restriction, so one viewer's figures are never served to another.
The version is fixed once at the start of every script run (app.py calls
pin_version), so all figures on a page come from one file even when a load swaps
a new one in while the page is being drawn.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from queries import metrics, scorecard
from queries.db import connect_read_only, database_path, file_stamp
from queries.targets import Target, TargetsError, load_targets

Stamp = tuple[int, int]


_PINNED = "_sosu_db_version"


class _Swapped(Exception):
    """The file was replaced while it was being opened: which one is open is unknown."""


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(path: str, stamp: Stamp) -> Any:
    con = connect_read_only(Path(path))
    if file_stamp(Path(path)) != stamp:  # a swap between stat and ATTACH: never cache it
        con.close()
        raise _Swapped(path)
    return con


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


def version() -> tuple[str, Stamp] | None:
    """The version pinned for this run; outside a pinned run, the file as it is now."""
    if _PINNED in st.session_state:
        pinned: tuple[str, Stamp] | None = st.session_state[_PINNED]
        return pinned
    return _current()


@st.cache_data(max_entries=256, show_spinner=False)
def _metric(path: str, stamp: Stamp, name: str, sites: tuple[str, ...] | None,
            educations: tuple[str, ...] | None) -> pd.DataFrame:
    return metrics.BY_NAME[name](_open(path, stamp), sites, educations)


def metric(name: str, sites: list[str] | None = None,
           educations: list[str] | None = None) -> pd.DataFrame:
    current = version()
    if current is None or educations == []:  # an emptied filter selects nothing
        return pd.DataFrame()
    return _metric(*current, name, tuple(sites) if sites else None,
                   tuple(educations) if educations else None)


@st.cache_data(max_entries=64, show_spinner=False)
def _series(path: str, stamp: Stamp, sites: tuple[str, ...] | None) -> pd.DataFrame:
    return scorecard.target_series(_open(path, stamp), sites)


def target_series(sites: list[str] | None = None) -> pd.DataFrame:
    current = version()
    if current is None:
        return pd.DataFrame()
    return _series(*current, tuple(sites) if sites else None)


@st.cache_data(show_spinner=False)
def _sites(path: str, stamp: Stamp) -> list[str]:
    return metrics.sites(_open(path, stamp))


def sites() -> list[str]:
    current = version()
    return _sites(*current) if current else []


@st.cache_data(show_spinner=False)
def _load_info(path: str, stamp: Stamp) -> dict[str, Any]:
    return metrics.load_info(_open(path, stamp))


def load_info() -> dict[str, Any]:
    current = version()
    return _load_info(*current) if current else {}


def targets() -> tuple[list[Target], str | None]:
    try:
        return load_targets(), None
    except TargetsError as error:
        return [], str(error)


def in_years(frame: pd.DataFrame, years: tuple[int, int]) -> pd.DataFrame:
    """Rows within the selected years (cohort year or calendar year, whichever it has)."""
    if frame.empty:
        return frame
    column = "aargang" if "aargang" in frame else "aar"
    return frame[frame[column].between(*years)]
