"""Hostile text in every free-text column is data: stored as is (shown as plain text:
tests/app/test_injection.py)."""

from __future__ import annotations

from pathlib import Path

from sosu.domain.roles import Viewer
from sosu.metrics import datasets
from sosu.store.db import connect_read_only
from tests.support import HOSTILE_SITE, HOSTILE_STUDENT, HOSTILE_WORKPLACE


def test_hostile_text_is_stored_verbatim_and_breaks_nothing(hostile_db: Path) -> None:
    con = connect_read_only(hostile_db)
    team = Viewer("t", "uddannelse")
    assert HOSTILE_SITE in datasets.sites(con, team)
    request = datasets.Request(HOSTILE_SITE, ("SSH", "SSA"), (2019, 2026))
    assert int(datasets.cohorts(con, team, request).ansatte.sum()) == 4
    assert HOSTILE_STUDENT in set(datasets.students(con, team, request).elev_id)
    workplaces = datasets.workplaces(con, team, datasets.Request(None, ("SSH",), (2019, 2026)))
    assert HOSTILE_WORKPLACE in set(workplaces.arbejdssted)
    con.close()
