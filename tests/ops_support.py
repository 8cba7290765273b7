"""Shared by the operations tests: Streamlit servers started with their own settings and
secrets file on a chosen port (directly, or with the command the deploy files run), and a
users file written as an operator would."""

from __future__ import annotations

import secrets
import shlex
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.browser import settled
from bench.deployment import DEPLOY, replica
from tests.support import ROOT

# Where deploy/ expects the installed package's command and Streamlit's secrets file.
INSTALLED_SOSU = "/opt/sosu-overblik/bin/sosu"
DEPLOYED_SECRETS = "/etc/sosu-overblik/secrets.toml"


def unit_exec_start(unit: str = "sosu-overblik@.service") -> list[str]:
    """A systemd unit's ExecStart in deploy/, split as systemd splits it."""
    text = (DEPLOY / unit).read_text(encoding="utf-8")
    lines = [line.split("=", 1)[1] for line in text.splitlines()
             if line.startswith("ExecStart=")]
    assert len(lines) == 1, f"{unit}: one ExecStart expected"
    return shlex.split(lines[0])


def replica_command(port: int, secrets_file: Path) -> list[str]:
    """The replica unit's ExecStart for one port, run from this checkout: the installed
    `sosu` becomes this interpreter's `-m sosu.cli.main`, the secrets file the test's.
    Whatever else the unit passes (address, options) is passed unchanged."""
    argv = unit_exec_start()
    assert argv[0] == INSTALLED_SOSU, argv
    assert DEPLOYED_SECRETS in argv, argv
    rest = [str(secrets_file) if a == DEPLOYED_SECRETS else a.replace("%i", str(port))
            for a in argv[1:]]
    return [sys.executable, "-m", "sosu.cli.main", *rest]


@contextmanager
def streamlit_on(port: int, env: dict[str, str], args: Sequence[str] = (),
                 log: Path | None = None) -> Iterator[str]:
    """`python -m streamlit run src/sosu/app/main.py` on 127.0.0.1:port until the block
    ends: its URL."""
    with replica(port, env, args, log) as server:
        yield server.url


@contextmanager
def serving(command: Sequence[str], port: int, env: dict[str, str],
            log: Path | None = None, cwd: Path = ROOT) -> Iterator[str]:
    """Any command that serves the dashboard on 127.0.0.1:port, until the block ends."""
    with replica(port, env, log=log, command=command, cwd=cwd) as server:
        yield server.url


def users_file(path: Path, entries: str) -> Path:
    path.write_text(entries, encoding="utf-8")
    path.chmod(0o600)
    return path


def oidc_secrets(path: Path, redirect_uri: str, provider: str) -> Path:
    """Streamlit's secrets.toml with an [auth] section for st.login against `provider`."""
    path.write_text(f"""
[auth]
redirect_uri = "{redirect_uri}"
cookie_secret = "{secrets.token_hex(32)}"
client_id = "sosu-overblik"
client_secret = "{secrets.token_hex(16)}"
server_metadata_url = "{provider}/.well-known/openid-configuration"
""", encoding="utf-8")
    path.chmod(0o600)
    return path


def oidc_log_in(page: Any, url: str, sub: str) -> None:
    """Click the app's login button, then the provider's button for `sub`, and wait until
    the dashboard has decided (logged in or refused)."""
    page.goto(url)
    settled(page)
    page.get_by_role("button", name="Log ind med kommunens login").click()
    page.wait_for_url("**/oauth2/authorize**", timeout=30_000)
    page.locator(f"button[name='sub'][value='{sub}']").click()
    page.wait_for_url(f"{url}/**", timeout=30_000)
    page.wait_for_function(
        "() => /Logget ind som|har ikke adgang|ikke bekræftet/.test(document.body.innerText)",
        timeout=90_000)
    settled(page)
