"""Shared by the operations tests: Streamlit servers started with their own settings and
secrets file on a chosen port, and a users file written as an operator would."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.browser import serving, settled, streamlit_args
from tests.support import ROOT


@contextmanager
def streamlit_on(port: int, env: dict[str, str], args: Sequence[str] = (),
                 log: Path | None = None) -> Iterator[str]:
    """`python -m streamlit run src/sosu/app/main.py` on 127.0.0.1:port until the block ends."""
    with serving(streamlit_args(port, *args), port, env={"PYTHONPATH": str(ROOT / "src"), **env},
                 log=log, timeout=90) as (url, _pid):
        yield url


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
