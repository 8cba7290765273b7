"""Scale benchmark (issue #6): loading, page data and page drawing, side by side at
municipal scale (200 hires a year) and national scale (20,000 a year), ten years each.

    python bench/run.py [--scale municipal|national|both] [--skip-browser] [--runs N]
                        [--skip-viewers] [--viewers] [--viewer-counts 25,50,100,200]
                        [--work DIR]

a. `sosu load` (every validation rule) against DuckDB's bare read_csv of the same files
   into plain tables: wall time, ratio and peak memory, each run in its own child
   process (peak memory from that child's rusage, so the two never share a peak). The
   files carry no demo seal, as a municipality's export: what its load costs. A refused
   load (one bad line at the end of the sick-leave file) and a load of the same files
   sealed as `sosu demo` seals its folder (the seal checked: every file read twice more)
   are timed once; the sealed load's database is the one parts b and c use (the
   dashboard opens demo data without a login). "Build" is the part of the load that
   creates the views, macros and materialised tables.
b. The data behind every dashboard page: every query function the page calls (as
   pages/*.py and dashboard/*_view.py call them), with no site filter and with one
   site, uncached, on a fresh read-only connection: first run, median and worst.
c. Headless Chromium against `streamlit run app.py` on the loaded database: time from
   opening a page's URL until it is fully drawn (run over, no skeleton, every chart
   drawn), first visit and repeated, and by clicking the page in the sidebar.
d. Viewers one machine serves (national scale only): two replicas behind nginx with TLS
   and sticky sessions (bench/deployment.py, as deploy/ ships them), N simulated viewers
   speaking Streamlit's websocket protocol (bench/viewers.py), each logged in with its
   role's password and opening a page every 10 s: p50/p95 page time (rerun request to
   script finished) and the replicas' CPU seconds per page view, for each N.
   `--viewers` runs this part alone (on the kept national database, loaded again when
   this version did not build it).

Data come from bench/generate.py (seeded) and are kept in --work between runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import datetime as dt  # noqa: E402

TODAY = dt.date(2026, 11, 22)
YEARS = 10
SEED = 1


@dataclass(frozen=True)
class Scale:
    name: str
    students_per_year: int
    municipalities: int
    runs: int  # load runs (each: bare read and full load)


SCALES = {
    "municipal": Scale("municipal", 200, 1, 5),
    "national": Scale("national", 20_000, 98, 3),
}
EDUCATIONS = ["SSH", "SSA"]  # the default filter: both educations selected


# --- a. loading, one child process per measurement -------------------------------------

def _child(kind: str, folder: Path, db: Path) -> None:
    """Run one measurement in this (child) process and print its wall time as JSON."""
    import duckdb

    from sosu.domain.contract import FILES
    from sosu.etl.load import load_folder
    from sosu.etl.problems import ValidationFailed

    for leftover in (db, db.with_name(db.name + ".wal")):
        leftover.unlink(missing_ok=True)
    start = time.perf_counter()
    steps: dict[str, float] = {}

    def progress(step: str, _fraction: float) -> None:
        steps.setdefault(step, time.perf_counter())

    if kind in ("bare", "bare_foreign"):
        from bench.foreign import FILE_NAMES

        con = duckdb.connect(str(db))
        for spec in FILES:
            name = f"{spec.name}.csv" if kind == "bare" else FILE_NAMES[spec.name]
            con.execute(f"CREATE TABLE {spec.name} AS SELECT * FROM read_csv(?)",
                        [str(folder / name)])
        con.execute("CHECKPOINT")
        con.close()
    elif kind == "load":
        load_folder(folder, db, today=TODAY, progress=progress)
    elif kind == "profile":
        from sosu.etl.profile import load_profile

        profile = load_profile(folder.parent / f"{folder.name}-profil.toml")
        load_folder(folder, db, today=TODAY, progress=progress, profile=profile)
    else:
        try:
            load_folder(folder, db, today=TODAY)
        except ValidationFailed:
            pass
        else:
            raise SystemExit("the refused load was accepted")
    build = steps.get("Gemmer databasen", 0.0) - steps.get("Beregner nøgletallene", 0.0)
    print(json.dumps({"seconds": time.perf_counter() - start, "build": build}))


def _measure(kind: str, folder: Path, db: Path, cpu: list[float] | None = None
             ) -> tuple[float, float, float]:
    """(seconds, peak MiB, seconds building views and materialised tables) of one child;
    its CPU time (user + system) is appended to `cpu` when given."""
    process = subprocess.Popen([sys.executable, __file__, "--child", kind, str(folder), str(db)],
                               stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert process.stdout
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"{kind} failed ({process.returncode})")
    result = json.loads(output)
    if cpu is not None:
        cpu.append(usage.ru_utime + usage.ru_stime)
    return result["seconds"], usage.ru_maxrss / 1024, result["build"]


@dataclass
class LoadResult:
    rows: dict[str, int]
    bare: list[float]
    full: list[float]
    bare_peak: float
    full_peak: float
    refused: float
    build: list[float]  # of `full`: views, macros and materialised tables
    bare_cpu: list[float] = field(default_factory=list)  # user + system seconds per run
    full_cpu: list[float] = field(default_factory=list)
    sealed: float = 0.0  # one load of the files sealed as demo data (seal checked)
    sealed_cpu: float = 0.0


def _data(scale: Scale, work: Path) -> tuple[Path, dict[str, int]]:
    """Generated CSV files for `scale` (no demo seal), reused when the parameters are
    unchanged."""
    from bench.generate import generate
    from sosu.etl.demoseal import DEMO_MARKER

    folder = work / scale.name / "csv"
    stamp = work / scale.name / "parameters.json"  # beside the data, not a sixth file in it
    wanted = {"students_per_year": scale.students_per_year, "years": YEARS, "seed": SEED,
              "today": TODAY.isoformat(), "municipalities": scale.municipalities}
    if stamp.exists() and json.loads(stamp.read_text())["parameters"] == wanted:
        # Kept from a version that sealed the generated files as demo data: unsealed now,
        # as a municipality's export, which the load measures.
        (folder / DEMO_MARKER).unlink(missing_ok=True)
        return folder, json.loads(stamp.read_text())["rows"]
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    rows = generate(folder, scale.students_per_year, YEARS, SEED, TODAY, scale.municipalities)
    print(f"  generated in {time.perf_counter() - started:.1f} s: {rows}", flush=True)
    stamp.write_text(json.dumps({"parameters": wanted, "rows": rows}))
    return folder, rows


def _refused_copy(folder: Path, target: Path) -> Path:
    """The same files with one duplicated line at the end of the sick-leave file."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for path in folder.glob("*.csv"):
        if path.name != "sygefravaer.csv":
            os.link(path, target / path.name)
    shutil.copyfile(folder / "sygefravaer.csv", target / "sygefravaer.csv")
    with open(folder / "sygefravaer.csv", "rb") as handle:
        handle.seek(-4096, os.SEEK_END)
        last = handle.read().rstrip(b"\n").rsplit(b"\n", 1)[-1]
    with open(target / "sygefravaer.csv", "ab") as handle:
        handle.write(last + b"\n")
    return target


