"""Cached access to the query layer.

The connection is cached per file version (inode, mtime): after a load swaps a
new file in, the next rerun opens the new version. Query results are cached per
version and per restriction, so one viewer's figures are never served to another.
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


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(path: str, stamp: Stamp) -> Any:
    return connect_read_only(Path(path))


def version() -> tuple[str, Stamp] | None:
    path = database_path()
    stamp = file_stamp(path)
    return (str(path), stamp) if stamp else None


@st.cache_data(max_entries=256, show_spinner=False)
def _metric(path: str, stamp: Stamp, name: str, sites: tuple[str, ...] | None,
            educations: tuple[str, ...] | None) -> pd.DataFrame:
    return metrics.BY_NAME[name](_connection(path, stamp), sites, educations)


def metric(name: str, sites: list[str] | None = None,
           educations: list[str] | None = None) -> pd.DataFrame:
    current = version()
    if current is None or educations == []:  # an emptied filter selects nothing
        return pd.DataFrame()
    return _metric(*current, name, tuple(sites) if sites else None,
                   tuple(educations) if educations else None)


@st.cache_data(max_entries=64, show_spinner=False)
def _series(path: str, stamp: Stamp, sites: tuple[str, ...] | None) -> pd.DataFrame:
    return scorecard.target_series(_connection(path, stamp), sites)


def target_series(sites: list[str] | None = None) -> pd.DataFrame:
    current = version()
    if current is None:
        return pd.DataFrame()
    return _series(*current, tuple(sites) if sites else None)


@st.cache_data(show_spinner=False)
def _sites(path: str, stamp: Stamp) -> list[str]:
    return metrics.sites(_connection(path, stamp))


def sites() -> list[str]:
    current = version()
    return _sites(*current) if current else []


@st.cache_data(show_spinner=False)
def _load_info(path: str, stamp: Stamp) -> dict[str, Any]:
    return metrics.load_info(_connection(path, stamp))


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
