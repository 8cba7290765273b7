"""Constants and plain helpers shared by every test level.

Not a test module and not a conftest: test modules and conftests import from here (and
from bench/), never from a test module or a conftest. Fixtures live in the conftests.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parent / "data"
MINIMAL = DATA / "minimal"
# The optional sixth file: tests/data/minimal plus this is the initiatives fixture.
INITIATIVES = DATA / "initiatives" / "indsatser.csv"
# A foreign export of the same students (other headers, values, date format, an extra
# column, several rows per student, a resumed spell) and the import profile that reads it.
FOREIGN = DATA / "foreign"
FOREIGN_PROFILE = FOREIGN / "profil.toml"
GOLDEN = Path(__file__).parent / "golden"
ROOT = Path(__file__).resolve().parent.parent
# The day every test (and the golden files) takes as today: the demo and the date checks
# depend on it.
TODAY = dt.date(2026, 11, 22)
DOWNLOAD_SECONDS = 4  # how long a downloaded file stays on the browser tests' server
# Two sites of the demo municipality: a leder's own and one they may not see.
DEMO_SITE, DEMO_OTHER_SITE = "Døgnplejen Nord", "Døgnplejen Syd"


def require_chromium() -> None:
    """Skip a browser test without Chromium, except in CI (CI=true), where a missing
    browser fails the run instead of silently skipping."""
    import pytest

    from bench.browser import chromium_missing

    if chromium_missing():
        if os.environ.get("CI"):
            raise RuntimeError("Chromium is required in CI: apt-get install chromium")
        pytest.skip("Chromium not installed (apt-get install chromium)")


# --- a load swapping a new database in while pages run --------------------------------
# (tests/app and tests/slow test_concurrent_sessions.py) One more SSA student, hired after
# the newest date in the fixture. Two figures on Overblik change, from two separate
# queries: "Data pr." (the load info) and the SSA cohort 2023 main-course dropout on the
# scorecard, 1 of 4 students → 1 of 5.
SWAP_EXTRA_STUDENT = "C1,SSA,2023-10-15,40,Plejecenter Å,ekstern\n"
SWAP_OLD = ("Data pr. 30-09-2023", "1 af 4")
SWAP_NEW = ("Data pr. 15-10-2023", "1 af 5")


def swap_folders(tmp_path: Path) -> tuple[Path, Path]:
    """The fixture sealed as demo data (the app shows it without a login), and the same
    with SWAP_EXTRA_STUDENT."""
    import shutil

    from sosu.etl.demoseal import write_marker

    original, changed = tmp_path / "original", tmp_path / "changed"
    shutil.copytree(MINIMAL, original)
    write_marker(original)  # sealed as `sosu demo` seals its folders
    shutil.copytree(original, changed)
    with open(changed / "elever.csv", "a", encoding="utf-8") as handle:
        handle.write(SWAP_EXTRA_STUDENT)
    write_marker(changed)  # the edit broke the seal: reseal, this is still test data
    return original, changed


def swap_version(text: str) -> str:
    """'old' or 'new' (see SWAP_OLD, SWAP_NEW); fails on a page whose figures come from
    both."""
    date_new = SWAP_NEW[0] in text
    assert date_new != (SWAP_OLD[0] in text), "exactly one 'Data pr.' date"
    figure_new = SWAP_NEW[1] in text
    assert figure_new == date_new, (
        f"mixture: {'new' if date_new else 'old'} date with "
        f"{'new' if figure_new else 'old'} scorecard")
    return "new" if date_new else "old"


# --- hostile text in every free-text column (tests/sql and tests/app test_injection.py) --
HOSTILE_SITE = "<img src=x onerror=alert(1)>'; DROP TABLE elever; --"
HOSTILE_WORKPLACE = "**[klik](javascript:alert(1))** ![x](http://example.invalid/x.png)"
HOSTILE_STUDENT = "E1'); DELETE FROM elever; --"


def write_hostile_copy(folder: Path) -> Path:
    """The fixture with a hostile site, workplace and student id, written to `folder`."""
    import shutil

    shutil.copytree(MINIMAL, folder)
    for path in folder.glob("*.csv"):
        text = path.read_text(encoding="utf-8").replace("Plejecenter Å", f'"{HOSTILE_SITE}"')
        text = text.replace("SSA-elev", f'"{HOSTILE_WORKPLACE}"')
        path.write_text(text.replace("A1,", f'"{HOSTILE_STUDENT}",'), encoding="utf-8")
    return folder


def kpi_of(db: Path) -> dict:
    """`sosu kpi --json`'s figures of the database `db`, read as the dashboard reads it."""
    from sosu.metrics.kpi import kpi
    from sosu.store.db import connect_read_only

    con = connect_read_only(db)
    try:
        return kpi(con)
    finally:
        con.close()


