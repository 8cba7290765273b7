"""The gate every page passes through: who is this, and may they see anything at all?

Secure by default: with no users file the app runs only on the demo data (with a
banner); once real data are loaded it shows nothing until login is configured.

Nothing from an earlier run is trusted. The session keeps only who logged in, how and
when they were last active (`Session`); on every run the gate decides afresh from the
database and the users file as they are now: the demo viewer only while the file holds
demo data and no login is configured, a logged-in viewer only while the account still
exists, with the role and sites it has now. Downloads are made when clicked, after the
run, so they are checked again at that moment (`guarded`).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from sosu.access.groups import Grant, GroupRule, grant, load_groups, token_groups
from sosu.access.lockout import logged_out_at, record_logout
from sosu.access.login import attempt
from sosu.access.users import User, UsersError, cpr_in_names, load_users
from sosu.app import data
from sosu.domain import settings
from sosu.domain.roles import ROLES, Viewer
from sosu.domain.settings import SettingsError
from sosu.store import audit, schema
from sosu.store.db import database_path

# Written by the gate on every run for the pages to read; never read by the gate.
SESSION_VIEWER = "viewer"
# Who logged in: the only login state carried from one run to the next.
SESSION_LOGIN = "sosu_login"
# Set while a run showed the demo, so the end of the demo can be logged.
SHOWED_DEMO = "viste_demo"

T = TypeVar("T")


@dataclass
class Session:
    method: str  # "konti" or "oidc"
    name: str
    last_seen: float
    # Set when the session ends; a download button drawn before still holds the object.
    ended: bool = False
    # An OIDC login's claim value and groups as the provider sent them: what the login is
    # checked against again outside a script run (a download), where st.user is not set.
    identity: str = ""
    groups: tuple[str, ...] = ()
    started: float = field(default_factory=time.time)


def _log() -> Any:
    return audit.log_path(database_path())


def _users() -> dict[str, User]:
    return load_users(settings.get("users_file"))


def _group_rules() -> tuple[GroupRule, ...]:
    """SOSU_OIDC_GRUPPER's rules; only the municipality's login has groups."""
    if settings.get("login") != "oidc":
        return ()
    return load_groups(settings.get("oidc_groups"))


def current_user(session: Session, users: dict[str, User],
                 rules: tuple[GroupRule, ...], claim: str) -> User | None:
    """The account a stored login stands for now, under the users file and groups as they
    are now; None once it has none."""
    if session.method != "oidc":
        return users.get(session.name)
    found = grant(users, rules, claim=claim, identity=session.identity, groups=session.groups)
    return found.user if found is not None and found.user.name == session.name else None


def _login_configured(users: dict[str, User]) -> bool:
    return bool(users) or settings.get("login") == "oidc"


def _demo_viewer(threshold: int) -> Viewer:
    """Demo mode: anyone may look, and may try each role to see what it would show."""
    with st.sidebar:
        role = str(st.selectbox("Vis som (demo)", list(ROLES),
                                format_func=lambda code: ROLES[code], key="demo_role"))
        sites: tuple[str, ...] = ()
        if role == "leder":
            everywhere = data.all_sites()
            chosen = st.selectbox("Lederens oplæringssted", everywhere, key="demo_site")
            sites = (chosen,) if chosen else ()
    if role == "leder" and not sites:
        role = "kvalitetsforum"
    return Viewer("demo", role, sites, threshold, demo=True)


def session_problem(session: Session, current: User | None, *, method: str,
                    idle: dt.timedelta, now: float,
                    logged_out: float | None = None) -> str | None:
    """Why a stored login no longer holds (an audit event), or None while it does.
    `current` is the account the login stands for now (`current_user`); `logged_out`
    when the account last logged out, in any tab (lockout.logged_out_at)."""
    if session.ended:
        return "session_afsluttet"
    if logged_out is not None and logged_out >= session.started:
        return "logget_ud_andetsteds"
    if now - session.last_seen > idle.total_seconds():
        return "session_udloebet"
    if session.method != method or current is None:
        return "session_afsluttet"
    return None


def _end_session(event: str, **details: Any) -> None:
    session = st.session_state.pop(SESSION_LOGIN, None)
    if isinstance(session, Session):
        session.ended = True
        audit.record(_log(), event, session.name, **details)
        _forget_page_state()


def _forget_page_state() -> None:
    """What the pages kept for the ended session (a made report, chosen filters) must not
    reach whoever logs in next in this tab."""
    for key in list(st.session_state.keys()):
        if key != data.PINNED:
            del st.session_state[key]


def _password_form(users: dict[str, User]) -> User | None:
    st.title("SOSU-overblik")
    with st.form("login"):
        name = st.text_input("Brugernavn", key="login_name")
        password = st.text_input("Adgangskode", type="password", key="login_password")
        submitted = st.form_submit_button("Log ind", type="primary")
    if not submitted:
        return None
    result = attempt(users, name, password, _log(),
                     max_failures=settings.get("max_failures"),
                     lockout=dt.timedelta(minutes=settings.get("lockout_minutes")))
    if result.user is None:
        time.sleep(0.5)  # slows guessing down; the lockout stops it
        st.error(result.message)
        return None
    return result.user


OIDC_NEEDS = ("client_id", "client_secret", "server_metadata_url")


def oidc_problems(auth: Mapping[str, Any] | None, provider: str | None) -> list[str]:
    """What the `[auth]` section lacks for st.login, named for the operator."""
    if not auth:
        return ["afsnittet [auth] mangler"]
    missing = [key for key in ("redirect_uri", "cookie_secret") if not auth.get(key)]
    section = auth.get(provider) if provider else auth
    where = f"[auth.{provider}]" if provider else "[auth]"
    if not isinstance(section, Mapping):
        return [*missing, f"{where} mangler"]
    missing += [f"{where} {key}" for key in OIDC_NEEDS if not section.get(key)]
    return missing


def _auth_section() -> Mapping[str, Any] | None:
    try:
        auth = st.secrets.get("auth")
    except (StreamlitSecretNotFoundError, FileNotFoundError):
        return None
    return auth if isinstance(auth, Mapping) else None


def _verified(claim: object) -> bool:
    # Some providers send the claim as text.
    return claim is True or (isinstance(claim, str) and claim.lower() == "true")


def _oidc(users: dict[str, User], rules: tuple[GroupRule, ...]) -> tuple[Grant, Session] | None:
    """Who the OIDC login is now, and the session that would stand for it; asked on every
    run, so a changed users or groups file or a logout at the provider takes effect at
    once."""
    provider = settings.get("oidc_provider") or None
    problems = oidc_problems(_auth_section(), provider)
    if problems:
        st.error("Kommunens login (SOSU_LOGIN=oidc) er ikke sat op, så ingen kan logge ind. "
                 "Bed driften rette .streamlit/secrets.toml (se README, afsnittet Login): "
                 + "; ".join(problems) + ".")
        return None
    if not st.user.is_logged_in:
        st.title("SOSU-overblik")
        st.button("Log ind med kommunens login", type="primary", key="oidc_login",
                  on_click=st.login, args=(provider,) if provider else ())
        return None
    claim = settings.get("oidc_claim")
    identity = str(st.user.get(claim) or "")
    if not identity:
        _refuse(str(st.user.get("email") or st.user.get("sub") or ""),
                f"Kommunens login sendte ikke feltet {claim!r}, som SOSU-overblik slår brugere "
                "op på (SOSU_OIDC_CLAIM). Kontakt IT.", grund=f"{claim} mangler")
        return None
    if claim == "email" and not _verified(st.user.get("email_verified")):
        _refuse(identity, "Din e-mail er ikke bekræftet hos kommunens login, så den kan "
                "ikke bruges til SOSU-overblik. Kontakt IT.", grund="e-mail ikke bekræftet")
        return None
    groups = token_groups(st.user.get("groups"))
    found = grant(users, rules, claim=claim, identity=identity, groups=groups)
    if found is None:
        _refuse(identity, "Din konto har ikke adgang til SOSU-overblik. Kontakt "
                "uddannelsesteamet.", grund=_refusal_reason(claim, rules, identity),
                **_missing_groups(rules))
        return None
    return found, Session("oidc", found.user.name, time.time(), identity=identity,
                          groups=groups)


def _known_as(name: str) -> dict[str, Any]:
    """A login named by an opaque id (Entra ID's oid) also gets the name the provider
    shows, so whoever reads the audit log knows who it was."""
    readable = str(st.user.get("preferred_username") or st.user.get("email") or "")
    return {"kendt_som": readable} if readable and readable.lower() != name.lower() else {}


def _refusal_reason(claim: str, rules: tuple[GroupRule, ...], identity: str) -> str:
    if cpr_in_names(identity):
        return f"{claim} ligner et CPR-nummer"
    if not rules:
        return f"{claim} ikke i brugerfilen"
    return f"{claim} ikke i brugerfilen og ingen af brugerens grupper i gruppefilen"


def _missing_groups(rules: tuple[GroupRule, ...]) -> dict[str, str]:
    """Entra ID leaves `groups` out of a token for a member of very many groups (over
    200) and names a Graph query instead; say so, or the refusal would be a mystery."""
    names = st.user.get("_claim_names")
    if rules and isinstance(names, Mapping) and "groups" in names:
        return {"grupper": "ikke i tokenet (for mange grupper; se docs/operations.md)"}
    return {}


def _refuse(email: str, message: str, **details: Any) -> None:
    _end_session("session_afsluttet", grund=details.get("grund"))
    audit.record(_log(), "login_afvist", email, metode="oidc", **details)
    st.error(message)
    st.button("Log ud", on_click=st.logout, key="oidc_logout")


def _logged_in(users: dict[str, User], threshold: int) -> Viewer | None:
    method = settings.get("login")
    idle = dt.timedelta(minutes=settings.get("idle_minutes"))
    session = st.session_state.get(SESSION_LOGIN)
    if isinstance(session, Session):
        current = current_user(session, users, _group_rules(), settings.get("oidc_claim"))
        problem = session_problem(session, current, method=method, idle=idle, now=time.time(),
                                  logged_out=logged_out_at(_log(), session.name))
        if problem is not None:
            _end_session(problem)
            st.warning({"session_udloebet": "Du var inaktiv for længe og er logget ud. "
                                            "Log ind igen.",
                        "logget_ud_andetsteds": "Du har logget ud i et andet vindue. "
                                                "Log ind igen."}.get(
                problem, "Din adgang er ændret, og du er logget ud. Log ind igen."))
            if method == "oidc" and st.user.is_logged_in:
                st.logout()
        session = st.session_state.get(SESSION_LOGIN)  # None now, if it ended
    if not isinstance(session, Session):
        session = None
    if method == "oidc":
        return _oidc_viewer(users, session, threshold)
    if session is None:
        user = _password_form(users)
        if user is None:
            return None
        st.session_state[SESSION_LOGIN] = Session("konti", user.name, time.time())
        st.rerun()  # draw the app without the form
    session.last_seen = time.time()
    return users[session.name].viewer(threshold)


def _oidc_viewer(users: dict[str, User], session: Session | None,
                 threshold: int) -> Viewer | None:
    found = _oidc(users, _group_rules())
    if found is None:
        return None
    granted, fresh = found
    if session is None or session.name != fresh.name:
        if session is not None:
            _end_session("session_afsluttet", grund="anden bruger")
        audit.record(_log(), "login", fresh.name, rolle=granted.user.role, metode="oidc",
                     regel=granted.rule, **_known_as(fresh.name))
        session = fresh
        st.session_state[SESSION_LOGIN] = session
    # The token may have changed under the same name (a new login in another tab).
    session.identity, session.groups = fresh.identity, fresh.groups
    session.last_seen = time.time()
    return granted.user.viewer(threshold)


def _logout() -> None:
    session = st.session_state.get(SESSION_LOGIN)
    if isinstance(session, Session):
        # Every other session of the account ends at its next click (session_problem):
        # an OIDC tab opened before keeps its login otherwise.
        record_logout(_log(), session.name, time.time())
    _end_session("logout")
    if settings.get("login") == "oidc":
        st.logout()


def _sidebar(viewer: Viewer) -> None:
    with st.sidebar:
        if viewer.demo:
            return
        where = f" · {', '.join(viewer.sites)}" if viewer.sites else ""
        st.caption(f"Logget ind som **{viewer.name}** ({viewer.role_label}{where})")
        st.button("Log ud", on_click=_logout, key="logout")


def _demo_allowed(users: dict[str, User]) -> bool:
    return not _login_configured(users) and not data.holds_real_data()


def _decide(users: dict[str, User], threshold: int) -> Viewer | None:
    if _demo_allowed(users):
        _end_session("session_afsluttet", grund="login er ikke længere sat op")
        st.session_state[SHOWED_DEMO] = True
        return _demo_viewer(threshold)
    if st.session_state.pop(SHOWED_DEMO, False):
        audit.record(_log(), "session_afsluttet", "demo", grund="ikke længere demodata uden login")
        _forget_page_state()
    if not _login_configured(users):
        _end_session("session_afsluttet", grund="login er ikke længere sat op")
        st.error("Der er indlæst rigtige elevdata, men login er ikke sat op, så intet vises. "
                 "Opret brugere med `sosu user add` (se README, afsnittet Login).")
        return None
    return _logged_in(users, threshold)


def require_viewer() -> Viewer | None:
    """The viewer of this run, or None after drawing why there is none."""
    st.session_state.pop(SESSION_VIEWER, None)  # a viewer from an earlier run counts for nothing
    try:
        threshold = settings.get("threshold")
        users = _users()
        viewer = _decide(users, threshold)
    except (SettingsError, UsersError) as error:
        _end_session("session_afsluttet", grund="opsætningen kan ikke bruges")
        st.error(f"Opsætningen af login kan ikke bruges: {error}")
        return None
    if viewer is not None:
        st.session_state[SESSION_VIEWER] = viewer
        _sidebar(viewer)
    return viewer


def _still_allowed(session: Session | None, viewer: Viewer) -> bool:
    """The gate's decision, taken again outside a script run (a download being made)."""
    try:
        users = _users()
        if session is None:  # the demo
            return viewer.demo and not _login_configured(users) and not _real_data_now()
        idle = dt.timedelta(minutes=settings.get("idle_minutes"))
        current = current_user(session, users, _group_rules(), settings.get("oidc_claim"))
        if current is None or session_problem(
                session, current, method=settings.get("login"), idle=idle, now=time.time(),
                logged_out=logged_out_at(_log(), session.name)) is not None:
            return False
        return current.viewer(viewer.threshold) == viewer
    except (SettingsError, UsersError):
        return False


def _real_data_now() -> bool:
    return schema.holds_real_data(database_path())


class DownloadRefused(Exception):
    """Raised instead of producing a file: Streamlit then delivers nothing."""


def guarded(produce: Callable[[], T]) -> Callable[[], T]:
    """A download's data, made only if the session that drew the button may still have
    them when it is clicked. Streamlit calls `produce` on the click without a script
    run, so the gate in app.py does not run first: this check takes its place."""
    session = st.session_state.get(SESSION_LOGIN)
    session = session if isinstance(session, Session) else None
    viewer = st.session_state.get(SESSION_VIEWER)

    def checked() -> T:
        if not isinstance(viewer, Viewer) or not _still_allowed(session, viewer):
            raise DownloadRefused("sessionen gælder ikke længere")
        return produce()

    return checked