def _sealed_copy(folder: Path, target: Path) -> Path:
    """The same files (hard links) sealed as `sosu demo` seals its folder."""
    from sosu.etl.demoseal import write_marker

    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for path in folder.glob("*.csv"):
        os.link(path, target / path.name)
    write_marker(target)
    return target


def measure_load(scale: Scale, folder: Path, rows: dict[str, int], work: Path,
                 runs: int) -> LoadResult:
    base = work / scale.name
    bare, full, build, bare_peaks, full_peaks = [], [], [], [], []
    bare_cpu: list[float] = []
    full_cpu: list[float] = []
    for run in range(runs):
        seconds, peak, _build = _measure("bare", folder, base / "bare.duckdb", bare_cpu)
        bare.append(seconds)
        bare_peaks.append(peak)
        seconds, peak, built = _measure("load", folder, base / "sosu.duckdb", full_cpu)
        full.append(seconds)
        full_peaks.append(peak)
        build.append(built)
        print(f"  {scale.name} run {run + 1}: read_csv {bare[-1]:.2f} s (cpu {bare_cpu[-1]:.2f}), "
              f"sosu load {full[-1]:.2f} s (cpu {full_cpu[-1]:.2f}, build {built:.2f} s)",
              flush=True)
    refused_folder = _refused_copy(folder, base / "refused")
    refused, _peak, _build = _measure("refused", refused_folder, base / "refused.duckdb")
    shutil.rmtree(refused_folder)
    # Last, so the database parts b and c read is demo data, which opens without a login.
    sealed_folder = _sealed_copy(folder, base / "demo")
    sealed_cpu: list[float] = []
    sealed, _peak, _build = _measure("load", sealed_folder, base / "sosu.duckdb", sealed_cpu)
    shutil.rmtree(sealed_folder)
    print(f"  {scale.name} sealed as demo data: sosu load {sealed:.2f} s "
          f"(cpu {sealed_cpu[-1]:.2f})", flush=True)
    (base / "bare.duckdb").unlink(missing_ok=True)
    return LoadResult(rows, bare, full, max(bare_peaks), max(full_peaks), refused, build,
                      bare_cpu, full_cpu, sealed, sealed_cpu[-1])


