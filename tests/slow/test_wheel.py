"""The wheel works away from the checkout, as municipal IT installs it (docs/operations.md):
built with pip from a copy of the project's files, unpacked into a folder of its own and
run from another folder, with nothing of the checkout on the path. The dependencies come
from this environment's site-packages, without its .pth files (`python -S`): the editable
install of the checkout is one of those, and would otherwise be imported instead."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from sosu.cli.main import main
from tests.support import ROOT

SITE_PACKAGES = sysconfig.get_paths()["purelib"]


def _build_wheel(work: Path) -> Path:
    source = work / "checkout"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "src", source / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    dist = work / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "-w", str(dist), str(source)],
                   check=True, capture_output=True, cwd=work)
    (wheel,) = dist.glob("sosu_overblik-*.whl")
    return wheel


def _sosu(installed: Path, elsewhere: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": os.environ.get("PATH", ""), "HOME": str(elsewhere),
                   "PYTHONPATH": os.pathsep.join([str(installed), SITE_PACKAGES])}
    code = ("import sys, sosu; from sosu.cli.main import main; "
            f"assert sosu.__file__.startswith({str(installed)!r}), sosu.__file__; "
            "sys.exit(main(sys.argv[1:]))")
    return subprocess.run([sys.executable, "-S", "-c", code, *args], capture_output=True,
                          text=True, cwd=elsewhere, env=environment, check=False)


def test_the_wheel_loads_the_demo_and_gives_the_checkouts_figures(
        tmp_path: Path, capsysbinary: object) -> None:
    wheel = _build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "installed")
    assert {"sosu/targets.toml", "sosu/app/main.py",
            "sosu/sql/intermediate/int_elevforloeb.sql"} <= names
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    db = elsewhere / "sosu.duckdb"

    demo = _sosu(tmp_path / "installed", elsewhere, "demo", str(elsewhere / "demo"),
                 "--db", str(db))
    assert demo.returncode == 0, demo.stderr
    figures = _sosu(tmp_path / "installed", elsewhere, "kpi", "--db", str(db), "--json")
    assert figures.returncode == 0, figures.stderr
    cohorts = json.loads(figures.stdout)["cohorts"]
    assert sum(cohort["ansatte"] for cohort in cohorts) > 100  # the demo's hires, loaded

    # The checkout's own code gives the same figures from the file the wheel built.
    assert main(["kpi", "--db", str(db), "--json"]) == 0
    checkout = capsysbinary.readouterr().out  # type: ignore[attr-defined]
    assert figures.stdout.encode() == checkout
