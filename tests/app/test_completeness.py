"""AppTest: completeness on the Data page and beside the figures, for the education team
only (the figures by hand: tests/sql/test_completeness.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.helpers import APP, TIMEOUT, as_viewer, texts


def _app(db: Path, role: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("SOSU_DB", str(db))
    return as_viewer(AppTest.from_file(str(APP), default_timeout=TIMEOUT), role)


def _completeness_table(at: AppTest) -> object:
    tables = [d.value for d in at.dataframe if "andel_kendt" in getattr(d.value, "columns", [])]
    return tables[0] if tables else None


def test_the_data_page_shows_completeness_per_year(gaps_db: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(gaps_db, "uddannelse", monkeypatch)
    at.run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    table = _completeness_table(at)
    assert table is not None
    rows = {(m, int(a), u): (int(g), int(n)) for m, a, u, g, n in zip(
        table.maal_tekst, table.aar, table.uddannelse, table.grundlag, table.mangler,
        strict=True)}
    assert rows[("Frafaldsårsag (pr. frafaldsår)", 2023, "SSH")] == (1, 1)
    assert rows[("Ansat efter uddannelsen (pr. årgang)", 2022, "SSH")] == (2, 1)
    assert rows[("Sygefravær (pr. kalenderår)", 2022, "SSH")] == (29, 28)
    assert "Hvor fuldstændige er data?" in [h.value for h in at.subheader]
    assert "omkring 40 %" in texts(at)


def test_the_figures_say_how_complete_their_basis_is(gaps_db: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(gaps_db, "uddannelse", monkeypatch)
    at.run()
    at.switch_page("app_pages/frafald.py").run()
    assert not at.exception, [e.value for e in at.exception]
    shown = texts(at)
    # Three dropouts, one with the reason Andet (A4, 2023).
    assert "Datagrundlag, frafaldsårsag: 67 % kendt (1 af 3 frafald mangler)." in shown
    assert "Mindst kendt: frafaldsår 2023 med 50 %." in shown
    at.switch_page("app_pages/fastholdelse.py").run()
    assert "Datagrundlag, ansat efter uddannelsen: 50 % kendt (1 af 2 gennemførte mangler)." \
        in texts(at)
    at.switch_page("app_pages/sygefravaer.py").run()
    assert "Datagrundlag, sygefravær:" in texts(at)


@pytest.mark.parametrize(("role", "sites"), [("kvalitetsforum", ()),
                                             ("leder", ("Døgnplejen Øst",))])
def test_protected_roles_see_the_figures_without_completeness(
        gaps_db: Path, monkeypatch: pytest.MonkeyPatch, role: str,
        sites: tuple[str, ...]) -> None:
    monkeypatch.setenv("SOSU_DB", str(gaps_db))
    at = as_viewer(AppTest.from_file(str(APP), default_timeout=TIMEOUT), role, sites)
    at.run()
    for page in ("app_pages/data.py", "app_pages/frafald.py", "app_pages/fastholdelse.py"):
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        assert "Datagrundlag" not in texts(at) and _completeness_table(at) is None
        assert not [w for w in at.warning if "elevniveau" in str(w.value)]