@dataclass
class ProfileResult:
    """The same data as a foreign export read through an import profile (bench/foreign.py):
    its bare read_csv and `sosu load --profil`, wall and CPU seconds per run."""

    bare: list[float]
    load: list[float]
    bare_cpu: list[float]
    load_cpu: list[float]


def measure_profile(scale: Scale, folder: Path, work: Path, runs: int) -> ProfileResult:
    from bench.foreign import write_foreign

    base = work / scale.name
    foreign = base / "fremmed"
    write_foreign(folder, foreign)
    result = ProfileResult([], [], [], [])
    for run in range(runs):
        seconds, _peak, _build = _measure("bare_foreign", foreign, base / "bare.duckdb",
                                          result.bare_cpu)
        result.bare.append(seconds)
        seconds, _peak, _build = _measure("profile", foreign, base / "profil.duckdb",
                                          result.load_cpu)
        result.load.append(seconds)
        print(f"  {scale.name} profile run {run + 1}: read_csv {result.bare[-1]:.2f} s "
              f"(cpu {result.bare_cpu[-1]:.2f}), sosu load --profil {result.load[-1]:.2f} s "
              f"(cpu {result.load_cpu[-1]:.2f})", flush=True)
    (base / "bare.duckdb").unlink(missing_ok=True)
    return result


