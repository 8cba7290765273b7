"""A load killed at any step, or two loads at once, never leave a broken database: SIGKILL
at every step the load reports, on data big enough for a load to take a while (the
faults that need no second process: tests/sql/test_atomic_load.py).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from sosu.etl.load import load_folder
from tests.support import ROOT, chmod_is_enforced, file_digest, kpi_of

KILL_POINTS = 24  # two per step the load reports, and two before it starts (tested)


EXTRA_STUDENT = "Z0000001,SSA,{day},31,Ekstra sted,ekstern\n"


@dataclass(frozen=True)
class Versions:
    """Data set A, and B = A plus one student, with their figures and live databases."""

    a: Path
    b: Path
    db_a: Path
    figures_a: dict
    figures_b: dict
    phases: tuple[str, ...]  # the steps an undisturbed load reports, in order


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> Versions:
    """Big enough that a load in a fresh process takes about a second, small enough to
    generate in a blink (bench/generate.py, seeded)."""
    from bench.generate import generate

    today = dt.date.today()  # `sosu load` checks dates against the real today
    base = tmp_path_factory.mktemp("versions")
    generate(base / "a", students_per_year=250, years=10, seed=6, today=today,
             municipalities=3)
    shutil.copytree(base / "a", base / "b")
    with open(base / "b" / "elever.csv", "a", encoding="utf-8") as handle:
        handle.write(EXTRA_STUDENT.format(day=today.replace(day=1).isoformat()))
    load_folder(base / "a", base / "a.duckdb", today=today)
    load_folder(base / "b", base / "b.duckdb", today=today)
    phases = _run_paused(base / "b", base / "phases.duckdb", pause_at=None)
    return Versions(base / "a", base / "b", base / "a.duckdb", kpi_of(base / "a.duckdb"),
                    kpi_of(base / "b.duckdb"), tuple(phases))


# A load in a fresh process that reports each step on stdout and, at step `pause_at`
# (-1: before the load starts), waits for the file `go` before going on: a kill point
# chosen by the load's own progress, not by the clock.
_PAUSING_LOAD = """
import datetime as dt, pathlib, sys, time
sys.path.insert(0, '.')
from sosu.etl.load import load_folder
folder, db, pause_at, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), pathlib.Path(sys.argv[4])
steps = []
def wait():
    print('pause', flush=True)
    while not go.exists():
        time.sleep(0.001)
def report(step, _fraction):
    print(step, flush=True)
    if len(steps) == pause_at:
        wait()
    steps.append(step)
if pause_at == -1:
    wait()
load_folder(pathlib.Path(folder), pathlib.Path(db), today=dt.date.today(), progress=report)
print('done', flush=True)
"""


def _start_paused(folder: Path, db: Path, pause_at: int | None,
                  go: Path) -> tuple[subprocess.Popen[str], list[str]]:
    """The pausing load, started; returns once it waits at `pause_at` (or, with None,
    once it has finished), with the steps it reported."""
    process = subprocess.Popen(
        [sys.executable, "-c", _PAUSING_LOAD, str(folder), str(db),
         str(-2 if pause_at is None else pause_at), str(go)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    steps = []
    for line in process.stdout:
        line = line.strip()
        if line in ("pause", "done"):
            break
        steps.append(line)
    return process, steps


def _run_paused(folder: Path, db: Path, pause_at: int | None) -> list[str]:
    process, steps = _start_paused(folder, db, pause_at, db.with_suffix(".go"))
    assert process.wait(timeout=600) == 0
    return steps


def _kill_points(versions: Versions) -> list[tuple[int, float]]:
    """(step, delay): before the load starts (-1), and at every step the load reports,
    killed as the step begins and a seeded few milliseconds into it; the delays only
    spread the kills inside a step, no assertion depends on them."""
    rng = random.Random(20261123)
    steps = range(-1, len(versions.phases))
    return [(step, delay) for step in steps for delay in (0.0, rng.uniform(0.002, 0.15))]


@pytest.mark.parametrize("point", range(KILL_POINTS))
def test_killed_load_leaves_a_whole_database(versions: Versions, tmp_path: Path,
                                             point: int) -> None:
    """SIGKILL at every step the load reports: the live file is the old one byte for
    byte, or (if the kill came after the swap) the complete new one; never a mixture,
    never missing. The next load succeeds and tidies up."""
    db = tmp_path / "live.duckdb"
    shutil.copyfile(versions.db_a, db)
    before = file_digest(db)
    step, delay = _kill_points(versions)[point]
    go = tmp_path / "go"
    process, _steps = _start_paused(versions.b, db, step, go)
    go.touch()
    time.sleep(delay)
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.wait()
    if file_digest(db) == before:
        assert kpi_of(db) == versions.figures_a
    else:
        assert kpi_of(db) == versions.figures_b
        assert not list(tmp_path.glob(".loading-*")), "swapped, so nothing is left beside it"
    load_folder(versions.a, db, today=dt.date.today())
    assert kpi_of(db) == versions.figures_a
    assert not list(tmp_path.glob(".loading-*"))


def test_the_same_data_give_the_same_figures_to_the_last_digit(versions: Versions,
                                                              tmp_path: Path) -> None:
    """Loads run in parallel threads, so rows reach the sums in no fixed order; sums of
    hours must not depend on it (a reload must not move a figure, nor a test compare
    unequal)."""
    for attempt in range(3):
        db = tmp_path / f"again-{attempt}.duckdb"
        load_folder(versions.a, db, today=dt.date.today())
        assert kpi_of(db) == versions.figures_a


def test_kill_points_cover_the_whole_load(versions: Versions) -> None:
    """Every step the load reports is a kill point, from before it starts to after the
    swap; chosen by the load's progress, so a busy machine moves none of them."""
    assert versions.phases[0].startswith("Læser") and versions.phases[-1] == "Færdig"
    assert "Skifter databasen ud" in versions.phases
    # A load that reports more or fewer steps needs KILL_POINTS changed with it.
    assert len(_kill_points(versions)) == 2 * (len(versions.phases) + 1) == KILL_POINTS


