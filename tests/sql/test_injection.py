"""Hostile text in every free-text column is data: stored as is (shown as plain text:
tests/app/test_injection.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sosu.domain.roles import Viewer
from sosu.etl.load import load_folder
from sosu.metrics import datasets
from sosu.store.db import connect_read_only
from tests.support import MINIMAL, TODAY

SITE = "<img src=x onerror=alert(1)>'; DROP TABLE elever; --"
WORKPLACE = "**[klik](javascript:alert(1))** ![x](http://example.invalid/x.png)"
STUDENT = "E1'); DELETE FROM elever; --"


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    shutil.copytree(MINIMAL, folder / "csv")
    for path in (folder / "csv").glob("*.csv"):
        text = path.read_text(encoding="utf-8").replace("Plejecenter Å", f'"{SITE}"')
        text = text.replace("SSA-elev", f'"{WORKPLACE}"').replace("A1,", f'"{STUDENT}",')
        path.write_text(text, encoding="utf-8")
    db = folder / "sosu.duckdb"
    load_folder(folder / "csv", db, today=TODAY)
    return db


def test_hostile_text_is_stored_verbatim_and_breaks_nothing(hostile_db: Path) -> None:
    con = connect_read_only(hostile_db)
    team = Viewer("t", "uddannelse")
    assert SITE in datasets.sites(con, team)
    request = datasets.Request(SITE, ("SSH", "SSA"), (2019, 2026))
    assert int(datasets.cohorts(con, team, request).ansatte.sum()) == 4
    assert STUDENT in set(datasets.students(con, team, request).elev_id)
    workplaces = datasets.workplaces(con, team, datasets.Request(None, ("SSH",), (2019, 2026)))
    assert WORKPLACE in set(workplaces.arbejdssted)
    con.close()
