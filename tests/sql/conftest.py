"""Fixtures of the SQL level."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support import DEMO_SITE, MINIMAL


@pytest.fixture
def minimal_copy(tmp_path: Path) -> Path:
    """A writable copy of the hand-made fixture, for tests that alter it."""
    target = tmp_path / "input"
    shutil.copytree(MINIMAL, target)
    return target


@pytest.fixture(scope="session")
def demo_site_report(demo_db: Path) -> bytes:
    """The quarterly PDF of 2025Q3 on the demo data as the leder of DEMO_SITE gets it:
    every kind of page, with hidden cells. Made once per test process (about 2 s of
    CPU) for the tests that read its figures, its layout and its tagged structure."""
    from sosu.domain.roles import Viewer
    from sosu.report import make_report
    from sosu.store.db import connect_read_only

    con = connect_read_only(demo_db)
    try:
        return make_report(con, Viewer("leder", "leder", (DEMO_SITE,)), "2025Q3", DEMO_SITE)
    finally:
        con.close()
