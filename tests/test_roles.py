"""Per role: what is shown and what is refused, in the query layer and in the app."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from sosu.domain.roles import AccessDenied, Viewer
from sosu.metrics import datasets, metrics, release
from sosu.metrics.datasets import Request
from sosu.metrics.protect import REST
from sosu.store.db import connect_read_only
from tests.conftest import APP, PAGES, TEAM_ONLY_PAGES, add_user, log_in, open_tables

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


@pytest.mark.parametrize("viewer", [LEDER, FORUM], ids=["leder", "kvalitetsforum"])
def test_team_only_pages_are_not_in_other_roles_navigation(
        demo_db: Path, monkeypatch: pytest.MonkeyPatch, viewer: Viewer) -> None:
    at = _app(demo_db, monkeypatch, viewer).run()
    for page in TEAM_ONLY_PAGES:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


@pytest.mark.parametrize("viewer", [LEDER, FORUM], ids=["leder", "kvalitetsforum"])
def test_team_only_page_run_anyway_names_no_student(
        demo_db: Path, monkeypatch: pytest.MonkeyPatch, viewer: Viewer) -> None:
    """Should the page script run for another role all the same, it explains and stops."""
    monkeypatch.setenv("SOSU_DB", str(demo_db))
    at = AppTest.from_file(str(APP.parent / TEAM_ONLY_PAGES[0]), default_timeout=60)
    at.session_state["viewer"] = viewer
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Kun uddannelsesteamet kan se listen" in _everything(at)
    assert not at.dataframe and "E0" not in _everything(at)


def test_leder_sees_only_own_sites(con) -> None:
    assert datasets.sites(con, LEDER) == [OWN]
    assert OTHER in datasets.sites(con, FORUM)


SUMMED_METRICS = ("cohorts", "sick_leave_by_year", "sick_leave_by_month", "dropout_reasons",
                  "dropout_phases", "hires", "hired_after_by_workplace", "age_bands")


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


def test_survival_for_protected_viewers_is_quarterly_and_municipal(con) -> None:
    frame = datasets.survival(con, FORUM, ALL_YEARS)
    assert set(frame.maaneder % 3) == {0}
    assert not frame.frafald.between(1, 3).any()
    assert (frame.i_risiko > 3).all()
    with pytest.raises(AccessDenied):
        datasets.survival(con, FORUM, _request(OWN))


# The app ----------------------------------------------------------------------



def _app(db: Path, monkeypatch: pytest.MonkeyPatch, viewer: Viewer | None = None) -> AppTest:
    monkeypatch.setenv("SOSU_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=90)
    if viewer is not None:
        add_user(viewer.name, viewer.role, viewer.sites)
        log_in(at, viewer.name)
    return at


def _everything(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [w.value for w in at.warning]
    parts += [i.value for i in at.info] + [t.value for t in at.title]
    parts += [f"{m.label}={m.value}" for m in at.metric]
    parts += [s.options for s in at.selectbox]
    parts += [d.value.to_csv() for d in at.dataframe]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("page", [p for p in PAGES if p not in TEAM_ONLY_PAGES])
def test_leder_editing_the_url_to_another_site_gets_nothing_of_it(
        demo_db: Path, monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    at = _app(demo_db, monkeypatch, LEDER)
    at.query_params["sted"] = OTHER
    at.run()
    open_tables(at.switch_page(page).run())
    assert not at.exception, [e.value for e in at.exception]
    assert OTHER not in _everything(at)


def test_leder_site_page_shows_own_site_suppressed_beside_the_municipality(
        demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(demo_db, monkeypatch, LEDER).run()
    at.switch_page("app_pages/mit_oplaeringssted.py").run()
    assert at.selectbox(key="site_pick").options == [OWN]
    table = at.dataframe[0].value
    assert set(table.hvem) == {OWN, "Hele kommunen"}
    own = table[table.hvem == OWN]
    assert "≤3" in set(own.frafald)
    assert "Elever (kun uddannelsesteamet)" not in _everything(at)
    assert "tal på 3 elever eller færre vises som ≤3" in _everything(at)


def test_education_team_sees_the_student_list_and_the_audit_log(
        demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(demo_db, monkeypatch, TEAM).run()
    at.switch_page("app_pages/mit_oplaeringssted.py").run()
    at.selectbox(key="site_pick").set_value(OWN).run()
    students = at.dataframe[-1].value
    assert {"elev_id", "status", "sygefravaer_3_mdr"} <= set(students.columns)
    assert set(students.oplaeringssted) == {OWN}
    at.switch_page("app_pages/data.py").run()
    assert "Logbog" in _everything(at)


@pytest.mark.parametrize("viewer", [LEDER, FORUM], ids=["leder", "kvalitetsforum"])
def test_protected_roles_cannot_upload_or_read_the_log(
        demo_db: Path, monkeypatch: pytest.MonkeyPatch, viewer: Viewer) -> None:
    at = _app(demo_db, monkeypatch, viewer).run()
    at.switch_page("app_pages/data.py").run()
    assert not at.get("file_uploader")
    assert "Kun uddannelsesteamet kan indlæse data" in _everything(at)
    assert "Logbog" not in _everything(at)


def test_real_data_without_login_shows_nothing(real_db: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(real_db, monkeypatch).run()
    assert not at.exception
    assert "login er ikke sat op" in _everything(at)
    assert not at.dataframe and not at.metric


def test_demo_data_without_login_runs_with_a_banner(demo_db: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(demo_db, monkeypatch).run()
    assert "**Demo**" in _everything(at) and at.metric


def test_demo_data_with_users_configured_asks_for_login(
        demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add_user("anne", "uddannelse")
    at = _app(demo_db, monkeypatch).run()
    assert at.text_input(key="login_name") and not at.metric


def _login(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    return at.button[0].click().run()


def test_login_logout_and_lockout_in_the_app(real_db: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    add_user("anne", "leder", (OWN,), password="annes-lange-kode")
    monkeypatch.setenv("SOSU_MAX_FEJL", "2")
    at = _app(real_db, monkeypatch).run()
    _login(at, "anne", "forkert-kodeord")
    assert "Forkert brugernavn eller adgangskode" in _everything(at)
    _login(at, "anne", "forkert-kodeord")
    _login(at, "anne", "annes-lange-kode")
    assert "For mange forkerte forsøg" in _everything(at)

    fresh = _app(real_db, monkeypatch)
    monkeypatch.setenv("SOSU_MAX_FEJL", "5")
    fresh.run()
    _login(fresh, "anne", "annes-lange-kode")
    assert "Logget ind som **anne**" in _everything(fresh)
    assert fresh.metric
    fresh.button(key="logout").click().run()
    assert not fresh.metric
    assert ("Du er ikke logget ind" in _everything(fresh)
            or "login_name" in [t.key for t in fresh.text_input])


def test_idle_session_expires(real_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(real_db, monkeypatch, LEDER)
    log_in(at, LEDER.name, seconds_ago=dt.timedelta(hours=2).total_seconds())
    at.run()
    assert "inaktiv for længe" in _everything(at)
    assert at.text_input(key="login_name") and not at.metric


# What st.login needs under [auth] (not contacted: AppTest's at.user stands in for it).
AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "sosu", "client_secret": "hemmelig",
        "server_metadata_url": "http://127.0.0.1:9400/.well-known/openid-configuration"}


def _oidc_app(db: Path, monkeypatch: pytest.MonkeyPatch, user: dict) -> AppTest:
    from sosu.access.users import User
    from sosu.access.users import add_user as add

    monkeypatch.setenv("SOSU_LOGIN", "oidc")
    add(Path(os.environ["SOSU_USERS"]), User("kf", "kvalitetsforum", email="kf@kommune.dk"),
        None)
    at = _app(db, monkeypatch)
    at.secrets["auth"] = AUTH
    at.user = user
    return at.run()


def test_oidc_login_maps_the_email_to_role(real_db: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    at = _oidc_app(real_db, monkeypatch, {"is_logged_in": True, "email": "KF@kommune.dk",
                                                     "email_verified": True})
    assert not at.exception and at.metric
    assert "Logget ind som **kf** (Kvalitetsforum)" in _everything(at)


def test_oidc_unknown_email_is_refused(real_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _oidc_app(real_db, monkeypatch, {"is_logged_in": True, "email": "x@andet.dk",
                                                     "email_verified": True})
    assert "har ikke adgang" in _everything(at) and not at.metric


def test_oidc_logged_out_gets_the_login_button(real_db: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    at = _oidc_app(real_db, monkeypatch, {"is_logged_in": False})
    assert at.button(key="oidc_login").label == "Log ind med kommunens login"
    assert not at.metric


@pytest.mark.parametrize("viewer", [LEDER, FORUM], ids=["leder", "kvalitetsforum"])
def test_every_mark_tells_the_truth(con, viewer: Viewer) -> None:
    """"≤3" only where the true count is 1–3; other hidden counts (0 or more than 3,
    hidden to protect a small one) read "skjult"."""
    from sosu.metrics.protect import marks

    shown = datasets.cohorts(con, viewer, _request(OWN))
    truth = datasets.cohorts(con, TEAM, _request(OWN))
    for column in release.OUTPUTS["cohorts"].counts:
        printed = marks(shown, column, 3)
        assert truth.loc[printed == "≤3", column].between(1, 3).all()
        assert not truth.loc[printed == "skjult", column].between(1, 3).any()
    assert (marks(shown, "gennemfoert", 3) == "skjult").any()


def _audit_events() -> list[tuple[str, str]]:
    from sosu.store import audit

    return [(e["haendelse"], e["bruger"]) for e in reversed(audit.latest(
        Path(os.environ["SOSU_LOG"])))]


def test_a_demo_tab_loses_its_access_when_accounts_are_created(
        demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(demo_db, monkeypatch).run()
    assert at.metric and "**Demo**" in _everything(at)
    add_user("anne", "uddannelse")
    at.run()  # the next click
    assert at.text_input(key="login_name") and not at.metric
    assert ("session_afsluttet", "demo") in _audit_events()


def test_a_demo_tab_loses_its_access_when_real_data_are_loaded(
        demo_db: Path, real_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    live = tmp_path / "live.duckdb"
    shutil.copy(demo_db, live)
    at = _app(live, monkeypatch).run()
    at.switch_page("app_pages/tidlig_opsporing.py").run()
    assert at.dataframe  # the demo's early-warning list
    shutil.copy(real_db, tmp_path / "ny.duckdb")
    os.replace(tmp_path / "ny.duckdb", live)  # a load swaps the file in
    add_user("anne", "uddannelse")
    at.run()
    assert at.text_input(key="login_name") and not at.dataframe and not at.metric
    assert "syntetiske" not in _everything(at).lower()


def test_a_removed_account_is_logged_out_at_the_next_click(
        real_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sosu.access.users import remove_user

    at = _app(real_db, monkeypatch, TEAM).run()
    assert at.metric
    remove_user(Path(os.environ["SOSU_USERS"]), TEAM.name)
    add_user("someone-else", "uddannelse")
    at.run()
    assert at.text_input(key="login_name") and not at.metric
    assert ("session_afsluttet", TEAM.name) in _audit_events()


def test_a_changed_role_takes_effect_at_the_next_click(
        real_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sosu.access.users import User, load_users, save_users

    at = _app(real_db, monkeypatch, TEAM).run()
    at.switch_page("app_pages/tidlig_opsporing.py").run()
    assert at.dataframe
    path = Path(os.environ["SOSU_USERS"])
    users = load_users(path)
    users[TEAM.name] = User(TEAM.name, "leder", (OWN,), password_hash=users[TEAM.name]
                            .password_hash)
    save_users(path, users)
    at.run()
    assert f"Logget ind som **{TEAM.name}** (Leder af oplæringssted · {OWN})" in _everything(at)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/tidlig_opsporing.py")  # the list is gone from the menu


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> list:
    """The data callables the tables hand to st.download_button. Streamlit calls one when
    its button is clicked, without a script run (AppTest has no runtime to do it)."""
    import sosu.app.login
    import sosu.app.ui

    made: list = []

    def keep(produce):  # noqa: ANN001, ANN202
        made.append(sosu.app.login.guarded(produce))
        return made[-1]

    monkeypatch.setattr(sosu.app.ui, "guarded", keep)
    return made


def _session_ends(at: AppTest, how: str) -> None:
    from sosu.access.users import remove_user

    if how == "expired":
        at.session_state["sosu_login"].last_seen -= dt.timedelta(hours=2).total_seconds()
    elif how == "removed":
        remove_user(Path(os.environ["SOSU_USERS"]), TEAM.name)
        add_user("someone-else", "uddannelse")
    else:
        at.button(key="logout").click().run()


@pytest.mark.parametrize("how", ["expired", "removed", "logged_out"])
def test_a_download_after_the_session_ended_delivers_nothing(
        real_db: Path, monkeypatch: pytest.MonkeyPatch, downloads: list, how: str) -> None:
    from sosu.app.login import DownloadRefused

    at = _app(real_db, monkeypatch, TEAM).run()
    at.switch_page("app_pages/tidlig_opsporing.py").run()
    assert downloads and downloads[-1]()  # while the session holds
    exported = _audit_events().count(("eksport", TEAM.name))
    _session_ends(at, how)
    with pytest.raises(DownloadRefused):
        downloads[-1]()
    assert _audit_events().count(("eksport", TEAM.name)) == exported


def test_oidc_without_auth_configuration_says_so_in_danish(
        real_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOSU_LOGIN", "oidc")
    at = _app(real_db, monkeypatch).run()
    assert not at.exception
    assert "Kommunens login (SOSU_LOGIN=oidc) er ikke sat op" in _everything(at)
    assert not at.metric and not at.get("button")


def test_oidc_problems_name_each_missing_key() -> None:
    from sosu.app.login import oidc_problems

    assert oidc_problems(None, None) == ["afsnittet [auth] mangler"]
    assert oidc_problems(AUTH, None) == []
    partial = {k: v for k, v in AUTH.items() if k not in ("cookie_secret", "client_id")}
    assert oidc_problems(partial, None) == ["cookie_secret", "[auth] client_id"]
    assert oidc_problems(AUTH, "microsoft") == ["[auth.microsoft] mangler"]


@pytest.mark.parametrize("verified", [False, None, "false"])
def test_oidc_refuses_an_unverified_email(real_db: Path, monkeypatch: pytest.MonkeyPatch,
                                          verified: object) -> None:
    claims = {"is_logged_in": True, "email": "kf@kommune.dk"}
    if verified is not None:
        claims["email_verified"] = verified
    at = _oidc_app(real_db, monkeypatch, claims)
    assert not at.metric and "ikke bekræftet" in _everything(at)
    assert ("login_afvist", "kf@kommune.dk") in _audit_events()


def test_errors_never_show_tracebacks_to_users() -> None:
    import tomllib

    from streamlit.config import ShowErrorDetailsConfigOptions

    config = tomllib.loads((APP.parents[3] / ".streamlit" / "config.toml").read_text("utf-8"))
    assert config["client"]["showErrorDetails"] == ShowErrorDetailsConfigOptions.NONE.value
