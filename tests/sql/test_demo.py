"""The demo municipality passes validation and reproduces the published figures."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sosu.etl.demo import write_demo
from sosu.etl.demoseal import DEMO_MARKER
from sosu.etl.load import load_folder
from sosu.etl.problems import ValidationFailed
from sosu.metrics.kpi import kpi
from sosu.store.db import connect_read_only
from sosu.store.schema import holds_real_data
from tests.support import MINIMAL, TODAY, sweep


@pytest.fixture(scope="module", params=[TODAY, dt.date(2027, 3, 1)], ids=["today", "later"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict:
    if request.param == TODAY:  # the session's demo (tests/conftest.py), loaded the same way
        folder, db = request.getfixturevalue("demo_folder"), request.getfixturevalue("demo_db")
    else:
        folder = tmp_path_factory.mktemp("demo")
        write_demo(folder, request.param)
        db = folder / "demo.duckdb"
        load_folder(folder, db, today=request.param)  # every contract rule must pass
    con = connect_read_only(db)
    try:
        result = kpi(con)
    finally:
        con.close()
    result["folder"] = folder
    return result


def _cohort(demo: dict, education: str, year: int) -> dict:
    return next(c for c in demo["cohorts"]
                if c["uddannelse"] == education and c["aargang"] == year)


def test_published_cohorts(demo: dict) -> None:
    ssh = _cohort(demo, "SSH", 2022)
    assert (ssh["ansatte"], ssh["gennemfoert"], ssh["ansat_efter"]) == (37, 31, 19)
    assert ssh["frafald_hovedforloeb"] == 6 and ssh["afsluttet"]
    ssa = _cohort(demo, "SSA", 2020)
    assert (ssa["ansatte"], ssa["gennemfoert"], ssa["ansat_efter"]) == (45, 27, 15)
    assert ssa["frafald_hovedforloeb"] == 18 and ssa["afsluttet"]
    # The strategy's 41.4 %: 34 of 82.
    assert (ssh["ansat_efter"] + ssa["ansat_efter"]) / (ssh["ansatte"] + ssa["ansatte"]) == (
        pytest.approx(0.4146, abs=1e-4))


def test_where_the_published_graduates_were_hired(demo: dict) -> None:
    places = {(p["uddannelse"], p["aargang"], p["arbejdssted"]): p["antal"]
              for p in demo["ansat_efter_sted"]}
    assert {k[2]: v for k, v in places.items() if k[:2] == ("SSH", 2022)} == {
        "Døgnplejen": 7, "Omsorgscentre/daghjem": 7, "SSA-elev": 5}
    assert {k[2]: v for k, v in places.items() if k[:2] == ("SSA", 2020)} == {
        "Døgnplejen": 8, "Omsorgscentre/daghjem": 5, "Rehabilitering": 2}


def test_sick_leave_2023(demo: dict) -> None:
    year = next(s for s in demo["sygefravaer"] if s["aar"] == 2023)
    assert round(100 * year["andel"], 2) == 8.84


def test_dropout_reasons_2023(demo: dict) -> None:
    table = {(r["uddannelse"], r["aarsag"]): r["antal"]
             for r in demo["frafaldsaarsager"] if r["aar"] == 2023}
    assert {k[1]: v for k, v in table.items() if k[0] == "SSA"} == {
        "privatliv": 6, "faglige_krav": 5, "fravaer": 4, "sygdom": 3, "skift_ssa_ssh": 3,
        "job_anden_kommune": 3, "flyttet": 1, "doedsfald": 1, "andet": 2}
    assert {k[1]: v for k, v in table.items() if k[0] == "SSH"} == {
        "faglige_krav": 5, "forkert_valg": 2, "andet": 2}


def test_hires_2023(demo: dict) -> None:
    rows = {h["uddannelse"]: h for h in demo["ansaettelser"] if h["aar"] == 2023}
    assert rows["SSA"]["ansatte"] + rows["SSH"]["ansatte"] == 98
    assert rows["SSA"]["intern_ufaglaert"] + rows["SSH"]["intern_ufaglaert"] == 11
    assert (rows["SSA"]["intern_ssh"], rows["SSH"]["intern_ssh"]) == (5, 0)
    assert (rows["SSA"]["alder_25_plus"], rows["SSH"]["alder_25_plus"]) == (48, 29)


def test_the_five_ssh_staff_are_ssh_2022_graduates(demo: dict) -> None:
    folder: Path = demo["folder"]
    elever = pd.read_csv(folder / "elever.csv")
    ssa_2023 = elever[(elever.uddannelse == "SSA") & (elever.rekruttering == "ssh")
                      & elever.ansat_dato.str.startswith("2023")]
    ssh_2022 = elever[(elever.uddannelse == "SSH") & elever.ansat_dato.str.startswith("2022")]
    assert set(ssa_2023.elev_id) <= set(ssh_2022.elev_id)


def test_running_cohorts_and_sites(demo: dict) -> None:
    elever = pd.read_csv(demo["folder"] / "elever.csv")
    assert elever.oplaeringssted.nunique() >= 6
    latest = max(c["aargang"] for c in demo["cohorts"])
    assert all(c["aktive"] > 0 for c in demo["cohorts"] if c["aargang"] == latest)
    assert not elever.elev_id.str.fullmatch(r"\d{6}-?\d{4}").any()


def test_deterministic(demo_folder: Path, tmp_path: Path) -> None:
    write_demo(tmp_path / "again", TODAY)  # the session's demo_folder is the first writing
    for name in ("elever", "gennemfoerte", "frafald", "sygefravaer", "efter_uddannelse"):
        assert (demo_folder / f"{name}.csv").read_bytes() == (
            tmp_path / "again" / f"{name}.csv").read_bytes()


def _loaded_as_demo(folder: Path, tmp_path: Path) -> bool:
    db = tmp_path / "x.duckdb"
    summary = load_folder(folder, db, today=TODAY)
    assert summary.demo == (not holds_real_data(db))
    return summary.demo


def test_the_demo_folder_loads_as_demo(demo_folder: Path, tmp_path: Path) -> None:
    assert _loaded_as_demo(demo_folder, tmp_path)


def _copy(folder: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(folder, target)
    return target


@pytest.mark.parametrize("change", sweep(["edited_byte", "appended_row", "extra_file",
                                          "file_removed", "marker_beside_real_files",
                                          "marker_from_an_old_version"]))
def test_anything_but_the_exact_demo_files_loads_as_real_data(
        demo_folder: Path, tmp_path: Path, change: str) -> None:
    """A copied or stale marker proves nothing: the data are real and need login."""
    folder = _copy(demo_folder, tmp_path)
    if change == "edited_byte":  # one student's age, same length
        text = (folder / "elever.csv").read_text(encoding="utf-8")
        line = text.splitlines()[1].split(",")
        line[3] = "30" if line[3] != "30" else "31"
        (folder / "elever.csv").write_text(
            text.replace(text.splitlines()[1], ",".join(line), 1), encoding="utf-8")
    elif change == "appended_row":
        with open(folder / "elever.csv", "a", encoding="utf-8") as handle:
            handle.write("E99999,SSA,2023-10-15,40,Omsorgscenter Engly,ekstern\n")
    elif change == "extra_file":  # the load ignores it, but it is not what the demo wrote
        (folder / "noter.txt").write_text("rigtige navne", encoding="utf-8")
    elif change == "file_removed":
        (folder / "indsatser.csv").unlink()
    elif change == "marker_beside_real_files":
        folder = tmp_path / "rigtige"
        shutil.copytree(MINIMAL, folder)
        shutil.copy(demo_folder / DEMO_MARKER, folder / DEMO_MARKER)
    else:  # a demo written by another version of the generator
        marker = folder / DEMO_MARKER
        lines = marker.read_text(encoding="utf-8").splitlines()
        forged = hmac.new(b"sosu-demo\0" + hashlib.sha256(b"old").digest(),
                          digestmod=hashlib.sha256).hexdigest()
        marker.write_text("\n".join([*lines[:-1], f"segl: {forged}"]) + "\n", encoding="utf-8")
    assert not _loaded_as_demo(folder, tmp_path)


def test_a_file_written_to_during_the_load_never_passes_as_demo(
        demo_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What was read must be what was sealed: a file written to during the load refuses
    it (etl.history.snapshot), so it can never pass as demo data."""
    import sosu.etl.load

    folder = _copy(demo_folder, tmp_path)
    real_count = sosu.etl.load._row_counts

    def edit_after_the_read(*args, **kwargs) -> dict[str, int]:  # noqa: ANN002, ANN003
        with open(folder / "elever.csv", "a", encoding="utf-8") as handle:
            handle.write("\n")
        return real_count(*args, **kwargs)

    monkeypatch.setattr(sosu.etl.load, "_row_counts", edit_after_the_read)
    with pytest.raises(ValidationFailed) as refused:
        load_folder(folder, tmp_path / "x.duckdb", today=TODAY)
    assert refused.value.report() == [
        "elever.csv: filen blev ændret, mens den blev indlæst; indlæs igen, når den er gemt "
        "færdig"]
    assert not (tmp_path / "x.duckdb").exists()


