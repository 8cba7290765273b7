from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
MINIMAL = DATA / "minimal"
TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def minimal_copy(tmp_path: Path) -> Path:
    """A writable copy of the hand-made fixture, for tests that alter it."""
    target = tmp_path / "input"
    shutil.copytree(MINIMAL, target)
    return target


@pytest.fixture
def minimal_db(tmp_path: Path) -> Path:
    from etl.load import load_folder

    db = tmp_path / "minimal.duckdb"
    load_folder(MINIMAL, db, today=TODAY)
    return db
