"""The deployment in deploy/ run without containers: dashboard replicas on loopback
behind Debian's nginx with the shipped site file, a self-signed certificate, cookie-sticky
sessions and websocket upgrade. Used by tests/browser/test_deployment.py (through the
proxy with Chromium and a real OIDC provider) and by bench/viewers.py (simulated viewers
through the proxy); like bench/browser.py, nothing here imports the tests."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.browser import Server, free_port, serving, streamlit_args

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
COOKIE = "sosu_replika"  # the sticky-session cookie of deploy/nginx/sosu-overblik.conf


def nginx_missing() -> bool:
    return not Path(NGINX).exists() or not shutil.which("openssl")


def serve_command(port: int) -> list[str]:
    """`sosu serve` on 127.0.0.1:port from this checkout (as deploy/ runs each replica)."""
    return [sys.executable, "-m", "sosu.cli.main", "serve", "--address", "127.0.0.1",
            "--port", str(port)]


@contextmanager
def replica(port: int, env: dict[str, str], args: Sequence[str] = (),
            log: Path | None = None, command: Sequence[str] | None = None,
            cwd: Path = ROOT) -> Iterator[Server]:
    """`command` (by default `python -m streamlit run src/sosu/app/main.py` with `args`),
    serving the dashboard on 127.0.0.1:port until the block ends (bench.browser.serving);
    its pid is the one process whose CPU time is the replica's (`sosu serve` execs
    Streamlit in its place)."""
    if command is None:
        command = streamlit_args(port, *args)
    with serving(command, port, env={"PYTHONPATH": str(ROOT / "src"), **env}, cwd=cwd,
                 log=log, timeout=90) as (url, pid):
        yield Server(url, pid)


def nginx_config(folder: Path, https_port: int, http_port: int, replicas: list[int],
                 cert: Path, key: Path) -> Path:
    """The shipped site and upstream files with loopback ports and the test certificate
    swapped in, and a header naming the replica that answered (test only)."""
    site = (DEPLOY / "nginx" / "sosu-overblik.conf").read_text(encoding="utf-8")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    site = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", site)
    site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};", site)
    site = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};", site)
    site = site.replace("    add_header Set-Cookie", "    add_header X-Sosu-Replika $upstream_addr "
                        "always;\n    add_header Set-Cookie")
    upstream = (DEPLOY / "nginx" / "sosu-overblik-upstream.conf").read_text(encoding="utf-8")
    for shipped, port in zip((8501, 8502), replicas, strict=True):
        upstream = upstream.replace(f"127.0.0.1:{shipped};", f"127.0.0.1:{port};")
    (folder / "site.conf").write_text(site, encoding="utf-8")
    (folder / "upstream.conf").write_text(upstream, encoding="utf-8")
    temp = "".join(f"    {kind}_temp_path {folder / kind};\n"
                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = folder / "nginx.conf"
    # 1024 connections: each simulated viewer holds a websocket to nginx and one upstream.
    main.write_text(f"""
worker_processes 1;
pid {folder / 'nginx.pid'};
error_log {folder / 'error.log'} warn;
{'user root root;' if os.geteuid() == 0 else ''}
events {{ worker_connections 1024; }}
http {{
    access_log {folder / 'access.log'};
{temp}
    include {folder / 'upstream.conf'};
    include {folder / 'site.conf'};
}}
""", encoding="utf-8")
    return main


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key (openssl), valid two days."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


@dataclass
class Proxy:
    url: str
    https_port: int
    http_port: int
    folder: Path  # nginx's prefix: configuration, access.log, error.log
    pid: int


def https_request(port: int, path: str, cookie: str | None = None) -> http.client.HTTPResponse:
    context = ssl._create_unverified_context()  # the test's self-signed certificate
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    connection.request("GET", path, headers={"Cookie": f"{COOKIE}={cookie}"} if cookie else {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


@contextmanager
def proxy(folder: Path, replicas: list[int], cert: Path, key: Path,
          https_port: int | None = None) -> Iterator[Proxy]:
    """Debian's nginx with the shipped site in front of the replicas on `replicas`, until
    the block ends; ready once /_stcore/health answers through it."""
    https_port, http_port = https_port or free_port(), free_port()
    folder.mkdir(exist_ok=True)
    config = nginx_config(folder, https_port, http_port, replicas, cert, key)
    base = [NGINX, "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(config)]
    checked = subprocess.run([*base, "-t"], capture_output=True, text=True)
    if checked.returncode:
        raise RuntimeError(checked.stderr)
    process = subprocess.Popen([*base, "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if https_request(https_port, "/_stcore/health").status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError((folder / "error.log").read_text()) from None
                time.sleep(0.2)
        yield Proxy(f"https://127.0.0.1:{https_port}", https_port, http_port, folder,
                    process.pid)
    finally:
        process.terminate()  # SIGTERM: nginx's fast shutdown, workers included
        process.wait(timeout=20)


@dataclass
class Deployment:
    proxy: Proxy
    replicas: list[Server]


@contextmanager
def deployment(folder: Path, env: dict[str, str],
               command: Callable[[int], Sequence[str]] = serve_command,
               https_port: int | None = None, cwd: Path = ROOT) -> Iterator[Deployment]:
    """Two replicas (as the shipped upstream file names them), each `command(port)` with
    `env` in `cwd` and logging to folder/replika-N.log, behind nginx (in folder/nginx, on
    `https_port` if given) with a self-signed certificate made in `folder`."""
    cert, key = self_signed(folder)
    ports = [free_port(), free_port()]
    with ExitStack() as stack:
        servers = [stack.enter_context(replica(port, env, log=folder / f"replika-{number}.log",
                                               command=command(port), cwd=cwd))
                   for number, port in enumerate(ports, start=1)]
        with proxy(folder / "nginx", ports, cert, key, https_port) as front:
            yield Deployment(front, servers)