_STARTER = """
import pathlib, sys, time
sys.path.insert(0, '.')
from sosu.cli.main import main
go = pathlib.Path(sys.argv[1])
print('ready', flush=True)
while not go.exists():
    time.sleep(0.001)
sys.exit(main(['load', sys.argv[2], '--db', sys.argv[3]]))
"""


def test_two_loads_started_together_one_proceeds_one_is_refused(
        versions: Versions, tmp_path: Path) -> None:
    db = tmp_path / "live.duckdb"
    shutil.copyfile(versions.db_a, db)
    go = tmp_path / "go"
    loads = [subprocess.Popen([sys.executable, "-c", _STARTER, str(go), str(versions.b),
                               str(db)], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for load in loads:  # both have imported everything and wait at the same line
        assert load.stdout and load.stdout.readline().strip() == "ready"
    go.touch()
    results = [(load.wait(timeout=600), load.communicate()[1]) for load in loads]
    assert sorted(code for code, _err in results) == [0, 1]
    refused = next(err for code, err in results if code == 1)
    assert "en anden indlæsning af databasen er i gang; prøv igen, når den er færdig" in refused
    assert "Databasen er ikke ændret" in refused and "Traceback" not in refused
    assert kpi_of(db) == versions.figures_b
    load_folder(versions.a, db, today=dt.date.today())
    assert kpi_of(db) == versions.figures_a


def test_read_only_folder_as_root_without_the_override(tmp_path: Path) -> None:
    """CI runs as root, where chmod 0555 stops nothing: run the read-only folder cases of
    tests/sql/test_atomic_load.py in a child pytest that has dropped CAP_DAC_OVERRIDE
    (util-linux setpriv), so a 0555 folder refuses root's writes as it refuses everybody
    else's. Here, not in `make check`: the child pytest starts the whole package again."""
    if chmod_is_enforced(tmp_path):
        return  # not root: `make check` ran the cases directly
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed to test a read-only folder as root"
    cases = (ROOT / "tests" / "sql" / "test_atomic_load.py").as_posix()
    child = subprocess.run(
        [setpriv, "--bounding-set=-dac_override,-dac_read_search", sys.executable, "-m",
         "pytest", "-q", "-p", "no:cacheprovider", "-rs",
         f"{cases}::test_read_only_folder_gives_a_clear_message_and_keeps_the_database"],
        cwd=ROOT, capture_output=True, text=True, timeout=1200)
    summary = child.stdout.strip().splitlines()[-1]
    assert child.returncode == 0 and summary.startswith("3 passed"), child.stdout[-3000:]
    assert "skipped" not in summary
