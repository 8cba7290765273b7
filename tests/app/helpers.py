"""Helpers for the AppTest level: the entry file, its pages, a session logged in as the
gate does it, and the text and tables a run shows. A plain module, not a test module."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from tests.support import ROOT

APP = ROOT / "src" / "sosu" / "app" / "main.py"
PAGES = [f"app_pages/{name}.py" for name in (
    "overblik", "frafald", "sygefravaer", "fastholdelse", "rekruttering", "mit_oplaeringssted",
    "tidlig_opsporing", "data")]
# The most an AppTest run may take before it counts as hung: generous, because a busy
# machine (other test suites on the same 2 cores) can make a run ten times slower; a
# passing run never waits for it.
TIMEOUT = 600
# Pages that name students: in the navigation for the education team only.
TEAM_ONLY_PAGES = ["app_pages/tidlig_opsporing.py"]


def log_in(at: Any, name: str, seconds_ago: float = 0) -> Any:
    """Log an AppTest in by session, as the gate does after a password check (tested in
    test_access and test_roles); the gate still derives the viewer from the users file."""
    from sosu.app.login import SESSION_LOGIN, Session

    at.session_state[SESSION_LOGIN] = Session("konti", name, time.time() - seconds_ago)
    return at


def add_user(name: str, role: str, sites: tuple[str, ...] = (),
             password: str = "en-lang-adgangskode") -> None:
    """An account in the test's users file (SOSU_USERS)."""
    from sosu.access.users import User
    from sosu.access.users import add_user as add

    add(Path(os.environ["SOSU_USERS"]), User(name, role, sites), password)


def as_viewer(at: Any, role: str, sites: tuple[str, ...] = ()) -> Any:
    """Log in by session, as the gate does after a password check (tested in test_access)."""
    add_user(f"test-{role}", role, sites)
    return log_in(at, f"test-{role}")


def texts(at: Any) -> str:
    """The text a run shows: markdown, captions, metrics, infos and titles."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [f"{m.label}={m.value}" for m in at.metric]
    parts += [i.value for i in at.info] + [t.value for t in at.title]
    return "\n".join(str(p) for p in parts)


def open_tables(at: Any) -> Any:
    """Open every chart's "Vis som tabel" panel, as a user clicking each, and run again:
    the tables are drawn only in an open panel (app/ui.chart)."""
    from sosu.app.ui import table_panel

    for expander in at.expander:
        key = str(expander.proto.id).rpartition("-")[2]
        if key.startswith(table_panel("")):
            at.session_state[key] = True
    return at.run()
