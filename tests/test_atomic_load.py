"""A load never disturbs the live database: readers keep working, loads don't overlap."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
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

from sosu.etl.load import _exclusive, load_folder
from sosu.etl.problems import ValidationFailed
from sosu.metrics import metrics
from sosu.metrics.kpi import kpi
from sosu.store.db import connect_read_only
from tests.conftest import MINIMAL, TODAY

ROOT = Path(__file__).resolve().parent.parent


def test_open_reader_keeps_its_snapshot_and_a_new_one_sees_the_new_data(
        tmp_path: Path, minimal_copy: Path) -> None:
    db = tmp_path / "live.duckdb"
    load_folder(MINIMAL, db, today=TODAY)
    reader = connect_read_only(db)
    before = metrics.cohorts(reader).ansatte.sum()
    elever = minimal_copy / "elever.csv"
    elever.write_text(elever.read_text(encoding="utf-8")
                      + "C1,SSA,2023-03-01,40,Plejecenter Å,ekstern\n", encoding="utf-8")
    load_folder(minimal_copy, db, today=TODAY)
    assert metrics.cohorts(reader).ansatte.sum() == before
    fresh = connect_read_only(db)
    assert metrics.cohorts(fresh).ansatte.sum() == before + 1
    reader.close()
    fresh.close()


def test_reader_in_another_process_does_not_block_a_load(tmp_path: Path) -> None:
    db = tmp_path / "live.duckdb"
    load_folder(MINIMAL, db, today=TODAY)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; sys.path.insert(0, '.');"
         "from sosu.store.db import connect_read_only; from pathlib import Path;"
         f"c = connect_read_only(Path({str(db)!r})); print('open', flush=True); time.sleep(30)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout and holder.stdout.readline().strip() == "open"
        load_folder(MINIMAL, db, today=TODAY)
    finally:
        holder.kill()
        holder.wait()


def test_second_simultaneous_load_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "live.duckdb"
    with _exclusive(db), pytest.raises(ValidationFailed) as refused:
        load_folder(MINIMAL, db, today=TODAY)
    assert "en anden indlæsning" in refused.value.report()[0]
    assert not db.exists()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _figures(db: Path) -> dict:
    con = connect_read_only(db)
    try:
        return kpi(con)
    finally:
        con.close()


# --- faults during a load: SIGKILL, two loads at once, a read-only folder ---------------

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
    return Versions(base / "a", base / "b", base / "a.duckdb", _figures(base / "a.duckdb"),
                    _figures(base / "b.duckdb"), tuple(phases))


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
    assert process.wait(timeout=120) == 0
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
    before = _digest(db)
    step, delay = _kill_points(versions)[point]
    go = tmp_path / "go"
    process, _steps = _start_paused(versions.b, db, step, go)
    go.touch()
    time.sleep(delay)
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.wait()
    if _digest(db) == before:
        assert _figures(db) == versions.figures_a
    else:
        assert _figures(db) == versions.figures_b
        assert not list(tmp_path.glob(".loading-*")), "swapped, so nothing is left beside it"
    load_folder(versions.a, db, today=dt.date.today())
    assert _figures(db) == versions.figures_a
    assert not list(tmp_path.glob(".loading-*"))


def test_the_same_data_give_the_same_figures_to_the_last_digit(versions: Versions,
                                                              tmp_path: Path) -> None:
    """Loads run in parallel threads, so rows reach the sums in no fixed order; sums of
    hours must not depend on it (a reload must not move a figure, nor a test compare
    unequal)."""
    for attempt in range(3):
        db = tmp_path / f"again-{attempt}.duckdb"
        load_folder(versions.a, db, today=dt.date.today())
        assert _figures(db) == versions.figures_a


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
    results = [(load.wait(timeout=60), load.communicate()[1]) for load in loads]
    assert sorted(code for code, _err in results) == [0, 1]
    refused = next(err for code, err in results if code == 1)
    assert "en anden indlæsning af databasen er i gang; prøv igen, når den er færdig" in refused
    assert "Databasen er ikke ændret" in refused and "Traceback" not in refused
    assert _figures(db) == versions.figures_b
    load_folder(versions.a, db, today=dt.date.today())
    assert _figures(db) == versions.figures_a


def _chmod_is_enforced(folder: Path) -> bool:
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


@pytest.fixture
def live(tmp_path: Path) -> Path:
    """A live database in its own folder, loaded once (so the lock file exists)."""
    folder = tmp_path / "data"
    folder.mkdir()
    db = folder / "live.duckdb"
    load_folder(MINIMAL, db, today=TODAY)
    return db


def _refused_clearly(db: Path, before: str, folder: Path = MINIMAL, **kwargs: object) -> None:
    with pytest.raises(ValidationFailed) as refused:
        load_folder(folder, db, today=TODAY, **kwargs)  # type: ignore[arg-type]
    message = refused.value.report()[0]
    assert message == (f"{db.parent.name}: databasen kan ikke skrives (skrivebeskyttet mappe); "
                       "den gamle database er uændret")
    assert _digest(db) == before


@pytest.mark.parametrize("when", ["before", "before_without_lock_file", "at_the_swap"])
def test_read_only_folder_gives_a_clear_message_and_keeps_the_database(
        live: Path, tmp_path: Path, when: str) -> None:
    if not _chmod_is_enforced(tmp_path):
        pytest.skip("root ignores chmod 0555 here; test_read_only_folder_as_root_without_"
                    "the_override runs this test again with that power dropped")
    before = _digest(live)
    folder = live.parent
    if when == "before_without_lock_file":
        live.with_name(live.name + ".lock").unlink()

    def turn_read_only(step: str, _fraction: float) -> None:
        if step == "Skifter databasen ud":
            folder.chmod(0o555)

    try:
        if when == "at_the_swap":
            _refused_clearly(live, before, progress=turn_read_only)
        else:
            folder.chmod(0o555)
            _refused_clearly(live, before)
    finally:
        folder.chmod(0o755)
    load_folder(MINIMAL, live, today=TODAY)  # writable again: loads and tidies up
    assert sorted(p.name for p in folder.iterdir()) == [
        "live-historik", "live.duckdb", "live.duckdb.lock"]


def test_read_only_folder_as_root_without_the_override(tmp_path: Path) -> None:
    """CI runs as root, where chmod 0555 stops nothing: run the read-only folder cases in
    a child pytest that has dropped CAP_DAC_OVERRIDE (util-linux setpriv), so a 0555
    folder refuses root's writes as it refuses everybody else's."""
    if _chmod_is_enforced(tmp_path):
        return  # not root: the test above ran the cases directly
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed to test a read-only folder as root"
    child = subprocess.run(
        [setpriv, "--bounding-set=-dac_override,-dac_read_search", sys.executable, "-m",
         "pytest", "-q", "-p", "no:cacheprovider", "-rs",
         f"{__file__}::test_read_only_folder_gives_a_clear_message_and_keeps_the_database"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    summary = child.stdout.strip().splitlines()[-1]
    assert child.returncode == 0 and summary.startswith("3 passed"), child.stdout[-3000:]
    assert "skipped" not in summary


def _denied(*_args: object, **_kwargs: object) -> None:
    raise PermissionError(errno.EACCES, "Permission denied")


@pytest.mark.parametrize("where", ["lock_file", "new_database", "swap"])
def test_write_refused_by_the_system_gives_a_clear_message(
        live: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """The same faults as a read-only folder, simulated, so they run as root too."""
    import duckdb

    import sosu.etl.load

    before = _digest(live)
    if where == "lock_file":
        live.with_name(live.name + ".lock").unlink()
        monkeypatch.setattr(sosu.etl.load, "open", _denied, raising=False)
    elif where == "new_database":
        real_connect = duckdb.connect

        def read_only_folder(path: str = ":memory:", *args: object, **kw: object) -> object:
            if ".loading-" in str(path):
                raise duckdb.IOException(f'Cannot open file "{path}": Permission denied')
            return real_connect(path, *args, **kw)  # type: ignore[arg-type]

        monkeypatch.setattr(sosu.etl.load.duckdb, "connect", read_only_folder)
    else:
        monkeypatch.setattr(sosu.etl.load.os, "replace", _denied)
    _refused_clearly(live, before)
    monkeypatch.undo()
    assert not list(live.parent.glob(".loading-*"))
    load_folder(MINIMAL, live, today=TODAY)


def test_disk_full_during_a_load_keeps_the_old_database(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import duckdb

    import sosu.etl.load

    db = tmp_path / "live.duckdb"
    load_folder(MINIMAL, db, today=TODAY)
    before = _digest(db)
    real_connect = duckdb.connect

    def full_disk(path: str = ":memory:", *args: object, **kwargs: object) -> object:
        if ".loading-" in str(path):
            raise duckdb.IOException("No space left on device")
        return real_connect(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sosu.etl.load.duckdb, "connect", full_disk)
    with pytest.raises(ValidationFailed) as refused:
        load_folder(MINIMAL, db, today=TODAY)
    assert "fuld disk" in refused.value.report()[0]
    assert _digest(db) == before
