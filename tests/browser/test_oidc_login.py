"""OIDC login end to end: a real OpenID Connect provider on loopback (oidc-provider-mock),
the dashboard served by Streamlit with SOSU_LOGIN=oidc, and headless Chromium clicking
through Streamlit's st.login, with roles from the users file and from the provider's
groups (SOSU_OIDC_GRUPPER). Plus the claim the users file is matched on (SOSU_OIDC_CLAIM)
and group sessions, through AppTest."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.browser import chromium, free_port
from tests.ops_support import oidc_log_in, oidc_secrets, streamlit_on, users_file
from tests.support import require_chromium

oidc_provider_mock = pytest.importorskip("oidc_provider_mock")

OWN = "Døgnplejen Nord"
USERS = f"""
[[bruger]]
navn = "anne"
rolle = "uddannelse"
email = "anne@kommune.dk"

[[bruger]]
navn = "bo"
rolle = "leder"
steder = ["{OWN}"]
email = "bo@kommune.dk"
"""
# Groups as Entra ID names them in the token's `groups` claim (object ids).
KF_GROUP = "0b7e4c1a-5d2f-4e8b-9c3a-6f1d2e3a4b5c"
NORD_GROUP = "0b7e4c1a-5d2f-4e8b-9c3a-6f1d2e3a4b5d"
GROUPS = f"""
[[gruppe]]
id = "{NORD_GROUP}"
navn = "Ledere {OWN}"
rolle = "leder"
steder = ["{OWN}"]

[[gruppe]]
id = "{KF_GROUP.upper()}"
navn = "Kvalitetsforum"
rolle = "kvalitetsforum"
"""
# The provider's predefined users: the button on its form carries the `sub`. Claims that
# are not standard (here `groups`) go into the ID token whatever the scope.
CLAIMS = [
    {"sub": "anne", "email": "Anne@Kommune.dk", "email_verified": True},
    # In the users file as a leder, and a member of Kvalitetsforum: the file decides.
    {"sub": "bo", "email": "bo@kommune.dk", "email_verified": True, "groups": [KF_GROUP]},
    {"sub": "ukendt", "email": "ukendt@kommune.dk", "email_verified": True,
     "groups": ["0b7e4c1a-0000-0000-0000-000000000000"]},
    {"sub": "ubekraeftet", "email": "bo@kommune.dk", "email_verified": False},
    # Only in groups: Kvalitetsforum, and a leder group listed before it.
    {"sub": "medlem", "email": "Medlem@Kommune.dk", "email_verified": True,
     "groups": ["andet", KF_GROUP]},
    {"sub": "leder", "email": "leder@kommune.dk", "email_verified": True,
     "groups": [KF_GROUP, NORD_GROUP]},
]


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    from oidc_provider_mock import User, run_server_in_thread

    users = [User(sub=c["sub"], claims=dict(c)) for c in CLAIMS]
    with run_server_in_thread(port=0, user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def dashboard(provider: str, demo_db: Path,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    require_chromium()
    folder = tmp_path_factory.mktemp("oidc")
    port = free_port()
    secrets_file = oidc_secrets(folder / "secrets.toml",
                                f"http://127.0.0.1:{port}/oauth2callback", provider)
    log = folder / "log.jsonl"
    env = {"SOSU_DB": str(demo_db), "SOSU_LOGIN": "oidc", "SOSU_FORBERED": "nej",
           "SOSU_USERS": str(users_file(folder / "brugere.toml", USERS)),
           "SOSU_OIDC_GRUPPER": str(users_file(folder / "grupper.toml", GROUPS)),
           "SOSU_LOG": str(log)}
    with streamlit_on(port, env, ["--secrets.files", str(secrets_file)],
                      log=folder / "streamlit.log") as url:
        yield url, log


@pytest.fixture(scope="module")
def idle_dashboard(provider: str, demo_db: Path,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The same, with sessions that expire after one idle minute (the smallest setting)."""
    require_chromium()
    folder = tmp_path_factory.mktemp("oidc-idle")
    port = free_port()
    secrets_file = oidc_secrets(folder / "secrets.toml",
                                f"http://127.0.0.1:{port}/oauth2callback", provider)
    log = folder / "log.jsonl"
    env = {"SOSU_DB": str(demo_db), "SOSU_LOGIN": "oidc", "SOSU_FORBERED": "nej",
           "SOSU_USERS": str(users_file(folder / "brugere.toml", USERS)),
           "SOSU_LOG": str(log), "SOSU_INAKTIV_MINUTTER": "1"}
    with streamlit_on(port, env, ["--secrets.files", str(secrets_file)]) as url:
        yield url, log


