"""The viewer benchmark's load client (bench/viewers.py) against the served demo through
the deployment's proxy: every simulated viewer logs in with its role's password through
the login form and gets each page's content over Streamlit's own websocket protocol.
No timing is asserted: how fast is measured by `bench/run.py --viewers`."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.deployment import deployment, nginx_missing
from bench.viewers import Account, Crowd, PageView, ProtocolError, Viewer
from sosu.access.users import User, add_user
from tests.support import TODAY

PASSWORD = "en-lang-adgangskode"
# What each page draws besides its heading, on the demo data, for every role.
CONTENT = {"Overblik": "metric", "Frafald": "plotly_chart", "Sygefravær": "plotly_chart",
           "Fastholdelse": "plotly_chart", "Rekruttering": "plotly_chart",
           "Mit oplæringssted": "plotly_chart", "Tidlig opsporing": "dataframe",
           "Data": "dataframe"}
ROLE_PAGES = {"team": list(CONTENT), "leder": [p for p in CONTENT if p != "Tidlig opsporing"],
              "kf": [p for p in CONTENT if p != "Tidlig opsporing"]}
PATIENCE = 900  # seconds for every viewer to see every page: a bound for a hang


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    if nginx_missing():
        if os.environ.get("CI"):
            raise RuntimeError("nginx and openssl are required in CI: apt-get install nginx-light")
        pytest.skip("nginx or openssl not installed")
    from sosu.etl.demo import write_demo
    from sosu.etl.load import load_folder
    from sosu.store.db import connect_read_only

    folder = tmp_path_factory.mktemp("viewers")
    write_demo(folder / "demo", today=TODAY)  # sealed as demo data
    db = folder / "sosu.duckdb"
    load_folder(folder / "demo", db, today=TODAY)
    con = connect_read_only(db)
    site = con.execute("SELECT min(oplaeringssted) FROM elever").fetchone()[0]  # type: ignore[index]
    con.close()
    users = folder / "brugere.toml"
    add_user(users, User("team", "uddannelse"), PASSWORD)
    add_user(users, User("leder", "leder", (site,)), PASSWORD)
    add_user(users, User("kf", "kvalitetsforum"), PASSWORD)
    env = {"SOSU_DB": str(db), "SOSU_USERS": str(users), "SOSU_LOG": str(folder / "log.jsonl"),
           "SOSU_FORBERED": "ja"}
    with deployment(folder, env) as running:
        yield running.proxy.url, folder


def _seen_everything(views: list[PageView], names: dict[int, str]) -> bool:
    for number, name in names.items():
        if not set(ROLE_PAGES[name]) <= {v.page for v in views if v.viewer == number}:
            return False
    return True


def test_simulated_viewers_get_every_page_of_their_role(served: tuple[str, Path]) -> None:
    url, folder = served
    names = {0: "team", 1: "leder", 2: "kf"}

    async def run() -> Crowd:
        crowd = Crowd(url, period=0.5)  # quicker than a person, to see every page soon
        try:
            await crowd.add([Account(name, PASSWORD) for name in names.values()], ramp=1)
            deadline = time.monotonic() + PATIENCE
            while not _seen_everything(crowd.views, names) and not crowd.failures:
                assert time.monotonic() < deadline, "the viewers did not see every page"
                await asyncio.sleep(0.5)
        finally:
            await crowd.stop()
        return crowd

    crowd = asyncio.run(run())
    assert not crowd.failures
    for view in crowd.views:
        role = names[view.viewer]
        assert view.page in ROLE_PAGES[role], (role, view.page)
        assert view.headings[:1] == [view.page], (role, view.page, view.headings)
        assert not view.exception, (role, view.page)
        assert view.elements[CONTENT[view.page]], (role, view.page, dict(view.elements))
    # Each logged in through the form (the audit log records it), through the proxy.
    log = (folder / "log.jsonl").read_text(encoding="utf-8")
    for name in names.values():
        assert f'"haendelse": "login", "bruger": "{name}"' in log
    assert '"GET /_stcore/stream HTTP/1.1" 101' in (
        folder / "nginx" / "access.log").read_text(encoding="utf-8")


def test_a_wrong_password_gets_no_page(served: tuple[str, Path]) -> None:
    url, _folder = served

    async def run() -> None:
        viewer = Viewer(0, url, Account("team", "forkert-adgangskode"))
        await viewer.connect()
        try:
            with pytest.raises(ProtocolError, match="refused"):
                await viewer.log_in()
            assert "Overblik" not in viewer.pages  # only the login page
        finally:
            await viewer.close()

    asyncio.run(run())