def test_a_file_changed_after_it_was_copied_gives_real_data(
        demo_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the files cannot be linked, the load reads its own copy; the seal is then
    checked on that copy before the read and on the folder as given after it."""
    import errno
    import os

    import sosu.etl.load

    folder = _copy(demo_folder, tmp_path)
    real_link, real_count = os.link, sosu.etl.load._row_counts

    def across_file_systems(source: object, target: object, **kwargs: object) -> None:
        if Path(str(source)).parent == folder:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real_link(source, target, **kwargs)  # type: ignore[arg-type]

    def edit_after_the_read(*args, **kwargs) -> dict[str, int]:  # noqa: ANN002, ANN003
        with open(folder / "elever.csv", "a", encoding="utf-8") as handle:
            handle.write("\n")
        return real_count(*args, **kwargs)

    monkeypatch.setattr(os, "link", across_file_systems)
    monkeypatch.setattr(sosu.etl.load, "_row_counts", edit_after_the_read)
    assert not _loaded_as_demo(folder, tmp_path)


def test_benchmark_data_are_real_unless_sealed_as_demo(tmp_path: Path) -> None:
    """The benchmark times a municipality's load, so its generated files carry no seal,
    as a real export; sealed with --demo they load as demo data (no login)."""
    from bench.generate import generate

    generate(tmp_path / "real", students_per_year=5, years=2, seed=4, today=TODAY)
    generate(tmp_path / "demo", students_per_year=5, years=2, seed=4, today=TODAY, demo=True)
    assert not (tmp_path / "real" / DEMO_MARKER).exists()
    assert not load_folder(tmp_path / "real", tmp_path / "real.duckdb", today=TODAY).demo
    assert load_folder(tmp_path / "demo", tmp_path / "demo.duckdb", today=TODAY).demo