@pytest.fixture(scope="module")
def browser(dashboard: tuple[str, Path]) -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def _body(page: Any) -> str:
    return str(page.inner_text("body"))


def _log_in(browser: Any, url: str, sub: str) -> Any:
    """A fresh browser context (no cookies) logged in as `sub` at the provider."""
    page = browser.new_context().new_page()
    oidc_log_in(page, url, sub)
    return page


def _log_out(page: Any) -> None:
    """Click the app's logout: Streamlit ends the session at the provider too (RP-initiated
    logout), whose page asks to confirm, and comes back to the login button."""
    page.get_by_role("button", name="Log ud").click()
    page.wait_for_url("**/oauth2/end_session**", timeout=30_000)
    page.get_by_role("button", name="End session").click()
    page.get_by_role("button", name="Log ind med kommunens login").wait_for(timeout=60_000)


def _entries(log: Path) -> list[dict[str, Any]]:
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return [json.loads(line) for line in lines]


def _events(log: Path) -> list[tuple[str, str]]:
    return [(e["haendelse"], e["bruger"]) for e in _entries(log)]


def _rule_of_login(log: Path, who: str) -> str:
    return str([e for e in _entries(log) if e["haendelse"] == "login"
                and e["bruger"] == who][-1]["regel"])


@pytest.mark.browser
def test_login_through_the_provider_gives_role_and_sites_and_logout_ends_it(
        dashboard: tuple[str, Path], browser: Any) -> None:
    url, log = dashboard
    page = _log_in(browser, url, "bo")
    assert f"Logget ind som bo (Leder af oplæringssted · {OWN})" in _body(page)
    # The leder's own-site page is in the navigation; the education team's pages are not.
    assert page.locator("[data-testid='stSidebarNav'] a[href$='/mit_oplaeringssted']").count()
    assert not page.locator("[data-testid='stSidebarNav'] a[href$='/tidlig_opsporing']").count()
    assert ("login", "bo") in _events(log)
    # bo is in the Kvalitetsforum group too, but the users file goes first.
    assert _rule_of_login(log, "bo") == "brugerfil"

    _log_out(page)
    assert "Logget ind som" not in _body(page)
    assert ("logout", "bo") in _events(log)
    # The cookie is gone: a reload still asks for login.
    page.reload()
    page.get_by_role("button", name="Log ind med kommunens login").wait_for(timeout=60_000)
    page.context.close()

    team = _log_in(browser, url, "anne")  # the provider's e-mail in another case
    assert "Logget ind som anne (Uddannelsesteamet)" in _body(team)
    assert team.locator("[data-testid='stSidebarNav'] a[href$='/tidlig_opsporing']").count()
    team.context.close()


@pytest.mark.browser
def test_members_of_a_mapped_group_log_in_without_a_users_file_entry(
        dashboard: tuple[str, Path], browser: Any) -> None:
    """The provider's `groups` claim, mapped by SOSU_OIDC_GRUPPER: a Kvalitetsforum member
    gets that role; a member of a leder group listed first gets the leder's site. The
    audit log names the group that let each in."""
    url, log = dashboard
    member = _log_in(browser, url, "medlem")
    assert "Logget ind som medlem@kommune.dk (Kvalitetsforum)" in _body(member)
    assert member.locator("[data-testid='stMetric']").count()
    assert not member.locator(
        "[data-testid='stSidebarNav'] a[href$='/tidlig_opsporing']").count()
    assert (_rule_of_login(log, "medlem@kommune.dk")
            == f"gruppe 'Kvalitetsforum' ({KF_GROUP.upper()})")
    _log_out(member)
    member.context.close()

    leader = _log_in(browser, url, "leder")
    assert f"Logget ind som leder@kommune.dk (Leder af oplæringssted · {OWN})" in _body(leader)
    assert leader.locator(
        "[data-testid='stSidebarNav'] a[href$='/mit_oplaeringssted']").count()
    assert _rule_of_login(log, "leder@kommune.dk") == f"gruppe 'Ledere {OWN}' ({NORD_GROUP})"
    leader.context.close()


