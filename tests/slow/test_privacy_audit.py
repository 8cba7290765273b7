"""The privacy auditor plays the attacker for every protected viewer of the demo
municipality (Kvalitetsforum and the leder of each site) and recomputes nothing: a
linear program per viewer over everything it can obtain, so slow; the auditor's own
rules are tested in tests/sql/test_linked_protection.py. Here too: the interval step and
complementary suppression judged on the whole demo, a release per viewer each.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from sosu.cli.main import main
from sosu.domain.roles import Viewer
from sosu.metrics import datasets, linked, metrics, privacy_audit, release
from sosu.store import published
from sosu.store.db import connect_read_only
from tests.support import TODAY, attacked_interval

FORUM = Viewer("kf", "kvalitetsforum")


@pytest.fixture(scope="module")
def demo_con(demo_db: Path):  # noqa: ANN201
    con = connect_read_only(demo_db)
    yield con
    con.close()


def _sites(con) -> list[str]:  # noqa: ANN001
    return metrics.sites(con)


def test_the_auditor_finds_nothing_to_recompute_or_narrow_for_any_protected_viewer(
        demo_con) -> None:  # noqa: ANN001
    """No hidden count can be recomputed, nor pinned to one value."""
    results = [privacy_audit.audit(demo_con, viewer)
               for viewer in privacy_audit.protected_viewers(demo_con, 3)]
    assert len(results) == 1 + len(_sites(demo_con))
    for result in results:
        assert result.requests > 100 and result.hidden_small > 0
        assert result.ranges_checked > 100
        assert result.findings == [], (result.summary(), result.findings[:5])


def test_on_the_demo_the_interval_step_widens_what_the_exact_check_leaves_narrow(
        demo_con) -> None:  # noqa: ANN001
    """Without the interval step, the demo's releases leave hidden counts of 1-3 pinned to
    one value by the sums and what a viewer knows of zeros (435 for Kvalitetsforum); the
    fast check finds the same cells as one linear program per cell, within bounds that
    hold the exact interval."""
    width = linked.protection_width(3)
    narrowed_before = 0
    for viewer in (FORUM, Viewer("leder", "leder", (_sites(demo_con)[-1],))):
        made = release.build(datasets.release_frames(demo_con, viewer), viewer.threshold)
        system = made.system
        exact_only = linked.suppress(system)
        targets = np.flatnonzero(linked.interval_targets(system, exact_only, 3))
        found = linked.narrowed(system, exact_only, targets, width)
        narrowed_before += len(found)
        if viewer.role == "leder":  # one linear program per cell: seconds for a leder
            reference = linked.ranges(system, exact_only, targets)
            reference = reference[reference.high - reference.low < width - 1e-9]
            assert list(found.cell) == list(reference.cell)
            both = found.merge(reference, on="cell", suffixes=("", "_exact"))
            assert (both.low <= both.low_exact + 1e-9).all()
            assert (both.high >= both.high_exact - 1e-9).all()
        # Checked in parts (as the auditor checks a national database's largest group), a
        # narrowed cell is found or left undecided, never shown wide.
        in_parts, undecided = linked.interval_check(
            system, exact_only, targets, width, limit=500,
            groups=release.site_groups(made.keys))
        assert set(found.cell) <= set(in_parts.cell) | set(np.flatnonzero(undecided))
        assert (made.hidden >= exact_only).all() and not made.undecided.any()
        after = np.flatnonzero(linked.interval_targets(system, made.hidden, 3))
        assert linked.narrowed(system, made.hidden, after, width).empty
    assert narrowed_before > 0


def test_without_complementary_suppression_the_auditor_finds_the_leaks(
        demo_con, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(release, "build",
                        functools.partial(release.build, complementary=False))
    # An unprotected release is nothing the demo's scopes were shown: not kept for the next.
    monkeypatch.setattr(datasets, "_published", lambda *_args: None)
    datasets.forget_releases()
    result = privacy_audit.audit(demo_con, FORUM, sites_alone=2, narrowing=False)
    datasets.forget_releases()
    exact = [f for f in result.findings if f.kind == privacy_audit.EXACT]
    assert len(exact) > 20
    assert any(f.cell.startswith("syg_aar") for f in exact)  # I alt − SSH = SSA
    assert any(f.cell.startswith("kohorte") for f in exact)


@pytest.fixture(scope="module")
def earlier_demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo municipality three weeks before TODAY: last month's load."""
    from sosu.etl.demo import write_demo
    from sosu.etl.load import load_folder

    folder = tmp_path_factory.mktemp("earlier-demo")
    day = TODAY - dt.timedelta(days=22)
    write_demo(folder / "csv", today=day)
    load_folder(folder / "csv", folder / "sosu.duckdb", today=day)
    return folder / "sosu.duckdb"


