"""`sosu serve`, `sosu --version` and the release files: the dashboard runs from the
package with the options the repository's .streamlit/config.toml documents."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

import pytest

from bench.browser import free_port, serving
from sosu.cli.serve import ENTRY, SERVE_ONLY, STREAMLIT_OPTIONS, streamlit_command
from sosu.domain.version import VERSION

ROOT = Path(__file__).resolve().parents[2]


def _flatten(config: dict[str, object], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in config.items():
        if isinstance(value, dict):
            flat |= _flatten(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = str(value).lower() if isinstance(value, bool) else str(value)
    return flat


def test_serve_passes_every_option_of_the_repositorys_config() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    assert _flatten(config) == STREAMLIT_OPTIONS
    assert STREAMLIT_OPTIONS["client.showErrorDetails"] == "none"
    assert STREAMLIT_OPTIONS["client.toolbarMode"] == "viewer"  # no "Deploy" button
    command = streamlit_command(8600, "127.0.0.1", ["s.toml"], ["--server.baseUrlPath", "x"])
    assert command[1:5] == ["-m", "sosu.cli.masked_streamlit", "run", str(ENTRY)]
    pairs = dict(zip(command[5::2], command[6::2], strict=False))
    for name, value in {**STREAMLIT_OPTIONS, **SERVE_ONLY}.items():
        assert pairs[f"--{name}"] == value
    assert pairs["--server.port"] == "8600" and pairs["--server.address"] == "127.0.0.1"
    assert pairs["--secrets.files"] == str(Path("s.toml").resolve())
    assert command[-2:] == ["--server.baseUrlPath", "x"]


def test_version_comes_from_the_package_metadata() -> None:
    assert version("sosu-overblik") == VERSION
    shown = subprocess.run([sys.executable, "-m", "sosu.cli.main", "--version"],
                           capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == f"sosu-overblik {VERSION}"


@contextmanager
def _serving(cwd: Path, db: Path) -> Iterator[tuple[str, int]]:
    """`sosu serve` on loopback, started where there is no checkout; (url, pid) once
    /_stcore/health answers."""
    port = free_port()
    command = [sys.executable, "-m", "sosu.cli.main", "serve", "--port", str(port),
               "--address", "127.0.0.1", "--db", str(db)]
    with serving(command, port, env={"PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
                 cwd=cwd, log=cwd / "serve.log", timeout=90) as served:
        yield served


def test_sosu_serve_starts_the_dashboard_from_the_package(tmp_path: Path) -> None:
    """Started where there is no checkout (no .streamlit/ folder): health answers, the page
    is served, and Streamlit runs the package's entry file with the documented options."""
    with _serving(tmp_path, tmp_path / "sosu.duckdb") as (url, pid):
        with urllib.request.urlopen(url, timeout=10) as reply:
            page = reply.read().decode("utf-8")
        assert reply.status == 200 and '<div id="root">' in page
        # `sosu serve` became Streamlit (exec): its command line holds the options.
        arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        text = [a.decode() for a in arguments]
        assert str(ENTRY) in text
        assert text[text.index("--client.showErrorDetails") + 1] == "none"
        assert text[text.index("--client.toolbarMode") + 1] == "viewer"
        assert text[text.index("--server.address") + 1] == "127.0.0.1"
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert f"SOSU_DB={tmp_path / 'sosu.duckdb'}".encode() in environ


@pytest.mark.browser
def test_users_get_the_dashboard_with_its_version_and_no_deploy_button(
        demo_db: Path, tmp_path: Path) -> None:
    """On loopback Streamlit would show developers its "Deploy" button; `sosu serve` never."""
    from bench.browser import chromium, settled

    with _serving(tmp_path, demo_db) as (url, _pid), chromium() as browser:
        page = browser.new_page()
        page.goto(url)
        settled(page)
        assert page.get_by_role("heading", name="Overblik").count() >= 1
        assert f"sosu-overblik {VERSION}" in page.locator("[data-testid='stSidebar']").inner_text()
        assert page.locator("[data-testid='stAppDeployButton']").count() == 0
        assert page.get_by_text("Deploy", exact=True).count() == 0


def test_release_files() -> None:
    assert (ROOT / "LICENSE").read_text("utf-8").startswith("MIT License")
    ignored = (ROOT / ".gitignore").read_text("utf-8").splitlines()
    assert ".streamlit/secrets.toml" in ignored
    example = tomllib.loads((ROOT / ".streamlit" / "secrets.example.toml").read_text("utf-8"))
    auth = example["auth"]
    assert {"redirect_uri", "cookie_secret"} <= auth.keys()
    entra = auth["microsoft"]
    assert {"client_id", "client_secret", "server_metadata_url"} <= entra.keys()
    assert "login.microsoftonline.com" in entra["server_metadata_url"]
    lock = (ROOT / "requirements.lock").read_text("utf-8")
    assert "--hash=sha256:" in lock
    pinned = dict(re.findall(r"^([a-z0-9._-]+)==(\S+) \\$", lock, re.MULTILINE))
    runtime = dict(re.findall(r"^([a-z0-9._-]+)==(\S+) \\$",
                              (ROOT / "requirements-run.lock").read_text("utf-8"), re.MULTILINE))
    assert pinned["streamlit"] == "1.67.0" and "pytest" not in runtime
    assert runtime.items() <= pinned.items()  # a server runs the versions the tests ran
    # Lower bounds are the tested versions: every direct dependency's bound is its pin.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    for requirement in [*project["dependencies"], *project["optional-dependencies"]["dev"]]:
        name, bound = requirement.split(">=")
        assert pinned[name.lower()] == bound or pinned[name.lower()].startswith(bound + "."), (
            requirement, pinned[name.lower()])
    makefile = (ROOT / "Makefile").read_text("utf-8")
    assert "--require-hashes -r requirements.lock" in makefile
    assert "--no-deps" in makefile


def test_the_version_is_in_the_sidebar_and_on_every_page_of_the_report(
        demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    import pypdf
    from streamlit.testing.v1 import AppTest

    from sosu.domain.roles import Viewer
    from sosu.report import make_report
    from sosu.store.db import connect_read_only
    from tests.app.helpers import APP

    monkeypatch.setenv("SOSU_DB", str(demo_db))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert f"sosu-overblik {VERSION}" in [c.value for c in at.sidebar.caption]
    con = connect_read_only(demo_db)
    try:
        pdf = make_report(con, Viewer("kf", "kvalitetsforum"), "2025Q3")
    finally:
        con.close()
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert all(f"sosu-overblik {VERSION}" in page.extract_text() for page in reader.pages)
    assert reader.metadata is not None and reader.metadata.creator == f"sosu-overblik {VERSION}"


@pytest.mark.browser
def test_tables_offer_no_download_of_their_own(demo_db: Path, tmp_path: Path) -> None:
    """st.dataframe's toolbar "Download as CSV" bypasses store.export, the audit log and
    the session check; served, the toolbar keeps search and full screen only."""
    from bench.browser import chromium, settled

    with _serving(tmp_path, demo_db) as (url, _pid), chromium() as browser:
        page = browser.new_page()
        page.goto(f"{url.rstrip('/')}/tidlig_opsporing")
        settled(page)
        table = page.locator("[data-testid='stDataFrame']").first
        table.wait_for()
        table.hover()
        toolbar = page.locator("[data-testid='stElementToolbarButton'] button")
        toolbar.first.wait_for()
        labels = [toolbar.nth(i).get_attribute("aria-label") for i in range(toolbar.count())]
        assert "Search" in labels and "Download as CSV" not in labels