@pytest.mark.browser
@pytest.mark.parametrize("sub, message, reason", [
    # In a group, but not one the groups file maps.
    ("ukendt", "Din konto har ikke adgang til SOSU-overblik",
     "email ikke i brugerfilen og ingen af brugerens grupper i gruppefilen"),
    ("ubekraeftet", "Din e-mail er ikke bekræftet", "e-mail ikke bekræftet"),
])
def test_an_unknown_or_unverified_user_is_refused(
        dashboard: tuple[str, Path], browser: Any, sub: str, message: str,
        reason: str) -> None:
    url, log = dashboard
    page = _log_in(browser, url, sub)
    body = _body(page)
    assert message in body and "Logget ind som" not in body
    assert not page.locator("[data-testid='stMetric']").count()
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert any(e["haendelse"] == "login_afvist" and e.get("grund") == reason for e in entries)
    _log_out(page)
    page.context.close()


@pytest.mark.browser
def test_an_idle_session_ends_at_the_next_click(
        idle_dashboard: tuple[str, Path], browser: Any) -> None:
    """After SOSU_INAKTIV_MINUTTER without a click, the next click logs out here and at
    the provider, although the provider's login would still be valid."""
    url, log = idle_dashboard
    page = _log_in(browser, url, "bo")
    assert "Logget ind som bo" in _body(page)
    page.wait_for_timeout(62_000)  # one idle minute, and a little more
    page.locator("[data-testid='stSidebarNav'] a[href$='/frafald']").first.click()
    page.wait_for_url("**/oauth2/end_session**", timeout=60_000)
    page.get_by_role("button", name="End session").click()
    page.get_by_role("button", name="Log ind med kommunens login").wait_for(timeout=60_000)
    assert "Logget ind som" not in _body(page)
    assert ("session_udloebet", "bo") in _events(log)
    page.context.close()


# The claim the users file is matched on, through AppTest (st.user stands in for the
# provider; the browser tests above use the real one).
AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "sosu", "client_secret": "hemmelig",
        "server_metadata_url": "http://127.0.0.1:9400/.well-known/openid-configuration"}
OID = "3f2a1c9e-7b44-4d1e-9a0b-5c6d7e8f9a01"


def _claim_app(db: Path, monkeypatch: pytest.MonkeyPatch, claim: str | None,
               user: dict[str, Any]) -> Any:
    from streamlit.testing.v1 import AppTest

    from sosu.access.users import User, add_user
    from tests.app.helpers import APP

    monkeypatch.setenv("SOSU_DB", str(db))
    monkeypatch.setenv("SOSU_LOGIN", "oidc")
    if claim:
        monkeypatch.setenv("SOSU_OIDC_CLAIM", claim)
    add_user(Path(os.environ["SOSU_USERS"]),
             User("kf", "kvalitetsforum", email="kf@kommune.dk", oidc_id=OID), None)
    add_user(Path(os.environ["SOSU_USERS"]),
             User("lis", "kvalitetsforum", oidc_id="Lis.Hansen@Kommune.dk"), None)
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, **user}
    return at.run()


def _text(at: Any) -> str:
    return "\n".join(str(x.value) for x in [*at.caption, *at.error, *at.markdown])