def test_a_viewer_who_kept_last_months_figures_recomputes_nothing_of_either_month(
        earlier_demo_db: Path, demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Kvalitetsforum and a leder obtain everything from last month's load, then from
    this month's, at the same database path: with both, and knowing which cells kept
    their value, nothing hidden in either month can be recomputed or pinned."""
    leder = Viewer("leder", "leder", ("Akutteamet",))
    for viewer in (FORUM, leder):
        result = privacy_audit.audit_loads(earlier_demo_db, demo_db, viewer)
        assert result.requests > 100 and result.ranges_checked > 100
        assert result.findings == [], (result.summary(), result.findings[:5])
    # Each month protected on its own, the same two loads give hidden counts back.
    monkeypatch.setattr(published.PublishedStore, "shown_before", lambda _self, _print: [])
    alone = privacy_audit.audit_loads(earlier_demo_db, demo_db, FORUM)
    assert alone.count(privacy_audit.EXACT) + alone.count(privacy_audit.NARROWED) > 0


def test_a_leder_who_sits_in_kvalitetsforum_recomputes_nothing(
        demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One person, two scopes of one load (a site manager in the forum, or one e-mail
    given both reports): a leder's release hides whatever Kvalitetsforum's hides, so the
    two together give nothing the forum's alone does not. Each scope protected on its
    own, the leder of Døgnplejen Nord with the forum's figures pinned 305 hidden counts."""
    leder = Viewer("leder", "leder", ("Døgnplejen Nord",))
    both = privacy_audit.audit_loads(demo_db, demo_db, leder, viewer_before=FORUM)
    assert both.requests > 100 and both.ranges_checked > 100
    assert both.findings == [], (both.summary(), both.findings[:5])
    monkeypatch.setattr(datasets, "_hidden_by_the_forum", lambda _con, _viewer: None)
    apart = privacy_audit.audit_loads(demo_db, demo_db, leder, viewer_before=FORUM)
    assert apart.count(privacy_audit.NARROWED) + apart.count(privacy_audit.EXACT) > 20


def _names_at_least(keys: pd.DataFrame) -> sparse.csr_matrix:
    """What an attacker knows holds as "at least", from the cells' names alone (rows whose
    sum is 0 or more): a year's students with sick leave against each month's and against
    the months added up; for every year T, the cohorts' dropouts up to T against the
    dropouts of the calendar years up to T."""
    numbered = keys.assign(i=np.arange(len(keys)))
    rows: list[dict[int, float]] = []
    students = numbered[numbered.measure == "elever"]
    months = students[students.kind == "syg_md"].assign(year=lambda f: f.period.str[:4])
    in_year = months.groupby(["site", "udd", "year"]).i.apply(list).to_dict()
    for year in students[students.kind == "syg_aar"].itertuples():
        mine = in_year.get((year.site, year.udd, year.period), [])
        rows += [{year.i: 1.0, month: -1.0} for month in mine]
        if mine:
            rows.append({**{month: 1.0 for month in mine}, year.i: -1.0})
    dated = numbered[numbered.period != release.POOLED]
    by_year = dated[(dated.kind == "aarsag") & (dated.cat == release.ALL)
                    & (dated.measure == "antal")]
    by_cohort = dated[(dated.kind == "kohorte") & (dated.measure == "frafald")]
    for (site, udd), cohorts in by_cohort.groupby(["site", "udd"]):
        years = by_year[(by_year.site == site) & (by_year.udd == udd)]
        for up_to in sorted(set(cohorts.period) | set(years.period)):
            row = {i: 1.0 for i in cohorts[cohorts.period <= up_to].i}
            row.update({i: -1.0 for i in years[years.period <= up_to].i})
            rows.append(row)
    return sparse.csr_matrix(
        ([c for row in rows for c in row.values()],
         ([n for n, row in enumerate(rows) for _ in row], [c for row in rows for c in row])),
        shape=(len(rows), len(keys)))


def test_an_attacker_who_knows_what_holds_as_at_least_pins_no_hidden_count(
        demo_con) -> None:  # noqa: ANN001
    """The review of 2026-12-04 pinned Akutteamet's SSH and SSA students with sick leave
    in 2019 (2 each) and its SSH students in August and September 2019 (1 each) from what
    Kvalitetsforum is shown, with a year's students at least any month's. Here an attacker
    writes such relations from the cells' names (none of the release's inequality code)
    and solves every hidden count of 1-3 they touch, with the release's sums."""
    made = datasets.scope_release(demo_con, FORUM)
    cells = made.system.cells
    real = np.flatnonzero(~made.system.flag("slack"))
    keys = made.keys.iloc[real].reset_index(drop=True)
    values = cells.value.to_numpy(dtype="float64")[real]
    unknown = (made.hidden | cells.virtual.to_numpy(dtype=bool))[real]
    terms = made.system.terms
    slack = np.flatnonzero(made.system.flag("slack"))
    with_slack = terms.equation[terms.cell.isin(slack)].unique()
    sums = terms[~terms.equation.isin(with_slack)]
    codes, _ = pd.factorize(sums.equation)
    equations = sparse.csr_matrix((sums.coefficient, (codes, sums.cell)),
                                  shape=(codes.max() + 1, len(real)))
    at_least = _names_at_least(keys)
    named = np.unique(at_least.indices)
    small = made.hidden[real] & (values >= 1) & (values <= 3)
    targets = named[small[named]]
    assert len(targets) > 50
    pinned = []
    for cell in targets:
        low, high = attacked_interval(values, unknown, equations, at_least, cell=int(cell))
        if high - low < linked.protection_width(3) - 1e-9:
            pinned.append(("\x1f".join(keys.iloc[cell].astype(str)), low, high))
    assert pinned == []


def test_sosu_audit_privacy_reports_every_protected_role(
        minimal_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The command line's audit on the hand-made fixture: a linear program per viewer
    and hidden range, 9 s of CPU even there (here, not in `make check`, for that)."""
    assert main(["audit-privacy", "--db", str(minimal_db), "--uden-intervaller"]) == 0
    out = capsys.readouterr().out
    assert "Kvalitetsforum:" in out and out.count("Leder af oplæringssted") == 2
    assert "0 kan regnes ud" in out and out.rstrip().endswith("Intet skjult tal kan regnes ud.")
