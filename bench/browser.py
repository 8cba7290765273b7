"""`streamlit run` on a database and Debian's headless Chromium through Playwright (never
a downloaded browser). Used by bench/run.py and by the browser and slow tests (through
the `browser` fixture in tests/conftest.py and tests/support.py): the tests import this
tool as they import bench/generate.py, and nothing here imports the tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "src" / "sosu" / "app" / "main.py"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-quic", "--no-first-run"]
# URL path → page title (the heading every page starts with).
PAGES = {"": "Overblik", "frafald": "Frafald", "sygefravaer": "Sygefravær",
         "fastholdelse": "Fastholdelse", "rekruttering": "Rekruttering",
         "mit_oplaeringssted": "Mit oplæringssted", "tidlig_opsporing": "Tidlig opsporing",
         "data": "Data"}
SETTLED = "[data-testid='stApp'][data-test-script-state='notRunning']"
# The most a wait may take before it counts as a failure: generous, because on a shared
# machine (other test suites on the same 2 cores) a page can take ten times as long; a
# page that is drawn ends the wait at once.
PATIENCE_MS = 180_000
EXCEPTION = "[data-testid='stException']"

# True once the run is over, nothing is a skeleton, the heading is the wanted page's and
# every Plotly chart has drawn its SVG: the page as the user finally sees it.
DRAWN_JS = """(title) => {
    const app = document.querySelector("[data-testid='stApp']");
    if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
    if (document.querySelector("[data-testid='stSkeleton']")) return false;
    const headings = [...document.querySelectorAll("h1")].map(h => h.textContent.trim());
    if (!headings.some(h => h.startsWith(title))) return false;
    const charts = document.querySelectorAll("[data-testid='stPlotlyChart']");
    return [...charts].every(c => c.querySelector(".main-svg"));
}"""


def chromium_missing() -> bool:
    return not Path(CHROMIUM).exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Server:
    url: str
    pid: int


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    """Until the Streamlit server at `url` answers /_stcore/health; RuntimeError if the
    process ends or `timeout` seconds pass first."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200 and reply.read() == b"ok":
                    return
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError(f"{url} did not start")
        time.sleep(0.3)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate, and kill what does not end within 20 s."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def streamlit_args(port: int, *args: str) -> list[str]:
    """`streamlit run` of the app's entry file on 127.0.0.1:port, headless."""
    return [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true",
            "--server.address", "127.0.0.1", "--server.port", str(port),
            "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *args]


@contextmanager
def serving(command: Sequence[str], port: int, *, env: Mapping[str, str],
            cwd: Path = ROOT, log: Path | None = None,
            timeout: float = PATIENCE_MS / 1000) -> Iterator[tuple[str, int]]:
    """`command`, a Streamlit server on 127.0.0.1:port, with `env` added to the
    environment, until the block ends: (url, pid) once /_stcore/health answers. Its
    output goes to `log` (quoted when it does not start), else nowhere."""
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **env}, stdout=out,
                               stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_healthy(url, process, timeout)
        except RuntimeError as error:
            said = log.read_text(encoding="utf-8", errors="replace")[-2000:] if log else ""
            raise RuntimeError(f"{error}: {' '.join(command)}\n{said}") from None
        yield url, process.pid
    finally:
        stop(process)
        if log:
            out.close()  # type: ignore[union-attr]


@contextmanager
def streamlit_server(db: Path, timeout: float = PATIENCE_MS / 1000, **env: str) -> Iterator[Server]:
    """`streamlit run src/sosu/app/main.py` on `db`, ready once /_stcore/health answers."""
    port = free_port()
    # Kvalitetsforum's figures prepared after each load, as the dashboard is deployed
    # (the in-process tests turn it off: tests/conftest.py).
    with serving(streamlit_args(port), port, timeout=timeout,
                 env={"SOSU_FORBERED": "ja", "SOSU_DB": str(db), **env}) as (url, pid):
        yield Server(url, pid)


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def settled(page: Any, timeout_ms: int = PATIENCE_MS) -> None:
    """Wait until the script run is over and no element is a loading skeleton."""
    page.wait_for_selector(SETTLED, timeout=timeout_ms)
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-testid='stSkeleton']", state="detached", timeout=timeout_ms)


def switch(page: Any, label: str, *, on: bool, tries: int = 5) -> None:
    """Set the toggle or checkbox labelled `label` and wait for the run that follows.

    A click that lands while an earlier click's run is still drawing can be undone: the
    run's elements arrive with the value the run started from. So the switch is read
    again once the page has settled, and clicked again until it holds."""
    control = page.get_by_label(label, exact=False).first
    for _ in range(tries):
        settled(page)
        if control.is_checked() == on:
            return
        page.get_by_text(label, exact=False).first.click()
        page.wait_for_timeout(300)  # for the run to begin
    raise AssertionError(f"the switch {label!r} did not stay {'on' if on else 'off'}")


def drawn(page: Any, title: str, timeout_ms: int = PATIENCE_MS) -> None:
    """Wait until page `title` is fully drawn (see DRAWN_JS)."""
    page.wait_for_function(DRAWN_JS, arg=title, timeout=timeout_ms, polling=20)