@pytest.mark.parametrize("claim, user, who", [
    # Entra ID's oid: the e-mail is neither needed nor trusted.
    ("oid", {"oid": OID, "email": "ikke-verificeret@andet.dk"}, "kf"),
    ("sub", {"sub": OID}, "kf"),
    ("preferred_username", {"preferred_username": "lis.hansen@kommune.dk"}, "lis"),
    (None, {"email": "kf@kommune.dk", "email_verified": True}, "kf"),
])
def test_the_configured_claim_finds_the_user(
        real_db: Path, monkeypatch: pytest.MonkeyPatch, claim: str | None,
        user: dict[str, Any], who: str) -> None:
    at = _claim_app(real_db, monkeypatch, claim, user)
    assert not at.exception
    assert f"Logget ind som **{who}** (Kvalitetsforum)" in _text(at)


@pytest.mark.parametrize("claim, user, message", [
    # An oid is compared exactly; an e-mail does not stand in for it.
    ("oid", {"oid": OID.upper()}, "har ikke adgang"),
    ("oid", {"email": "kf@kommune.dk", "email_verified": True},
     "sendte ikke feltet 'oid'"),
    ("sub", {"sub": "lis.hansen@kommune.dk"}, "har ikke adgang"),
])
def test_a_missing_or_unknown_claim_is_refused(
        real_db: Path, monkeypatch: pytest.MonkeyPatch, claim: str,
        user: dict[str, Any], message: str) -> None:
    at = _claim_app(real_db, monkeypatch, claim, user)
    assert message in _text(at) and "Logget ind som" not in _text(at)
    assert not at.metric


def test_a_bad_claim_setting_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    from sosu.domain import settings

    monkeypatch.setenv("SOSU_OIDC_CLAIM", "upn")
    with pytest.raises(settings.SettingsError, match="SOSU_OIDC_CLAIM"):
        settings.get("oidc_claim")


