"""The gate every page passes through: who is this, and may they see anything at all?

Secure by default: with no users file the app runs only on the demo data (with a
banner); once real data are loaded it shows nothing until login is configured.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import streamlit as st

from access import audit, settings
from access.login import attempt
from access.roles import ROLES, Viewer
from access.settings import SettingsError
from access.users import User, UsersError, by_email, load_users
from dashboard import data
from queries.db import database_path

SESSION_VIEWER = "viewer"
LAST_SEEN = "sidst_aktiv"


def _log() -> Any:
    return audit.log_path(database_path())


def _users() -> dict[str, User]:
    return load_users(settings.get("users_file"))


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


def _expired(idle: dt.timedelta) -> bool:
    now = time.time()
    last = st.session_state.get(LAST_SEEN, now)
    st.session_state[LAST_SEEN] = now
    return now - last > idle.total_seconds()


def _end_session(event: str) -> None:
    viewer = st.session_state.pop(SESSION_VIEWER, None)
    if viewer is not None:
        audit.record(_log(), event, viewer.name)


def _password_form(users: dict[str, User], threshold: int) -> Viewer | None:
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
    return result.user.viewer(threshold)


def _oidc(users: dict[str, User], threshold: int) -> Viewer | None:
    provider = settings.get("oidc_provider") or None
    if not st.user.is_logged_in:
        st.title("SOSU-overblik")
        st.button("Log ind med kommunens login", type="primary", key="oidc_login",
                  on_click=st.login, args=(provider,) if provider else ())
        return None
    email = str(st.user.get("email") or "")
    user = by_email(users, email)
    if user is None:
        audit.record(_log(), "login_afvist", email, metode="oidc")
        st.error("Din konto har ikke adgang til SOSU-overblik. Kontakt uddannelsesteamet.")
        st.button("Log ud", on_click=st.logout, key="oidc_logout")
        return None
    audit.record(_log(), "login", user.name, rolle=user.role, metode="oidc")
    return user.viewer(threshold)


def _logged_in(users: dict[str, User], threshold: int) -> Viewer | None:
    idle = dt.timedelta(minutes=settings.get("idle_minutes"))
    if SESSION_VIEWER in st.session_state and _expired(idle):
        _end_session("session_udloebet")
        st.warning("Du var inaktiv for længe og er logget ud. Log ind igen.")
        if settings.get("login") == "oidc":
            st.logout()
    viewer = st.session_state.get(SESSION_VIEWER)
    if viewer is None:
        viewer = (_oidc if settings.get("login") == "oidc" else _password_form)(users, threshold)
        if viewer is None:
            return None
        st.session_state[SESSION_VIEWER] = viewer
        st.session_state[LAST_SEEN] = time.time()
        st.rerun()  # draw the app without the form
    return viewer


def _logout() -> None:
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


def require_viewer() -> Viewer | None:
    """The viewer of this session, or None after drawing why there is none."""
    try:
        threshold = settings.get("threshold")
        users = _users()
        configured = _login_configured(users)
    except (SettingsError, UsersError) as error:
        st.error(f"Opsætningen af login kan ikke bruges: {error}")
        return None
    if configured:
        viewer = _logged_in(users, threshold)
    elif data.holds_real_data():
        st.error("Der er indlæst rigtige elevdata, men login er ikke sat op, så intet vises. "
                 "Opret brugere med `sosu user add` (se README, afsnittet Login).")
        return None
    else:
        viewer = _demo_viewer(threshold)
    if viewer is not None:
        st.session_state[SESSION_VIEWER] = viewer
        _sidebar(viewer)
    return viewer
