"""Per role, in the query layer: what is shown and what is refused (the app's side:
tests/app/test_roles.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sosu.domain.roles import AccessDenied, Viewer
from sosu.metrics import datasets, metrics, release
from sosu.metrics.datasets import Request
from sosu.metrics.protect import REST
from sosu.metrics.release import SITE
from sosu.store.db import connect_read_only
from tests.support import DEMO_SITE

OWN, OTHER = "Døgnplejen Nord", "Døgnplejen Syd"
LEDER = Viewer("leder", "leder", (OWN,))
FORUM = Viewer("kf", "kvalitetsforum")
TEAM = Viewer("team", "uddannelse")
ALL_YEARS = Request(None, ("SSH", "SSA"), (2019, 2026))


@pytest.fixture(scope="module")
def con(demo_db: Path):  # noqa: ANN201 - a DuckDB connection
    connection = connect_read_only(demo_db)
    yield connection
    connection.close()


def _request(site: str | None) -> Request:
    return Request(site, ALL_YEARS.educations, ALL_YEARS.years)


@pytest.mark.parametrize("name", sorted(set(datasets.BY_NAME) - {"students"}))
def test_leder_gets_nothing_of_another_site_from_the_query_layer(con, name: str) -> None:
    with pytest.raises(AccessDenied):
        datasets.BY_NAME[name](con, LEDER, _request(OTHER))


@pytest.mark.parametrize("viewer", [LEDER, FORUM], ids=["leder", "kvalitetsforum"])
def test_student_rows_exist_only_for_the_education_team(con, viewer: Viewer) -> None:
    with pytest.raises(AccessDenied):
        datasets.students(con, viewer, _request(None))
    assert len(datasets.students(con, TEAM, _request(OWN))) > 0


@pytest.mark.parametrize("viewer", [LEDER, FORUM], ids=["leder", "kvalitetsforum"])
def test_early_warning_exists_only_for_the_education_team(con, viewer: Viewer) -> None:
    for ask in (lambda who: datasets.early_warning(con, who, _request(None), 0.1),
                lambda who: datasets.active_students(con, who, _request(None)),
                lambda who: datasets.early_warning_backtest(con, who, _request(None), 0.1)):
        with pytest.raises(AccessDenied):
            ask(viewer)
        assert len(ask(TEAM)) > 0


def test_leder_sees_only_own_sites(con) -> None:
    assert datasets.sites(con, LEDER) == [OWN]
    assert OTHER in datasets.sites(con, FORUM)


SUMMED_METRICS = ("cohorts", "sick_leave_by_year", "sick_leave_by_month", "dropout_reasons",
                  "dropout_phases", "hires", "hired_after_by_workplace", "age_bands",
                  "completeness")


@pytest.mark.parametrize("name", SUMMED_METRICS)
@pytest.mark.parametrize("educations", [None, ("SSH",)])
def test_every_site_in_one_query_gives_each_site_its_own_figures(
        con, name: str, educations: tuple[str, ...] | None) -> None:
    # A protected site page needs every other site's figures too: one query, not one a site.
    function = metrics.BY_NAME[name]
    every = datasets.sites(con, FORUM)
    at_once = function(con, every, educations, by_site=True)
    assert set(at_once.oplaeringssted) == set(every)
    for site in every:
        own = at_once[at_once.oplaeringssted == site].drop(columns="oplaeringssted")
        alone = function(con, [site], educations)
        pd.testing.assert_frame_equal(own.reset_index(drop=True), alone, check_dtype=False)


@pytest.mark.parametrize("name", SUMMED_METRICS)
def test_the_sites_a_viewer_may_not_see_add_up_to_one_rest_in_the_same_query(
        con, name: str) -> None:
    # A site manager's site is protected against the rest of the municipality.
    function = metrics.BY_NAME[name]
    hidden = [s for s in datasets.sites(con, FORUM) if s != OWN]
    at_once = function(con, None, None, by_site=True, apart=[OWN])
    assert set(at_once.oplaeringssted) == {OWN, REST}
    for key, alone in ((OWN, function(con, [OWN])), (REST, function(con, hidden))):
        rows = at_once[at_once.oplaeringssted == key].drop(columns="oplaeringssted")
        assert len(alone)
        pd.testing.assert_frame_equal(rows.reset_index(drop=True), alone, check_dtype=False)


@pytest.mark.parametrize("by_site", [False, True], ids=["i_alt", "pr_sted"])
@pytest.mark.parametrize("name", ["sick_leave_by_year", "sick_leave_by_month"])
def test_sick_leave_of_each_education_and_of_both_comes_from_one_query(
        con, name: str, by_site: bool) -> None:
    function = metrics.BY_NAME[name]
    every = datasets.sites(con, FORUM)
    at_once = function(con, every, ["SSA", "SSH"], by_site=by_site, by_education=True)
    for education, chosen in (("SSA", ["SSA"]), ("SSH", ["SSH"]), (None, ["SSA", "SSH"])):
        rows = at_once[at_once.uddannelse.isna() if education is None
                       else at_once.uddannelse == education]
        alone = function(con, every, chosen, by_site=by_site)
        assert len(alone)
        pd.testing.assert_frame_equal(rows.drop(columns="uddannelse").reset_index(drop=True),
                                      alone, check_dtype=False)


@pytest.mark.parametrize("viewer", [Viewer("leder", "leder", (OWN, OTHER)), FORUM],
                         ids=["leder_to_steder", "kvalitetsforum"])
@pytest.mark.parametrize("name", sorted(datasets.RELEASED))
def test_every_site_protected_at_once_gives_what_each_site_gets_alone(
        con, name: str, viewer: Viewer) -> None:
    fetch = datasets.BY_NAME[name]
    for educations in (("SSH", "SSA"), ("SSA",)):
        every = fetch(con, viewer, Request(None, educations, (2019, 2026), every_site=True))
        sites = datasets.sites(con, viewer)
        assert set(every.oplaeringssted) <= set(sites)
        for site in sites:
            alone = fetch(con, viewer, Request(site, educations, (2019, 2026)))
            cut = every[every.oplaeringssted == site].drop(columns="oplaeringssted")
            cut = cut.reset_index(drop=True)
            if alone.empty:
                assert cut.empty
            else:
                pd.testing.assert_frame_equal(cut, alone)


@pytest.mark.parametrize("name", sorted(datasets.RELEASED))
def test_every_site_at_once_holds_only_the_sites_the_viewer_may_see(con, name: str) -> None:
    fetch = datasets.BY_NAME[name]
    every_site = Request(None, ("SSH", "SSA"), (2019, 2026), every_site=True)
    assert set(fetch(con, LEDER, every_site).oplaeringssted) == {OWN}
    assert fetch(con, Viewer("ny", "leder", ("Et sted uden elever",)), every_site).empty


def test_viewers_allowed_the_same_view_share_one_cache_key() -> None:
    assert Viewer("anne", "kvalitetsforum").scope == Viewer("bo", "kvalitetsforum").scope
    assert Viewer("a", "leder", (OWN,)).scope == Viewer("b", "leder", (OWN,)).scope
    assert Viewer("a", "leder", (OWN,)).scope != Viewer("a", "leder", (OTHER,)).scope
    assert FORUM.scope != Viewer("kf", "kvalitetsforum", threshold=4).scope
    assert FORUM.scope != TEAM.scope


def _shown_counts(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    return pd.concat([frame[c] for c in columns if c in frame]).dropna()


@pytest.mark.parametrize("viewer", [LEDER, FORUM], ids=["leder", "kvalitetsforum"])
@pytest.mark.parametrize("site", [None, OWN])
def test_no_count_of_one_to_three_reaches_a_protected_viewer(con, viewer: Viewer,
                                                             site: str | None) -> None:
    counts = {"cohorts": ["ansatte", "gennemfoert", "frafald", "frafald_hovedforloeb",
                          "aktive", "ansat_efter"],
              "sick_leave_by_year": ["elever"], "sick_leave_by_month": ["elever"],
              "dropout_reasons": ["antal", "i_alt"], "dropout_phases": ["antal", "i_alt"],
              "hires": ["ansatte", "intern_ufaglaert", "intern_ssh", "alder_25_plus"],
              "age_bands": ["antal", "i_alt"], "workplaces": ["antal", "i_alt"]}
    for name, columns in counts.items():
        frame = datasets.BY_NAME[name](con, viewer, _request(site))
        shown = _shown_counts(frame, columns)
        assert not shown.between(1, 3).any(), (name, shown[shown.between(1, 3)])
    # ... while the education team sees them.
    team = datasets.cohorts(con, TEAM, _request(site))
    assert _shown_counts(team, counts["cohorts"]).between(1, 3).any()


def test_site_rates_go_with_their_hidden_counts(con) -> None:
    frame = datasets.cohorts(con, LEDER, _request(OWN))
    hidden = frame.frafald_hovedforloeb_skjult
    assert hidden.any()
    assert frame.loc[hidden, "andel_frafald_hovedforloeb"].isna().all()
    assert frame.loc[hidden, "frafald_hovedforloeb_nedre"].isna().all()


def test_protected_viewers_do_not_get_the_switch_counts(con) -> None:
    assert "omvalg" not in datasets.cohorts(con, FORUM, ALL_YEARS)
    assert "omvalg" in datasets.cohorts(con, TEAM, ALL_YEARS)


def test_year_sums_ignore_the_year_filter_for_protected_viewers(con) -> None:
    narrow = Request(None, ALL_YEARS.educations, (2023, 2023))
    assert datasets.dropout_phases(con, FORUM, narrow).equals(
        datasets.dropout_phases(con, FORUM, ALL_YEARS))
    assert not datasets.dropout_phases(con, TEAM, narrow).equals(
        datasets.dropout_phases(con, TEAM, ALL_YEARS))


@pytest.mark.parametrize("viewer", [LEDER, FORUM], ids=["leder", "kvalitetsforum"])
def test_every_mark_tells_the_truth(con, viewer: Viewer) -> None:
    """Every hidden cell reads "skjult", small (1–3) or hidden to protect a small one
    (0 or more than 3): the mark tells nothing about the value. Both kinds are there."""
    from sosu.metrics.protect import marks

    shown = datasets.cohorts(con, viewer, _request(OWN))
    truth = datasets.cohorts(con, TEAM, _request(OWN))
    small = other = 0
    for column in release.OUTPUTS["cohorts"].counts:
        printed = marks(shown, column)
        assert set(printed) <= {"", "skjult"}
        small += int(truth.loc[printed == "skjult", column].between(1, 3).sum())
        other += int((~truth.loc[printed == "skjult", column].between(1, 3)).sum())
    assert small and other
    assert not [c for c in shown.columns if str(c).endswith("_lille")]


def test_a_leder_of_every_site_but_one_cannot_subtract_the_last_from_the_municipality(
        con) -> None:  # noqa: ANN001
    """The municipality less a leder's own sites is the sites they may not see: when that
    is one site, every figure of it would be another site's, shown whole. No count of the
    unseen site can be had from the municipality's and the own sites' shown counts."""
    everywhere = metrics.sites(con)
    unseen = everywhere[-1]
    viewer = Viewer("leder", "leder", tuple(everywhere[:-1]))
    made = datasets.scope_release(con, viewer)
    # The true figures of every site, unprotected: what the subtraction is checked against.
    truth = datasets.release_frames(con, TEAM)
    given_away = 0
    for name, output in release.OUTPUTS.items():
        shown, full = made.tables[name], truth[name]
        keys = [c for c in shown.columns if c in ("uddannelse", "aargang", "aar", "maaned",
                                                  "aarsag", "fase", "aldersgruppe",
                                                  "arbejdssted", "kilde")]
        for column in output.counts:
            if column + "_skjult" not in shown:
                continue
            hidden = shown[column + "_skjult"].astype(bool)
            own = shown[release.SITE].isin(viewer.sites)
            whole = shown[~hidden & (shown[release.SITE] == release.MUNICIPALITY)]
            # A site without a row for a key has none there: 0, known.
            own_sum = shown[own & ~hidden].groupby(keys, dropna=False)[column].sum()
            own_hidden = shown[own & hidden].groupby(keys, dropna=False).size()
            index = whole.set_index(keys).index
            rest = whole.set_index(keys)[column] - own_sum.reindex(index).fillna(0)
            complete = own_hidden.reindex(index).fillna(0) == 0
            theirs = full[full[release.SITE] == unseen].set_index(keys)[column]
            real = theirs.reindex(rest.index).fillna(0)
            given_away += int(((rest == real) & complete & (real != 0)).sum())
    assert given_away == 0


def test_category_rows_come_in_the_order_of_their_codes_for_protected_viewers(con) -> None:
    """Rows listed by count would tell which of two hidden counts is larger."""
    for viewer in (Viewer("kf", "kvalitetsforum"), Viewer("leder", "leder", (DEMO_SITE,))):
        for name, by in (("dropout_reasons", ["aar", "uddannelse", "aarsag"]),
                         ("workplaces", ["uddannelse", "arbejdssted"])):
            for every_site in (False, True):
                request = Request(None if every_site else DEMO_SITE, ("SSH", "SSA"),
                                  (2015, 2030), every_site=every_site)
                frame = datasets.BY_NAME[name](con, viewer, request)
                assert len(frame) > 3
                order = [SITE, *by] if every_site else by
                assert frame.equals(frame.sort_values(order, kind="stable")), (name, viewer)