def profile_report(results: dict[str, dict[str, Any]]) -> list[str]:
    lines = ["", "### a2. Load with an import profile: a foreign export (other headers, "
             "values mapped on every row, DD-MM-ÅÅÅÅ dates, decimal commas, an extra column, "
             "resumed spells) against bare `read_csv` of the same files (best of the runs)", "",
             "| scale | read_csv | sosu load --profil | ratio | CPU read_csv | CPU load | "
             "CPU ratio | ratio to canonical read_csv | canonical CPU ratio |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, result in results.items():
        profiled: ProfileResult | None = result.get("profile")
        if profiled is None:
            continue
        bare, full = min(profiled.bare), min(profiled.load)
        cpu_bare, cpu_full = min(profiled.bare_cpu), min(profiled.load_cpu)
        canonical: LoadResult = result["load"]
        canonical_cpu = (f"{min(canonical.full_cpu) / min(canonical.bare_cpu):.2f}×"
                         if canonical.bare_cpu else "–")
        lines.append(f"| {name} | {_s(bare)} s | {_s(full)} s | {full / bare:.2f}× "
                     f"| {_s(cpu_bare)} s | {_s(cpu_full)} s | {cpu_full / cpu_bare:.2f}× "
                     f"| {full / min(canonical.bare):.2f}× | {canonical_cpu} |")
    return lines


# --- b. the data behind every page -----------------------------------------------------

Call = Callable[[], object]
WARNING_THRESHOLD = 0.10  # the default of SOSU_VARSEL_GRAENSE
# Education team: all sites / one site; a site manager; Kvalitetsforum on one site.
VARIANTS = ("alle", "ét sted", "leder", "kvalitetsforum", "kf forberedt")
PREPARED = "kf forberedt"


def prepare(con: Any) -> None:
    """What the dashboard prepares when it opens a new file (SOSU_FORBERED,
    dashboard/data.py): Kvalitetsforum's release, every output for every site protected
    together (sosu.metrics.release)."""
    from sosu.domain.roles import Viewer
    from sosu.metrics import datasets

    datasets.forget_releases()
    datasets.scope_release(con, Viewer("", "kvalitetsforum"))


def page_calls(con: Any, variant: str, site: str, first_year: int,
               last_year: int) -> dict[str, list[Call]]:
    """Every query a page runs on a first visit, as app_pages/*.py and dashboard/*_view.py
    call them through the viewer-aware query layer. "alle": the education team, no site
    filter; "ét sted": the education team filtered to `site`; "leder": the manager of
    `site` (every figure protected: suppression, complementary cells, REST);
    "kvalitetsforum": a member filtered to `site` (protected against every other site);
    "kf forberedt": the same after the dashboard's preparation (the release made)."""
    from sosu.domain.roles import AccessDenied, Viewer
    from sosu.metrics import datasets, metrics
    from sosu.metrics.datasets import Request
    from sosu.store import db

    viewer = {"leder": Viewer("leder", "leder", (site,)),
              "kvalitetsforum": Viewer("kf", "kvalitetsforum"),
              PREPARED: Viewer("kf", "kvalitetsforum")}.get(
                  variant, Viewer("uddannelse", "uddannelse"))
    chosen = None if variant == "alle" else site
    years = (first_year, last_year)

    def request(one: str | None = None, whole: bool = False) -> Request:
        return Request(None if whole else (one or chosen), tuple(EDUCATIONS), years)

    def get(name: str, req: Request) -> Call:
        def call() -> object:
            try:
                return datasets.BY_NAME[name](con, viewer, req)
            except AccessDenied:  # the page shows the refusal instead (dashboard/data.py)
                return None
        return call

    header = [lambda: db.load_info(con)]
    filters = [lambda: metrics.year_span(con), lambda: datasets.sites(con, viewer)]
    own = chosen or site  # Mit oplæringssted always shows one site
    sick_site = [get("sick_leave_by_year", request(own)),
                 get("sick_leave_by_year", request(whole=True))]
    students = [get("students", request(own))] if viewer.may_see_individuals else []
    # The early warning is the education team's only: a site manager never runs it.
    warning = [*header, *filters,
               lambda: datasets.early_warning(con, viewer, request(), WARNING_THRESHOLD),
               lambda: datasets.active_students(con, viewer, request()),
               lambda: datasets.early_warning_backtest(con, viewer, request(),
                                                       WARNING_THRESHOLD)]
    return {
        "Overblik": [*header, lambda: datasets.target_series(con, viewer),
                     get("cohorts", request(whole=True)),
                     get("projections", request(whole=True)),
                     lambda: datasets.initiatives(con, viewer)],
        "Frafald": [*header, *filters, *(get(n, request()) for n in (
            "cohorts", "dropout_reasons", "dropout_phases", "projections", "incidence"))],
        "Sygefravær": [*header, *filters, get("sick_leave_by_year", request()),
                       get("sick_leave_by_month", request())],
        "Fastholdelse": [*header, *filters, get("cohorts", request()),
                         get("workplaces", request())],
        "Rekruttering": [*header, *filters, get("hires", request()),
                         get("age_bands", request())],
        "Mit oplæringssted": [*header, *filters, get("cohorts", request(own)),
                              get("cohorts", request(whole=True)), *sick_site,
                              get("dropout_phases", request(own)), *students],
        "Tidlig opsporing": warning if viewer.may_see_individuals else [],
        "Data": [*header],
    }


@dataclass
class Timing:
    first: float
    median: float
    worst: float

    @classmethod
    def of(cls, seconds: list[float]) -> Timing:
        return cls(seconds[0], statistics.median(seconds), max(seconds))


KPI = "sosu kpi --json"


def measure_queries(db: Path, site: str, runs: int
                    ) -> tuple[dict[str, dict[str, Timing]], Timing]:
    """({page: {variant: Timing}}, the preparation's Timing); every page on a fresh
    read-only connection."""
    from sosu.metrics.datasets import forget_releases
    from sosu.metrics.kpi import kpi
    from sosu.metrics.metrics import year_span
    from sosu.store.db import connect_read_only

    results: dict[str, dict[str, Timing]] = {}
    probe = connect_read_only(db)
    span = year_span(probe)
    assert span
    preparing = []
    for _ in range(runs):
        start = time.perf_counter()
        prepare(probe)
        preparing.append(time.perf_counter() - start)
    probe.close()
    for variant in VARIANTS:
        for page in [*page_calls(None, variant, site, *span), KPI]:
            con = connect_read_only(db)
            if variant == PREPARED:
                prepare(con)
            calls = (page_calls(con, variant, site, *span)[page] if page != KPI
                     else [partial(kpi, con, None if variant == "alle" else site)])
            if not calls:  # a page this viewer does not get
                con.close()
                continue
            seconds = []
            for _ in range(runs):
                # A protected viewer's figures are rows of their release (sosu.metrics.release),
                # made once per load: "leder" and "kvalitetsforum" time the first page
                # view that makes it, "kf forberedt" a view after the preparation.
                if variant in ("leder", "kvalitetsforum"):
                    forget_releases()
                start = time.perf_counter()
                for call in calls:
                    call()
                seconds.append(time.perf_counter() - start)
            con.close()
            results.setdefault(page, {})[variant] = Timing.of(seconds)
    return results, Timing.of(preparing)


# --- c. drawing in a real browser ------------------------------------------------------

@dataclass
class BrowserResult:
    first: dict[str, dict[str, float]]  # page → variant → first visit
    url: dict[str, dict[str, Timing]]  # page → variant → repeated visits
    click: dict[str, Timing]
    exceptions: int
    server_peak: float
    server_cpu: float  # CPU seconds of the Streamlit server per page drawn, after warm-up
    visits: int


def _peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (/proc/PID/stat, fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _settled(pid: int, quiet: float = 0.5, limit: float = 60) -> None:
    """Until the process has used under a tenth of a core for `quiet` seconds."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = _cpu_seconds(pid)
        time.sleep(quiet)
        if _cpu_seconds(pid) - before < quiet / 10:
            return


def measure_browser(db: Path, site: str, runs: int) -> BrowserResult:
    from bench.browser import EXCEPTION, PAGES, chromium, drawn, streamlit_server

    url_times: dict[str, dict[str, list[float]]] = {}
    click_times: dict[str, list[float]] = {}
    exceptions = 0
    with streamlit_server(db) as server, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{server.url}/data")  # warm: the server has imported and run once
        drawn(page, "Data")
        _settled(server.pid)  # and prepared Kvalitetsforum's figures (SOSU_FORBERED)
        cpu_start = _cpu_seconds(server.pid)
        visits = 0

        def visit(target: str, title: str) -> float:
            nonlocal visits
            visits += 1
            start = time.perf_counter()
            page.goto(target)
            drawn(page, title)
            return time.perf_counter() - start

        for variant, query in (("alle", ""),
                               ("ét sted", "?sted=" + urllib.parse.quote(site))):
            for _ in range(runs + 1):  # the first round is each page's first visit
                for path, title in PAGES.items():
                    seconds = visit(f"{server.url}/{path}{query}", title)
                    url_times.setdefault(title, {}).setdefault(variant, []).append(seconds)
                    exceptions += page.locator(EXCEPTION).count()
        visit(server.url, "Overblik")
        titles = list(PAGES.values())
        for _ in range(runs):
            for title in [*titles[1:], titles[0]]:
                start = time.perf_counter()
                page.locator("[data-testid='stSidebarNav'] a").filter(
                    has_text=title).first.click()
                drawn(page, title)
                click_times.setdefault(title, []).append(time.perf_counter() - start)
                exceptions += page.locator(EXCEPTION).count()
                visits += 1
        peak = _peak_mib(server.pid)
        cpu = (_cpu_seconds(server.pid) - cpu_start) / visits
    return BrowserResult(
        {t: {v: s[0] for v, s in variants.items()} for t, variants in url_times.items()},
        {t: {v: Timing.of(s[1:]) for v, s in variants.items()}
         for t, variants in url_times.items()},
        {t: Timing.of(s) for t, s in click_times.items()}, exceptions, peak, cpu, visits)


# --- report ---------------------------------------------------------------------------

def _loadavg() -> str:
    """The 1, 5 and 15 minute load averages (as `uptime` prints them): a 2-core machine
    shared with others times everything slower when they are above 2."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def _machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {memory:.0f} GiB, DuckDB {_duckdb_version()}"


def _duckdb_version() -> str:
    import duckdb

    return str(duckdb.__version__)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}".replace(",", ".")


def _s(seconds: float) -> str:
    return f"{seconds:.2f}"


def report(results: dict[str, dict[str, Any]]) -> str:
    lines = ["### a. Load: `sosu load` against bare `read_csv` (best of the runs)", "",
             "| scale | students | sick-leave rows | read_csv | sosu load | ratio "
             "| of which build | ratio without build "
             "| peak read_csv | peak sosu load | refused load |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, result in results.items():
        load: LoadResult = result["load"]
        bare, full = min(load.bare), min(load.full)
        build = load.build[load.full.index(full)]  # of the fastest load
        lines.append(
            f"| {name} | {load.rows['elever']:,} | {load.rows['sygefravaer']:,} | {_s(bare)} s "
            f"| {_s(full)} s | {full / bare:.2f}× | {_s(build)} s | {(full - build) / bare:.2f}× "
            f"| {load.bare_peak:.0f} MiB | {load.full_peak:.0f} MiB | {_s(load.refused)} s |")
        spread = ", ".join(f"{f / b:.2f}" for b, f in zip(load.bare, load.full, strict=True))
        result["spread"] = spread
    lines += ["", "Ratio of each run: " + "; ".join(
        f"{n} {r['spread']}" for n, r in results.items()), "",
        "Measured on files without a demo seal, as a municipality's export comes. The same "
        "files sealed as `sosu demo` seals its folder have the seal checked as well (every "
        "file read twice more), one load each: " + "; ".join(
            f"{n} {_s(r['load'].sealed)} s, {r['load'].sealed / min(r['load'].bare):.2f}× "
            f"(CPU {_s(r['load'].sealed_cpu)} s)" for n, r in results.items()) + ".", "",
        "Load average (1 / 5 / 15 min) before → after: " + "; ".join(
            f"{n} {r['loadavg']['load']}" for n, r in results.items()), ""]
    lines += profile_report(results)
    lines += ["", "### b. Page data: every query of a page, uncached, through the viewer-aware "
              "query layer (ms: first / median / worst)",
              "", "| page | " + " | ".join(f"{n} {v}" for n in results for v in VARIANTS)
              + " |", "| --- |" + " --- |" * len(VARIANTS) * len(results)]
    for page in next(iter(results.values()))["queries"]:
        cells = []
        for result in results.values():
            for variant in VARIANTS:
                t: Timing | None = result["queries"][page].get(variant)
                cells.append(f"{_ms(t.first)} / {_ms(t.median)} / {_ms(t.worst)}" if t
                             else "–")
        lines.append(f"| {page} | " + " | ".join(cells) + " |")
    lines += ["", "*kf forberedt*: Kvalitetsforum after the dashboard's preparation of a new "
              "file (SOSU_FORBERED): the every-site figures are ready, a site is cut from "
              "them. The preparation itself (in the background after a load, ms first / "
              "median / worst): " + "; ".join(
                  f"{n} {_ms(r['preparation'].first)} / {_ms(r['preparation'].median)} / "
                  f"{_ms(r['preparation'].worst)}" for n, r in results.items()) + ".",
              "", "Load average before → after: " + "; ".join(
        f"{n} {r['loadavg']['queries']}" for n, r in results.items())]
    browsed = {n: r["browser"] for n, r in results.items() if r.get("browser")}
    for name, browser in browsed.items():
        lines += ["", f"### c. Browser, {name}: URL opened until fully drawn "
                  "(s: first visit / median / worst of repeats)", "",
                  "| page | alle | ét sted | sidebar click (median / worst) |",
                  "| --- | --- | --- | --- |"]
        for title, variants in browser.url.items():
            cells = []
            for variant in ("alle", "ét sted"):
                t = variants[variant]
                cells.append(f"{_s(browser.first[title][variant])} / {_s(t.median)} "
                             f"/ {_s(t.worst)}")
            click = browser.click[title]
            lines.append(f"| {title} | {' | '.join(cells)} "
                         f"| {_s(click.median)} / {_s(click.worst)} |")
        lines += ["", f"Exceptions shown: {browser.exceptions}. Streamlit server peak memory: "
                  f"{browser.server_peak:.0f} MiB. Server CPU per page drawn: "
                  f"{_ms(browser.server_cpu)} ms (mean of {browser.visits}, first visits "
                  f"included). Load average before → after: "
                  f"{results[name]['loadavg']['browser']}."]
    return "\n".join(lines)


def viewer_report(steps: list[Any], loadavg: str) -> str:
    from bench.viewers import percentile

    lines = ["### d. Viewers, national: two replicas behind nginx (TLS, sticky sessions), "
             "each viewer opening a page every 10 s", "",
             "| viewers | page views | p50 | p95 | worst | slowest page (p95) "
             "| server CPU per view | nginx CPU per view | load client CPU per view "
             "| failed | exceptions | replicas' memory | load average before → after |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for step in steps:
        page, p95 = step.slowest_page
        lines.append(
            f"| {step.viewers} | {step.views} ({step.views / step.window:.1f}/s) "
            f"| {_s(percentile(step.seconds, 0.5))} s | {_s(percentile(step.seconds, 0.95))} s "
            f"| {_s(max(step.seconds))} s | {page} ({_s(p95)} s) "
            f"| {_ms(step.cpu_per_view)} ms | {_ms(step.proxy_cpu / step.views)} ms "
            f"| {_ms(step.client_cpu / step.views)} ms | {len(step.failures)} "
            f"| {step.exceptions} | {' + '.join(f'{m:.0f}' for m in step.memory)} MiB "
            f"| {step.loadavg} |")
    lines += ["", "Page time: from the rerun request to the run's script_finished message, "
              "page views finished in the measuring window. Server CPU: user + system time "
              "of both replicas (/proc) in the window over the page views in it. Load "
              f"average (1 / 5 / 15 min) over the whole part: {loadavg}."]
    return "\n".join(lines)


def _current_database(scale: Scale, work: Path) -> Path:
    """The scale's database in `work`, generated and loaded unless this version built it."""
    from sosu.etl.load import load_folder
    from sosu.store.db import connect_read_only
    from sosu.store.schema import built_by_this_version

    folder, _rows = _data(scale, work)
    db = work / scale.name / "sosu.duckdb"
    if db.exists():
        con = connect_read_only(db)
        try:
            if built_by_this_version(con):
                return db
        finally:
            con.close()
    print(f"  loading {scale.name} data into {db}", flush=True)
    load_folder(folder, db, today=TODAY)
    return db


def measure_viewers(db: Path, counts: list[int], window: float,
                    roles: tuple[str, ...]) -> dict[str, Any]:
    from bench.viewers import measure

    print(f"  viewers {', '.join(map(str, counts))} (window {window:.0f} s each; roles in "
          f"turn: {', '.join(roles)})", flush=True)
    before = _loadavg()
    steps = measure(db, counts, window=window, roles=roles,
                    progress=lambda line: print(line, flush=True))
    return {"steps": steps, "loadavg": f"{before} → {_loadavg()}"}


def _largest_site(db: Path) -> str:
    from sosu.store.db import connect_read_only

    con = connect_read_only(db)
    try:
        row = con.execute("SELECT oplaeringssted FROM elever GROUP BY 1 "
                          "ORDER BY count(*) DESC, 1 LIMIT 1").fetchone()
    finally:
        con.close()
    assert row
    return str(row[0])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=["municipal", "national", "both"], default="both")
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--load-only", action="store_true",
                        help="only the loads (a and a2): no page queries, no browser")
    parser.add_argument("--runs", type=int, default=None,
                        help="load runs per scale (default 5 municipal, 3 national)")
    parser.add_argument("--query-runs", type=int, default=7)
    parser.add_argument("--browser-runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None,
                        help="keep generated data and databases here (default: a temp dir)")
    parser.add_argument("--skip-viewers", action="store_true",
                        help="leave out part d (needs nginx and openssl)")
    parser.add_argument("--viewers", action="store_true",
                        help="run part d alone (national scale)")
    parser.add_argument("--viewer-counts", default="25,50,100,200",
                        help="numbers of simulated viewers, comma-separated")
    parser.add_argument("--viewer-window", type=float, default=60,
                        help="seconds each number of viewers is measured, after warm-up")
    parser.add_argument("--viewer-roles", default="uddannelse,leder,kvalitetsforum",
                        help="the simulated viewers' roles, taken in turn")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "FOLDER", "DB"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # A stopped bench stops what it started (servers, nginx): SIGTERM unwinds like Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.child:
        _child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return
    names = ["municipal", "national"] if args.scale == "both" else [args.scale]
    counts = [int(n) for n in args.viewer_counts.split(",")]
    roles = tuple(args.viewer_roles.split(","))
    if args.viewers:
        with _workdir(args.work) as work:
            db = _current_database(SCALES["national"], work)
            viewers = measure_viewers(db, counts, args.viewer_window, roles)
            print(f"\n{dt.datetime.now():%Y-%m-%d %H:%M}, {_machine()}.\n")
            print(viewer_report(viewers["steps"], viewers["loadavg"]))
        return
    with _workdir(args.work) as work:
        results: dict[str, dict[str, Any]] = {}
        for name in names:
            scale = SCALES[name]
            print(f"{name}: {scale.students_per_year:,} hires a year, {YEARS} years", flush=True)
            folder, rows = _data(scale, work)
            loadavg = {"load": _loadavg()}
            load = measure_load(scale, folder, rows, work, args.runs or scale.runs)
            profiled = measure_profile(scale, folder, work, args.runs or scale.runs)
            loadavg["load"] += " → " + _loadavg()
            db = work / name / "sosu.duckdb"
            if args.load_only:
                loadavg["queries"] = "–"
                results[name] = {"load": load, "profile": profiled, "loadavg": loadavg,
                                 "queries": {}, "preparation": Timing(0, 0, 0), "site": ""}
                continue
            site = _largest_site(db)
            print(f"  page queries (site: {site})", flush=True)
            loadavg["queries"] = _loadavg()
            queries, preparation = measure_queries(db, site, args.query_runs)
            result: dict[str, Any] = {"load": load, "site": site, "loadavg": loadavg,
                                      "queries": queries, "preparation": preparation,
                                      "profile": profiled}
            loadavg["queries"] += " → " + _loadavg()
            if not args.skip_browser:
                print("  browser", flush=True)
                loadavg["browser"] = _loadavg()
                result["browser"] = measure_browser(db, site, args.browser_runs)
                loadavg["browser"] += " → " + _loadavg()
            if name == "national" and not args.skip_viewers:
                result["viewers"] = measure_viewers(db, counts, args.viewer_window, roles)
            results[name] = result
        print()
        print(f"{dt.datetime.now():%Y-%m-%d %H:%M}, {_machine()}.")
        print()
        print(report(results))
        for result in results.values():
            if "viewers" in result:
                print()
                print(viewer_report(result["viewers"]["steps"], result["viewers"]["loadavg"]))
        print(f"\nOne site = the largest: {', '.join(r['site'] for r in results.values())}. "
              f"Peak memory of this process: "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB.")


@contextmanager
def _workdir(work: Path | None) -> Iterator[Path]:
    if work:
        work.mkdir(parents=True, exist_ok=True)
        yield work
        return
    with tempfile.TemporaryDirectory(prefix="sosu-bench-") as tmp:
        yield Path(tmp)


if __name__ == "__main__":
    main()
