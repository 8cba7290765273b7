"""Fixtures the browser tests share: the app on the hand-made fixture, marked as demo
data so no login is asked for."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from bench.browser import streamlit_server
from tests.support import DOWNLOAD_SECONDS, MINIMAL, TODAY


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The hand-made fixture marked as demo data, so no login is asked for."""
    from sosu.etl.demoseal import write_marker
    from sosu.etl.load import load_folder

    folder = tmp_path_factory.mktemp("browser")
    shutil.copytree(MINIMAL, folder / "csv")
    write_marker(folder / "csv")  # sealed as `sosu demo` seals its folders
    load_folder(folder / "csv", folder / "sosu.duckdb", today=TODAY)
    with streamlit_server(folder / "sosu.duckdb", SOSU_USERS=str(folder / "ingen.toml"),
                          SOSU_LOG=str(folder / "log.jsonl"),
                          SOSU_HENTNING_SEKUNDER=str(DOWNLOAD_SECONDS)) as running:
        yield running.url
