"""A protected release is cached per database file version and scope (metrics.datasets),
never handed to a connection that reads other data."""

from __future__ import annotations

import os
import shutil
from collections import OrderedDict
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from sosu.domain.roles import Viewer
from sosu.etl.load import load_folder
from sosu.metrics import datasets
from sosu.store.db import connect_read_only, load_info
from tests.support import TODAY

FORUM = Viewer("kf", "kvalitetsforum")
EXTRA_STUDENT = "C1,SSA,2023-03-01,40,Plejecenter Å,ekstern\n"


@pytest.fixture(autouse=True)
def own_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """A release cache of each test's own, emptied at will (forget_releases): the other
    tests of the process keep theirs (a release of the demo costs 5 s of CPU)."""
    monkeypatch.setattr(datasets, "_RELEASES", OrderedDict())


@pytest.fixture
def other_data_same_load_info(minimal_db: Path, minimal_copy: Path, tmp_path: Path) -> Path:
    """The fixture plus one student, loaded with the minimal database's load information
    (as two loads in the same second of the same files' names and sizes would have)."""
    with open(minimal_copy / "elever.csv", "a", encoding="utf-8") as handle:
        handle.write(EXTRA_STUDENT)
    db = tmp_path / "other.duckdb"
    load_folder(minimal_copy, db, today=TODAY)
    con = duckdb.connect(str(db))
    try:
        con.execute("ATTACH ? AS a (READ_ONLY)", [str(minimal_db)])
        con.execute("DELETE FROM indlaesning")
        con.execute("INSERT INTO indlaesning SELECT * FROM a.indlaesning")
    finally:
        con.close()
    return db


def test_a_file_swapped_in_gets_its_own_release_whatever_the_connection_id(
        minimal_db: Path, other_data_same_load_info: Path) -> None:
    """The old key, id(con) and the load information, handed the new file the old file's
    release: CPython gives a new connection the id of one just closed."""
    datasets.forget_releases()
    other = connect_read_only(other_data_same_load_info)
    old = connect_read_only(minimal_db)
    assert load_info(old) == load_info(other)
    other.close()
    before = datasets.scope_release(old, FORUM)
    old.close()
    del old
    os.replace(other_data_same_load_info, minimal_db)  # as a load swaps its new file in
    new = connect_read_only(minimal_db)
    after = datasets.scope_release(new, FORUM)
    datasets.forget_releases()
    pd.testing.assert_frame_equal(after.tables["cohorts"],
                                  datasets.scope_release(new, FORUM).tables["cohorts"])
    # Made from the new file's counts (on so small a fixture both show nothing but
    # "skjult", so the counts the release was made from tell them apart).
    assert after.system.cells.value.sum() != before.system.cells.value.sum()
    new.close()


def test_copies_of_one_file_share_nothing_but_one_connection_reuses_its_release(
        minimal_db: Path, tmp_path: Path) -> None:
    datasets.forget_releases()
    copy = tmp_path / "kopi.duckdb"
    shutil.copy2(minimal_db, copy)
    con = connect_read_only(minimal_db)
    first = datasets.scope_release(con, FORUM)
    assert datasets.scope_release(con, FORUM) is first
    assert datasets.scope_release(connect_read_only(minimal_db), FORUM) is first
    assert datasets.scope_release(connect_read_only(copy), FORUM) is not first
    con.close()
