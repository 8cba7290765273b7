"""Per role in the app: pages, navigation, login, sessions and downloads as each role gets
them (the query layer's side is tests/sql/test_roles.py).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sosu.domain.roles import Viewer
from tests.app.helpers import APP, PAGES, TEAM_ONLY_PAGES, TIMEOUT, add_user, log_in, open_tables

OWN, OTHER = "Døgnplejen Nord", "Døgnplejen Syd"
LEDER = Viewer("leder", "leder", (OWN,))
FORUM = Viewer("kf", "kvalitetsforum")
SMALL_SITE = "Plejecenter Å"  # a site of tests/data/minimal
TEAM = Viewer("team", "uddannelse")


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
    at = AppTest.from_file(str(APP.parent / TEAM_ONLY_PAGES[0]), default_timeout=TIMEOUT)
    at.session_state["viewer"] = viewer
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Kun uddannelsesteamet kan se listen" in _everything(at)
    assert not at.dataframe and "E0" not in _everything(at)


def _app(db: Path, monkeypatch: pytest.MonkeyPatch, viewer: Viewer | None = None) -> AppTest:
    monkeypatch.setenv("SOSU_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
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
    assert "skjult" in set(own.frafald) and "≤3" not in set(own.frafald)
    assert "Elever (kun uddannelsesteamet)" not in _everything(at)
    assert "tal på 3 elever eller færre vises som 'skjult'" in _everything(at)


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
    assert "rækker" in at.dataframe[0].value.columns  # the loaded files' row counts


@pytest.mark.parametrize("viewer", [LEDER, FORUM], ids=["leder", "kvalitetsforum"])
def test_protected_roles_cannot_upload_or_read_the_log(
        demo_db: Path, monkeypatch: pytest.MonkeyPatch, viewer: Viewer) -> None:
    at = _app(demo_db, monkeypatch, viewer).run()
    at.switch_page("app_pages/data.py").run()
    assert not at.get("file_uploader")
    assert "Kun uddannelsesteamet kan indlæse data" in _everything(at)
    assert "Logbog" not in _everything(at)
    # The loaded files without their row counts (datasets.loaded_files).
    files = at.dataframe[0].value
    assert "sygefravaer" in set(files.fil) and "rækker" not in files.columns


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


def test_login_logout_and_lockout_in_the_app(minimal_session_db: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """On the hand-made fixture, real data (no demo seal): the login is what is tested,
    and a leder's release of the demo would cost 7 s of CPU."""
    add_user("anne", "leder", (SMALL_SITE,), password="annes-lange-kode")
    monkeypatch.setenv("SOSU_MAX_FEJL", "2")
    at = _app(minimal_session_db, monkeypatch).run()
    _login(at, "anne", "forkert-kodeord")
    assert "Forkert brugernavn eller adgangskode" in _everything(at)
    _login(at, "anne", "forkert-kodeord")
    _login(at, "anne", "annes-lange-kode")
    assert "For mange forkerte forsøg" in _everything(at)

    fresh = _app(minimal_session_db, monkeypatch)
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


def test_oidc_login_maps_the_email_to_role(minimal_session_db: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # Real data of the hand-made fixture: Kvalitetsforum's release of it is made in a
    # second, the demo's in 6.
    at = _oidc_app(minimal_session_db, monkeypatch, {"is_logged_in": True,
                                                     "email": "KF@kommune.dk",
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
        early_warning_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a hand-made fixture with students to list (real data: a login is needed; small:
    opening a database prepares Kvalitetsforum's release in the background, 7 s of CPU
    at the demo's size)."""
    from sosu.access.users import User, load_users, save_users

    at = _app(early_warning_db, monkeypatch, TEAM).run()
    at.switch_page("app_pages/tidlig_opsporing.py").run()
    assert at.dataframe
    path = Path(os.environ["SOSU_USERS"])
    users = load_users(path)
    users[TEAM.name] = User(TEAM.name, "leder", ("Sted A",), password_hash=users[TEAM.name]
                            .password_hash)
    save_users(path, users)
    at.run()
    assert f"Logget ind som **{TEAM.name}** (Leder af oplæringssted · Sted A)" in _everything(at)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/tidlig_opsporing.py")  # the list is gone from the menu


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> list:
    """The data callables the tables hand to st.download_button. Streamlit calls one when
    its button is clicked, without a script run (AppTest has no runtime to do it)."""
    import sosu.app.downloads
    import sosu.app.login

    made: list = []

    def keep(produce):  # noqa: ANN001, ANN202
        made.append(sosu.app.login.guarded(produce))
        return made[-1]

    monkeypatch.setattr(sosu.app.downloads, "guarded", keep)
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


def test_a_demo_flag_written_by_another_version_is_not_trusted(
        demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Older versions marked a load as demo data when the folder held a file named
    DEMODATA.txt, whatever else it held. Only this version's seal check is trusted: a file
    another version loaded counts as real data, so without login nothing is shown."""
    import duckdb

    live = tmp_path / "gammel.duckdb"
    shutil.copy(demo_db, live)
    con = duckdb.connect(str(live))
    con.execute("UPDATE indlaesning SET kodeversion = 'en gammel version'")
    con.close()
    at = _app(live, monkeypatch).run()
    assert not at.exception
    assert any("rigtige elevdata" in e.value for e in at.error)
    assert "**Demo**" not in _everything(at) and not at.metric


def test_logging_out_in_one_tab_ends_the_accounts_other_tabs(
        minimal_session_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An OIDC tab keeps the login it read when it opened: after a logout in another tab
    it went on showing figures (the review, 2026-12-04). It ends at its next click. On the
    hand-made fixture: real data, and a release of its size (real_db's costs 5 s of CPU)."""
    claims = {"is_logged_in": True, "email": "kf@kommune.dk", "email_verified": True}
    first = _oidc_app(minimal_session_db, monkeypatch, claims)
    second = _app(minimal_session_db, monkeypatch)
    second.secrets["auth"] = AUTH
    second.user = claims
    second.run()
    assert first.metric and second.metric
    first.button(key="logout").click().run()
    second.run()
    assert not second.exception and not second.metric
    assert "Du har logget ud i et andet vindue" in _everything(second)
    assert ("logget_ud_andetsteds", "kf") in _audit_events()