def file_digest(path: Path) -> str:
    """The file's SHA-256: the same bytes, or not."""
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def sweep(values: Sequence[Any], ids: Sequence[str] | None = None, *, kept: int = 1,
          group: Callable[[Any], object] | None = None) -> list[Any]:
    """Parameters for a test run over many inputs: `make check` runs the first `kept`, or
    with `group` the first of each group, and `make test` every one (the others carry the
    `sweep` marker). For load-per-input tests whose inputs exercise one mechanism, so the
    fast check keeps a representative of each way in (one per reader, one per file)."""
    checked = _first_of_each(values, group) if group else set(range(kept))
    return [pytest.param(*(v if isinstance(v, tuple) else (v,)),
                         id=None if ids is None else ids[i],
                         marks=() if i in checked else (pytest.mark.sweep,))
            for i, v in enumerate(values)]


def _first_of_each(values: Sequence[Any], group: Callable[[Any], object]) -> set[int]:
    seen: set[object] = set()
    first = set()
    for index, value in enumerate(values):
        if group(value) not in seen:
            seen.add(group(value))
            first.add(index)
    return first


def chmod_is_enforced(folder: Path) -> bool:
    """False when running as root (or similar), where 0555 does not stop writes."""
    probe = folder / "probe"
    probe.mkdir()
    probe.chmod(0o555)
    try:
        (probe / "x").touch()
    except PermissionError:
        return True
    finally:
        probe.chmod(0o755)
    return False


class _TextPathTaken(Exception):
    pass


def fast_path_accepts(folder: Path, profile: Any = None) -> bool:
    """Does a load of `folder` keep to the fast path (sosu.etl.fast) to the end: its
    reading and rules, then the screens over the tables the build made?"""
    import tempfile
    from unittest import mock

    import duckdb

    import sosu.etl.load
    from sosu.etl.fast import validate_fast

    if validate_fast(duckdb.connect(), folder, TODAY, profile=profile) is None:
        return False  # declined before the build: no need to build

    def text_path(*_args: object, **_kwargs: object) -> dict[str, str]:
        raise _TextPathTaken

    with (tempfile.TemporaryDirectory() as tmp,
          mock.patch.object(sosu.etl.load, "validate_folder", text_path)):
        try:
            sosu.etl.load.load_folder(folder, Path(tmp) / "sosu.duckdb", today=TODAY,
                                      profile=profile)
        except _TextPathTaken:
            return False
    return True


def attacked_interval(values: Any, unknown: Any, equations: Any, at_least: Any, *,
                      cell: int) -> tuple[float, float]:
    """The interval of one cell as an attacker computes it, with none of the protection's
    code: `equations` (rows of coefficients over every cell, each summing to 0) and
    `at_least` (rows whose sum is 0 or more), sparse matrices as given; the cells known
    are put in, a linear program (HiGHS) runs over the unknown cells connected to `cell`,
    each at least 1, or 0 where it is 0. Unbounded above counts as infinitely wide."""
    import numpy as np
    from scipy import sparse
    from scipy.optimize import linprog
    from scipy.sparse.csgraph import connected_components

    values = np.asarray(values, dtype="float64")
    columns = np.flatnonzero(unknown)
    known = np.where(unknown, 0.0, values)
    both = sparse.vstack([sparse.csr_matrix(equations), sparse.csr_matrix(at_least)]).tocsr()
    sub = both[:, columns].tocsr()
    graph = sparse.bmat([[None, sub], [sub.T, None]]).tocsr()
    _, labels = connected_components(graph, directed=False)
    n_rows = sub.shape[0]
    label = labels[n_rows + int(np.flatnonzero(columns == cell)[0])]
    mine = np.flatnonzero(labels[n_rows:] == label)
    rows = np.flatnonzero(labels[:n_rows] == label)
    n_equal = sparse.csr_matrix(equations).shape[0]
    equal, more = rows[rows < n_equal], rows[rows >= n_equal]
    right = -(both @ known)
    target = int(np.flatnonzero(columns[mine] == cell)[0])
    bounds = [(min(values[c], 1.0), 0.0 if values[c] == 0 else None) for c in columns[mine]]
    extremes = []
    for sense in (1.0, -1.0):
        objective = np.zeros(len(mine))
        objective[target] = sense
        result = linprog(
            objective, A_eq=sub[equal][:, mine] if len(equal) else None,
            b_eq=right[equal] if len(equal) else None,
            A_ub=-sub[more][:, mine] if len(more) else None,
            b_ub=-right[more] if len(more) else None, bounds=bounds, method="highs")
        assert result.status in (0, 3), result.message  # optimal, or unbounded
        extremes.append(sense * result.fun if result.status == 0 else -sense * np.inf)
    return extremes[0], extremes[1]
