"""Completeness (sql: int_fuldstaendighed, fuldstaendighed): how much of each figure's basis
is missing, per year, computed by hand on the minimal fixture and on a copy with gaps."""

from __future__ import annotations

from pathlib import Path

import pytest

from sosu.domain.roles import AccessDenied, Viewer
from sosu.metrics import datasets, metrics
from sosu.store.db import connect_read_only

ALL = datasets.Request(None, ("SSH", "SSA"), (0, 9999))


def _rows(db: Path) -> dict[tuple[str, int, str], tuple[int, int]]:
    con = connect_read_only(db)
    try:
        frame = metrics.completeness(con)
    finally:
        con.close()
    return {(m, int(a), u): (int(g), int(n)) for m, a, u, g, n in zip(
        frame.maal, frame.aar, frame.uddannelse, frame.grundlag, frame.mangler, strict=True)}


def test_the_minimal_fixture_by_hand(minimal_db: Path) -> None:
    """Data pr. 2023-09-30; the newest sick-leave month is 2023-09. SSH 2022: A1 11 months
    (from February), A2 10, A3 3 (to its dropout in October), A4 5: 29, of which one (A3's
    September) has a row. SSH 2023: A1 8 (to August), A2 9, A4 1 (January): 18, three with
    rows. SSA 2023: B1 8, B2 5 (to June), B3 2, A1 1: 16, one with a row."""
    assert _rows(minimal_db) == {
        ("aarsag", 2022, "SSH"): (1, 0), ("aarsag", 2023, "SSH"): (1, 0),
        ("aarsag", 2023, "SSA"): (1, 0),
        ("fase", 2022, "SSH"): (1, 0), ("fase", 2023, "SSH"): (1, 0),
        ("fase", 2023, "SSA"): (1, 0),
        ("efter_uddannelse", 2022, "SSH"): (2, 0),
        ("sygefravaer", 2022, "SSH"): (29, 28), ("sygefravaer", 2023, "SSH"): (18, 15),
        ("sygefravaer", 2023, "SSA"): (16, 15),
    }


def test_unknown_reasons_and_missing_after_rows_are_counted(gaps_db: Path) -> None:
    rows = _rows(gaps_db)
    assert rows[("aarsag", 2023, "SSH")] == (1, 1)  # A4: Andet
    assert rows[("aarsag", 2022, "SSH")] == (1, 0)
    assert rows[("efter_uddannelse", 2022, "SSH")] == (2, 1)  # A2 has no row


def test_the_share_known_and_the_site_restriction(gaps_db: Path) -> None:
    con = connect_read_only(gaps_db)
    try:
        whole = metrics.completeness(con)
        east = metrics.completeness(con, ["Døgnplejen Øst"])
    finally:
        con.close()
    after = whole[whole.maal == "efter_uddannelse"]
    assert after.andel_kendt.tolist() == [0.5]
    # A4 (Andet) was hired at Døgnplejen Øst; A1 and A2 at Plejecenter Å.
    reasons = east[(east.maal == "aarsag") & (east.aar == 2023) & (east.uddannelse == "SSH")]
    assert reasons.mangler.tolist() == [1]
    assert "efter_uddannelse" not in set(east.maal)


@pytest.mark.parametrize("role", ["kvalitetsforum", "leder"])
def test_completeness_is_the_education_teams_only(gaps_db: Path, role: str) -> None:
    con = connect_read_only(gaps_db)
    try:
        with pytest.raises(AccessDenied):
            datasets.completeness(con, Viewer("x", role, ("Døgnplejen Øst",)), ALL)
        team = datasets.completeness(con, Viewer("u", "uddannelse"), ALL)
    finally:
        con.close()
    assert len(team) == 10


def test_per_site_rows_are_each_sites_own_and_add_up_to_the_whole(gaps_db: Path) -> None:
    """Stored per site: asked for every site at once (the Data page's table by site), each
    site's rows are what asking for that site alone gives, and together the whole."""
    con = connect_read_only(gaps_db)
    try:
        whole = metrics.completeness(con)
        by_site = metrics.completeness(con, by_site=True)
        alone = {site: metrics.completeness(con, [site])
                 for site in ("Døgnplejen Øst", "Plejecenter Å")}
    finally:
        con.close()
    assert set(by_site.oplaeringssted) == set(alone)
    keys = ["maal", "aar", "uddannelse"]
    for site, frame in alone.items():
        own = by_site[by_site.oplaeringssted == site]
        assert own[[*keys, "grundlag", "mangler"]].reset_index(drop=True).equals(
            frame[[*keys, "grundlag", "mangler"]].reset_index(drop=True)), site
    summed = by_site.groupby(keys, as_index=False)[["grundlag", "mangler"]].sum()
    merged = whole.merge(summed, on=keys, suffixes=("", "_sum"))
    assert len(merged) == len(whole)
    assert (merged.grundlag == merged.grundlag_sum).all()
    assert (merged.mangler == merged.mangler_sum).all()
