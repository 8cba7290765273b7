"""Every metric on the hand-made fixture in tests/data/minimal, computed by hand.

Fixture: SSH 2022 = A1, A2 (completed), A3 (dropped in GF, fravaer), A4 (dropped in
O1, faglige_krav). SSA 2023 = B1, B3, A1 (active; A1 came from SSH), B2 (switched to
SSH in S1). A1's SSH completion led to a job as SSA-elev; A2 was not hired.
Sites: Plejecenter Å = A1, A2, B1, A1(SSA); Døgnplejen Øst = A3, A4, B2, B3.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sosu.metrics import metrics
from sosu.metrics.kpi import kpi
from sosu.store.db import connect_read_only


@pytest.fixture
def con(minimal_db: Path):
    connection = connect_read_only(minimal_db)
    yield connection
    connection.close()


def _row(frame, **where):
    for key, value in where.items():
        frame = frame[frame[key] == value]
    assert len(frame) == 1, where
    return frame.iloc[0]


def test_cohorts_count_every_outcome(con):
    frame = metrics.cohorts(con)
    ssh = _row(frame, uddannelse="SSH", aargang=2022)
    assert (ssh.ansatte, ssh.gennemfoert, ssh.frafald, ssh.frafald_hovedforloeb) == (4, 2, 2, 1)
    assert (ssh.omvalg, ssh.aktive, ssh.ansat_efter, bool(ssh.afsluttet)) == (0, 0, 1, True)
    assert ssh.andel_frafald == pytest.approx(2 / 4)
    assert ssh.andel_frafald_hovedforloeb == pytest.approx(1 / 4)
    assert ssh.andel_gennemfoert == pytest.approx(2 / 4)
    assert ssh.andel_ansat_efter == pytest.approx(1 / 4)
    assert ssh.andel_ansat_efter_af_gennemfoerte == pytest.approx(1 / 2)
    ssa = _row(frame, uddannelse="SSA", aargang=2023)
    assert (ssa.ansatte, ssa.gennemfoert, ssa.frafald, ssa.frafald_hovedforloeb) == (4, 0, 1, 1)
    assert (ssa.omvalg, ssa.aktive, ssa.ansat_efter, bool(ssa.afsluttet)) == (1, 3, 0, False)
    # Without the programme switch (omvalg) SSA 2023 has no dropout at all.
    assert ssa.frafald_uden_omvalg == 0
    assert ssa.andel_frafald_hovedforloeb_uden_omvalg == 0
    assert ssa.andel_ansat_efter_af_gennemfoerte != ssa.andel_ansat_efter_af_gennemfoerte  # NaN


def test_sick_leave_is_hours_weighted_per_year_and_month(con):
    years = metrics.sick_leave_by_year(con)
    assert _row(years, aar=2022).andel == pytest.approx(12 / 120)
    y2023 = _row(years, aar=2023)
    assert (y2023.planlagte_timer, y2023.syge_timer) == (560, 33)
    assert y2023.andel == pytest.approx(33 / 560)
    months = metrics.sick_leave_by_month(con)
    assert len(months) == 5
    assert _row(months, planlagte_timer=100.0).andel == pytest.approx(0.1)


def test_dropout_reasons_and_phases_by_calendar_year(con):
    reasons = metrics.dropout_reasons(con)
    rows = reasons[["aar", "uddannelse", "aarsag", "antal"]].values.tolist()
    assert sorted(map(tuple, rows)) == [
        (2022, "SSH", "fravaer", 1), (2023, "SSA", "skift_ssa_ssh", 1),
        (2023, "SSH", "faglige_krav", 1)]
    phases = metrics.dropout_phases(con)
    assert _row(phases, fase="GF").frafald_hovedforloeb == False  # noqa: E712
    assert _row(phases, fase="O1").aar == 2023


def test_hires_per_year_with_internal_recruitment_and_age(con):
    frame = metrics.hires(con)
    ssh = _row(frame, aar=2022, uddannelse="SSH")
    assert (ssh.ansatte, ssh.intern_ufaglaert, ssh.intern_ssh, ssh.alder_25_plus) == (4, 1, 0, 2)
    ssa = _row(frame, aar=2023, uddannelse="SSA")
    assert (ssa.ansatte, ssa.intern_ufaglaert, ssa.intern_ssh, ssa.alder_25_plus) == (4, 0, 2, 3)


def test_where_graduates_were_hired(con):
    frame = metrics.hired_after_by_workplace(con)
    assert frame[["uddannelse", "aargang", "arbejdssted", "antal"]].values.tolist() == [
        ["SSH", 2022, "SSA-elev", 1]]


def test_site_restriction_applies_to_every_metric(con):
    site = ["Plejecenter Å"]
    ssh = _row(metrics.cohorts(con, site), uddannelse="SSH")
    assert (ssh.ansatte, ssh.gennemfoert, ssh.frafald) == (2, 2, 0)
    assert _row(metrics.sick_leave_by_year(con, site), aar=2023).andel == pytest.approx(33 / 560)
    assert metrics.sick_leave_by_year(con, site).aar.tolist() == [2023]
    assert metrics.dropout_reasons(con, site).empty
    assert _row(metrics.hires(con, site), aar=2023).ansatte == 2
    assert len(metrics.hired_after_by_workplace(con, site)) == 1
    east = ["Døgnplejen Øst"]
    assert metrics.hired_after_by_workplace(con, east).empty
    assert _row(metrics.sick_leave_by_year(con, east), aar=2022).andel == pytest.approx(0.1)


def test_education_restriction(con):
    assert metrics.cohorts(con, educations=["SSA"]).uddannelse.unique().tolist() == ["SSA"]


def test_kpi_json_has_the_published_shape(con):
    result = kpi(con)
    assert set(result) >= {"cohorts", "sygefravaer", "frafaldsaarsager", "ansaettelser",
                           "ansat_efter_sted", "data_pr"}
    cohort = result["cohorts"][0]
    assert list(cohort) == ["uddannelse", "aargang", "ansatte", "gennemfoert", "frafald",
                            "frafald_hovedforloeb", "omvalg", "aktive", "ansat_efter",
                            "afsluttet"]
    assert all(isinstance(cohort[k], int) for k in ("ansatte", "aargang", "frafald"))
    assert result["sygefravaer"][1]["andel"] == 33 / 560
    assert result["data_pr"] == "2023-09-30"
    assert kpi(con, "Døgnplejen Øst")["ansat_efter_sted"] == []


def test_age_bands(con):
    frame = metrics.age_bands(con, educations=["SSH"])
    assert frame[["aldersgruppe", "antal"]].values.tolist() == [
        ["16–24", 2], ["25–34", 1], ["45–54", 1]]


def test_wilson_interval_matches_the_textbook_value(con):
    from sosu.metrics.scorecard import target_series

    series = target_series(con)
    row = series[(series.metric == "frafald_hovedforloeb") & (series.uddannelse == "SSH")]
    # 1 of 4: Wilson 95 % interval 4.6 %–69.9 %.
    assert float(row.nedre.iloc[0]) == pytest.approx(0.0456, abs=1e-4)
    assert float(row.oevre.iloc[0]) == pytest.approx(0.6994, abs=1e-4)


def test_student_list_has_each_students_own_sick_leave(con):
    """Overall and in the data's last three months (data as of 2023-09-30: July to
    September). A1 is two students, SSH and SSA: only the SSH one has sick-leave rows."""
    frame = metrics.students(con)
    a1_ssh = _row(frame, elev_id="A1", uddannelse="SSH")
    assert (a1_ssh.sygefravaer_i_alt, a1_ssh.sygefravaer_3_mdr) == (15 / 300, 15 / 300)
    a1_ssa = _row(frame, elev_id="A1", uddannelse="SSA")
    assert a1_ssa.sygefravaer_i_alt != a1_ssa.sygefravaer_i_alt  # NaN: no month at all
    assert _row(frame, elev_id="A2").sygefravaer_3_mdr == 10 / 100
    a3 = _row(frame, elev_id="A3")  # one month, 2022-09: nothing in the last three
    assert a3.sygefravaer_i_alt == 12 / 120
    assert a3.sygefravaer_3_mdr != a3.sygefravaer_3_mdr
    assert _row(frame, elev_id="B1").sygefravaer_i_alt == 8 / 160
