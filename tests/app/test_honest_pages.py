"""Overblik and Frafald on the published figures (issue 24): the scorecard says what the
report's summary says, no change is claimed, running cohorts are projected, and the
back-test is the education team's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sosu.domain.roles import Viewer
from sosu.domain.targets import load_targets
from sosu.report.content import Quarter, gather
from sosu.store.db import connect_read_only
from tests.app.helpers import APP, add_user, log_in, open_tables


def _app(db: Path, role: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("SOSU_DB", str(db))
    add_user(f"test-{role}", role)
    return log_in(AppTest.from_file(str(APP), default_timeout=90), f"test-{role}")


def _captions(at: AppTest) -> list[str]:
    return [str(c.value) for c in at.caption]


@pytest.mark.parametrize(("role", "viewer"), [("uddannelse", Viewer("t", "uddannelse")),
                                              ("kvalitetsforum", Viewer("k", "kvalitetsforum"))])
def test_the_scorecard_reads_the_reports_statements(published_db: Path, role: str,
                                                    viewer: Viewer,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(published_db, role, monkeypatch)
    at.run()
    assert not at.exception
    captions = _captions(at)
    con = connect_read_only(published_db)
    try:
        content = gather(con, viewer, Quarter(2025, 2), load_targets())
    finally:
        con.close()
    for line in content.summary[:len(content.scores)]:
        assert line in captions, line
    text = "\n".join(captions + [str(m.value) for m in at.markdown])
    assert not re.search(r"\b(faldet|steget)\b", text)
    assert "Strategiens 16 % er frafald i alt for årgang 2022" in text
    assert "afventer data" in text


def test_frafald_projects_running_cohorts_and_backtests_for_the_team(
        published_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(published_db, "uddannelse", monkeypatch)
    at.run()
    at.switch_page("app_pages/frafald.py").run()
    assert not at.exception
    projected = [d.value for d in at.dataframe
                 if "andel_frafald_hovedforloeb" in d.value.columns]
    assert len(projected) == 1
    assert sorted(zip(projected[0].uddannelse, projected[0].aargang, strict=True)) == [
        ("SSA", 2023), ("SSH", 2024)]
    assert any("◇ Fremskrevet" in c for c in _captions(at))
    at.toggle(key="vis_afproevning").set_value(True).run()
    at.toggle(key="vis_overlevelse").set_value(True).run()
    open_tables(at)
    assert not at.exception
    backtest = [d.value for d in at.dataframe if "Intervallet ramte" in d.value.columns]
    assert len(backtest) == 1 and len(backtest[0]) == 8
    curves = [d.value for d in at.dataframe if "udfald" in d.value.columns]
    assert len(curves) == 1 and set(curves[0].udfald) == {"frafald", "gennemført"}


def test_frafald_has_no_backtest_for_kvalitetsforum(published_db: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(published_db, "kvalitetsforum", monkeypatch)
    at.run()
    at.switch_page("app_pages/frafald.py").run()
    assert not at.exception
    assert "vis_afproevning" not in [t.key for t in at.toggle]