def test_an_idle_oidc_session_expires(real_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After SOSU_INAKTIV_MINUTTER without a click the session ends even though the
    provider's login cookie is still valid: the gate logs it out (st.logout)."""
    import time

    from sosu.app.login import SESSION_LOGIN, Session

    at = _claim_app(real_db, monkeypatch, None,
                    {"email": "kf@kommune.dk", "email_verified": True})
    assert "Logget ind som **kf**" in _text(at)
    at.session_state[SESSION_LOGIN] = Session("oidc", "kf", time.time() - 31 * 60)
    at.run()
    assert "inaktiv for længe" in "\n".join(str(w.value) for w in at.warning)
    entries = [json.loads(line) for line in
               Path(os.environ["SOSU_LOG"]).read_text(encoding="utf-8").splitlines()]
    assert ("session_udloebet", "kf") in [(e["haendelse"], e["bruger"]) for e in entries]


def test_oidc_id_in_the_users_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    from sosu.access.users import UsersError, by_oidc_id, load_users
    from sosu.cli.main import main

    path = tmp_path / "brugere.toml"
    monkeypatch.setenv("SOSU_USERS", str(path))
    assert main(["user", "add", "kf", "--role", "kvalitetsforum", "--oidc-id", OID,
                 "--no-password"]) == 0
    users = load_users(path)
    assert users["kf"].oidc_id == OID and users["kf"].password_hash is None
    assert by_oidc_id(users, "oid", OID) == users["kf"]
    assert by_oidc_id(users, "oid", OID.upper()) is None
    assert main(["user", "list"]) == 0
    assert f"oidc_id {OID}" in capsys.readouterr().out
    path.write_text(path.read_text(encoding="utf-8")
                    + f'\n[[bruger]]\nnavn = "andet"\nrolle = "uddannelse"\noidc_id = "{OID}"\n',
                    encoding="utf-8")
    with pytest.raises(UsersError, match="samme oidc_id"):
        load_users(path)


def _groups_file(text: str) -> Path:
    path = Path(os.environ["SOSU_USERS"]).with_name("grupper.toml")
    return users_file(path, text)


def test_a_group_session_ends_when_the_groups_file_drops_the_group(
        real_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The groups file is read on every click, like the users file: a group taken out of
    it ends its members' sessions at their next click."""
    monkeypatch.setenv("SOSU_OIDC_GRUPPER", str(_groups_file(GROUPS)))
    at = _claim_app(real_db, monkeypatch, None, {
        "email": "ny@kommune.dk", "email_verified": True, "groups": [KF_GROUP]})
    assert "Logget ind som **ny@kommune.dk** (Kvalitetsforum)" in _text(at)
    assert at.metric
    login = json.loads(Path(os.environ["SOSU_LOG"]).read_text().splitlines()[-1])
    assert login["regel"] == f"gruppe 'Kvalitetsforum' ({KF_GROUP.upper()})"
    assert "kendt_som" not in login  # named by the e-mail already
    _groups_file("[[gruppe]]" + GROUPS.split("[[gruppe]]")[1])  # the leder group only
    at.run()
    assert "Din adgang er ændret" in "\n".join(str(w.value) for w in at.warning)
    assert "Logget ind som" not in _text(at) and not at.metric
    events = [(e["haendelse"], e["bruger"]) for e in
              map(json.loads, Path(os.environ["SOSU_LOG"]).read_text().splitlines())]
    assert events[-2:] == [("login", "ny@kommune.dk"), ("session_afsluttet", "ny@kommune.dk")]


def test_a_group_login_by_oid_names_the_person_in_the_audit_log(
        real_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOSU_OIDC_GRUPPER", str(_groups_file(GROUPS)))
    member = "9d8c7b6a-0000-4000-8000-00000000abcd"
    at = _claim_app(real_db, monkeypatch, "oid", {
        "oid": member, "preferred_username": "Ny.Person@Kommune.dk",
        "groups": [NORD_GROUP]})
    assert f"Logget ind som **{member}** (Leder af oplæringssted · {OWN})" in _text(at)
    login = json.loads(Path(os.environ["SOSU_LOG"]).read_text().splitlines()[-1])
    assert (login["bruger"], login["kendt_som"]) == (member, "Ny.Person@Kommune.dk")


def test_a_broken_groups_file_is_shown_to_nobody_but_named(
        real_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Refused whole (nobody logs in on half a mapping), with the entry and line named."""
    monkeypatch.setenv("SOSU_OIDC_GRUPPER", str(_groups_file(
        GROUPS.replace('rolle = "kvalitetsforum"', 'rolle = "kvalitetsforummet"'))))
    at = _claim_app(real_db, monkeypatch, None,
                    {"email": "kf@kommune.dk", "email_verified": True})
    errors = "\n".join(str(e.value) for e in at.error)
    assert "Opsætningen af login kan ikke bruges" in errors
    assert "grupper.toml:8: gruppe 'Kvalitetsforum': ukendt rolle 'kvalitetsforummet'" in errors
    assert not at.metric and not at.exception


def test_a_group_members_download_is_checked_against_the_groups_file_at_the_click(
        real_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A download is made on the click, outside a script run (no st.user): the session's
    stored claim and groups are checked against the groups file as it is then."""
    import sosu.app.downloads
    import sosu.app.login
    from sosu.app.login import DownloadRefused

    made: list[Any] = []

    def keep(produce: Any) -> Any:
        made.append(sosu.app.login.guarded(produce))
        return made[-1]

    monkeypatch.setattr(sosu.app.downloads, "guarded", keep)
    team = f'[[gruppe]]\nid = "{KF_GROUP}"\nnavn = "Team"\nrolle = "uddannelse"\n'
    monkeypatch.setenv("SOSU_OIDC_GRUPPER", str(_groups_file(team)))
    at = _claim_app(real_db, monkeypatch, None, {
        "email": "ny@kommune.dk", "email_verified": True, "groups": [KF_GROUP]})
    at.switch_page("app_pages/tidlig_opsporing.py").run()
    assert not at.exception and made and made[-1]()  # while the group grants it
    _groups_file(team.replace("uddannelse", "kvalitetsforum"))
    with pytest.raises(DownloadRefused):
        made[-1]()
