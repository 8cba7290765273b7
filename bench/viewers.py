"""Simulated viewers speaking Streamlit's own websocket protocol (issue #21): how many
viewers one machine serves.

A viewer does what the browser's frontend does, without a browser: it fetches the page
through the proxy (which gives it the sticky-session cookie), opens the websocket at
/_stcore/stream and sends `BackMsg`s (`streamlit.proto`): a `rerun_script` for the page,
then the login form's widget states (user name, password, the form's submit trigger:
the widget ids are read from the form the server drew, as the frontend reads them), then
one `rerun_script` with a page's `page_script_hash` (from the server's navigation
message) every `period` seconds, rotating over the pages its role gets. Like the
frontend it keeps the large messages it received for two script runs and tells the
server their hashes (`cached_message_hashes`), so the server sends a reference instead.

A page time is from sending the rerun request until the `script_finished` message of
that run. Each page view records the page's headings and elements, so a test can check
that the page's content arrived. The server's CPU time is read from /proc of its
processes (bench/run.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import ssl
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# The frontend's defaults (streamlit config global.maxCachedMessageAge): a cached message
# not used for this many finished script runs is dropped.
MAX_CACHED_MESSAGE_AGE = 2
LOGIN_TITLE = "SOSU-overblik"


@dataclass(frozen=True)
class Account:
    name: str
    password: str


@dataclass
class PageView:
    viewer: int
    page: str  # the page's name in the navigation (its title)
    started: float  # time.monotonic() when the rerun was sent
    seconds: float  # until the run's script_finished
    headings: list[str]  # h1 texts drawn in the run
    elements: Counter[str]  # element type → count (new elements in the run)
    exception: bool  # an st.exception element (a crash shown to the user)


class ProtocolError(Exception):
    """The server did not answer as Streamlit's frontend expects."""


@dataclass
class _Run:
    headings: list[str] = field(default_factory=list)
    elements: Counter[str] = field(default_factory=Counter)
    exception: bool = False
    text_inputs: dict[str, str] = field(default_factory=dict)  # label → widget id
    buttons: dict[str, str] = field(default_factory=dict)  # label → widget id
    status: int | None = None  # script_finished's status


class Viewer:
    """One browser tab's session over one websocket."""

    def __init__(self, number: int, base_url: str, account: Account,
                 timeout: float = 600, first_timeout: float = 1800) -> None:
        self.number = number
        self.base_url = base_url.rstrip("/")
        self.account = account
        self.timeout = timeout
        # The first page after a new file may wait for a protected viewer's release
        # (Kvalitetsforum's takes 32 s of CPU nationally, and far longer on a busy machine).
        self.first_timeout = first_timeout
        self.pages: dict[str, str] = {}  # page name → page_script_hash, in the sidebar's order
        self._socket: Any = None
        self._cache: dict[str, int] = {}  # message hash → finished runs when last used
        self._finished_runs = 0

    # --- connection -------------------------------------------------------------------

    def _ssl(self) -> ssl.SSLContext | None:
        if not self.base_url.startswith("https:"):
            return None
        return ssl._create_unverified_context()  # the deployment's self-signed certificate

    async def _cookie(self) -> str | None:
        """What a browser has after loading the page: the proxy's sticky-session cookie."""
        parsed = urllib.parse.urlsplit(self.base_url)
        reader, writer = await asyncio.open_connection(
            parsed.hostname, parsed.port, ssl=self._ssl(),
            server_hostname=parsed.hostname if self._ssl() else None)
        writer.write(f"GET / HTTP/1.1\r\nHost: {parsed.netloc}\r\nConnection: close\r\n\r\n"
                     .encode())
        await writer.drain()
        head = (await reader.read()).split(b"\r\n\r\n", 1)[0].decode("latin-1")
        writer.close()
        with contextlib.suppress(OSError, ssl.SSLError):
            await writer.wait_closed()
        if not head.startswith("HTTP/1.1 200"):
            raise ProtocolError(f"GET / answered {head.splitlines()[0]!r}")
        for line in head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "set-cookie":
                return value.strip().split(";", 1)[0]
        return None

    async def connect(self) -> None:
        from websockets.asyncio.client import connect
        from websockets.typing import Origin, Subprotocol

        cookie = await self._cookie()
        scheme = "wss" if self.base_url.startswith("https:") else "ws"
        host = self.base_url.split("://", 1)[1]
        self._socket = await connect(
            f"{scheme}://{host}/_stcore/stream", ssl=self._ssl(),
            subprotocols=[Subprotocol("streamlit")], origin=Origin(self.base_url),
            additional_headers={"Cookie": cookie} if cookie else None,
            max_size=None, open_timeout=self.timeout, ping_interval=None)

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()

    # --- one script run ---------------------------------------------------------------

    async def _rerun(self, *, page_script_hash: str = "", page_name: str = "",
                     widgets: list[dict[str, Any]] | None = None,
                     timeout: float | None = None) -> _Run:
        """Send one rerun request and read the server's messages until a run of it has
        finished (a run cut short by st.rerun is followed by the next one)."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        message = BackMsg()
        state = message.rerun_script
        state.page_script_hash = page_script_hash
        state.page_name = page_name
        state.cached_message_hashes.extend(self._cache)
        for widget in widgets or []:
            state.widget_states.widgets.add(**widget)
        await self._socket.send(message.SerializeToString())
        run = _Run()
        async with asyncio.timeout(timeout or self.timeout):
            while True:
                data = await self._socket.recv()
                forward = ForwardMsg()
                forward.ParseFromString(data)
                kind = forward.WhichOneof("type")
                if kind == "delta":
                    self._element(forward, run)
                elif kind == "ref_hash":
                    self._cache[forward.ref_hash] = self._finished_runs
                    run.elements["(cached)"] += 1
                elif kind in ("navigation", "new_session"):
                    pages = forward.navigation.app_pages if kind == "navigation" \
                        else forward.new_session.app_pages
                    if pages:
                        self.pages = {p.page_name: p.page_script_hash for p in pages
                                      if not p.is_hidden}
                elif kind == "script_finished":
                    self._finished(forward.script_finished)
                    if forward.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                        run.status = forward.script_finished
                        return run
                    run = _Run()  # st.rerun: the next run is the one that counts

    def _element(self, forward: Any, run: _Run) -> None:
        if forward.metadata.cacheable:
            self._cache[forward.hash] = self._finished_runs
        if forward.delta.WhichOneof("type") != "new_element":
            return
        element = forward.delta.new_element
        kind = element.WhichOneof("type")
        run.elements[kind] += 1
        if kind == "heading" and element.heading.tag == "h1":
            run.headings.append(element.heading.body)
        elif kind == "exception":
            run.exception = True
        elif kind == "text_input":
            run.text_inputs[element.text_input.label] = element.text_input.id
        elif kind == "button":
            run.buttons[element.button.label] = element.button.id

    def _finished(self, _status: int) -> None:
        """The frontend's message cache ages by finished runs."""
        self._finished_runs += 1
        self._cache = {digest: used for digest, used in self._cache.items()
                       if self._finished_runs - used <= MAX_CACHED_MESSAGE_AGE}

    # --- what a user does -------------------------------------------------------------

    async def log_in(self) -> None:
        """Open the app and log in with the form, as a user types and clicks."""
        form = await self._rerun()
        if not {"Brugernavn", "Adgangskode"} <= form.text_inputs.keys() \
                or "Log ind" not in form.buttons:
            raise ProtocolError(f"viewer {self.number}: no login form (headings "
                                f"{form.headings}, elements {dict(form.elements)})")
        after = await self._rerun(widgets=[
            {"id": form.text_inputs["Brugernavn"], "string_value": self.account.name},
            {"id": form.text_inputs["Adgangskode"], "string_value": self.account.password},
            {"id": form.buttons["Log ind"], "trigger_value": True}],
            timeout=self.first_timeout)
        if "Log ind" in after.buttons or not self.pages:
            raise ProtocolError(f"viewer {self.number}: login as {self.account.name} "
                                f"refused (headings {after.headings})")

    async def open(self, page: str) -> PageView:
        started = time.monotonic()
        start = time.perf_counter()
        run = await self._rerun(page_script_hash=self.pages[page])
        seconds = time.perf_counter() - start
        return PageView(self.number, page, started, seconds, run.headings, run.elements,
                        run.exception)


# --- many viewers ----------------------------------------------------------------------

@dataclass
class Crowd:
    """Viewers started so far; each opens a page every `period` seconds until stopped."""

    base_url: str
    period: float = 10.0
    views: list[PageView] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def add(self, accounts: list[Account], *, ramp: float) -> None:
        """Start one viewer per account, spread over `ramp` seconds; return once all have
        logged in and opened their first page."""
        logged_in: list[asyncio.Future[None]] = []
        first = len(self._tasks)
        for offset, account in enumerate(accounts):
            future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            logged_in.append(future)
            viewer = Viewer(first + offset, self.base_url, account)
            self._tasks.append(asyncio.create_task(self._life(viewer, future)))
            await asyncio.sleep(ramp / max(len(accounts), 1))
        outcomes = await asyncio.gather(*logged_in, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome

    async def _life(self, viewer: Viewer, logged_in: asyncio.Future[None]) -> None:
        try:
            await viewer.connect()
            await viewer.log_in()
            names = list(viewer.pages)
            turn = viewer.number % len(names)  # viewers start on different pages
            self.views.append(await viewer.open(names[turn]))
            logged_in.set_result(None)
            # Every viewer opens its pages `period` apart, phases spread at random.
            due = time.monotonic() + random.uniform(0, self.period)
            while not self._stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(),
                                           max(due - time.monotonic(), 0))
                    break
                turn = (turn + 1) % len(names)
                due += self.period
                self.views.append(await viewer.open(names[turn]))
        except Exception as error:  # reported, not raised: the other viewers go on
            self.failures.append(f"viewer {viewer.number}: {type(error).__name__}: {error}")
            if not logged_in.done():
                logged_in.set_exception(error)
        finally:
            await viewer.close()

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.gather(*self._tasks, return_exceptions=True)


# --- the measurement (bench/run.py part d) --------------------------------------------

ROLES_MIXED = ("uddannelse", "leder", "kvalitetsforum")  # viewer i gets role i mod 3
LEADER_SITES = 10  # site managers of the largest sites take turns


@dataclass
class Step:
    viewers: int
    views: int  # page views that finished in the window
    seconds: list[float]  # their page times
    slowest_page: tuple[str, float]  # the page with the highest p95 and that p95
    server_cpu: float  # CPU seconds of both replicas in the window
    proxy_cpu: float  # CPU seconds of nginx in the window
    client_cpu: float  # CPU seconds of the load client (this process) in the window
    window: float  # seconds
    failures: list[str]
    exceptions: int  # page views that showed an exception
    loadavg: str  # 1/5/15 min before → after
    memory: list[float]  # each replica's resident memory at the end (MiB)

    @property
    def cpu_per_view(self) -> float:
        return self.server_cpu / self.views if self.views else float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (/proc/PID/stat, fields 14 and 15)."""
    import os
    from pathlib import Path

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _with_children(pid: int) -> list[int]:
    """`pid` and its direct children (nginx's master and its worker)."""
    from pathlib import Path

    found = [pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def resident_mib(pid: int) -> float:
    from pathlib import Path

    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share in 0..1) of `values`."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def _loadavg() -> str:
    import os

    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def _accounts(users: Any, sites: list[str], count: int,
              roles: tuple[str, ...] = ROLES_MIXED) -> list[Account]:
    """Accounts for the mixed roles in the users file `users` (Argon2id hashes): one for
    the education team, one per site manager, one for Kvalitetsforum; viewers share them
    as colleagues with the same role would."""
    import secrets as _secrets

    from sosu.access.users import User, add_user

    password = _secrets.token_urlsafe(12)
    made: dict[str, Account] = {}
    accounts = []
    for number in range(count):
        role = roles[number % len(roles)]
        if role == "leder":
            site = sites[(number // len(roles)) % len(sites)]
            name = f"leder{sites.index(site) + 1}"
            user = User(name, role, (site,))
        else:
            name = {"uddannelse": "team", "kvalitetsforum": "kf"}[role]
            user = User(name, role)
        if name not in made:
            add_user(users, user, password)
            made[name] = Account(name, password)
        accounts.append(made[name])
    return accounts


def _largest_sites(db: Any, count: int) -> list[str]:
    from sosu.store.db import connect_read_only

    con = connect_read_only(db)
    try:
        rows = con.execute("SELECT oplaeringssted FROM elever GROUP BY 1 "
                           "ORDER BY count(*) DESC, 1 LIMIT ?", [count]).fetchall()
    finally:
        con.close()
    return [str(row[0]) for row in rows]


def measure(db: Any, counts: list[int], *, window: float = 60, period: float = 10,
            first_warmup: float = 90, roles: tuple[str, ...] = ROLES_MIXED,
            progress: Callable[[str], None] = print) -> list[Step]:
    """Two replicas behind nginx on `db`, password login, Kvalitetsforum's release
    prepared on each replica as deployed (SOSU_FORBERED); viewers are added up to each
    count in `counts`, and after a warm-up (`first_warmup` at the first count, two
    periods after that) their page views are measured for `window` seconds."""
    import resource
    import tempfile
    from pathlib import Path

    from bench.deployment import deployment

    with tempfile.TemporaryDirectory(prefix="sosu-viewers-") as tmp:
        folder = Path(tmp)
        users = folder / "brugere.toml"
        accounts = _accounts(users, _largest_sites(db, LEADER_SITES), max(counts), roles)
        env = {"SOSU_DB": str(db), "SOSU_USERS": str(users),
               "SOSU_LOG": str(folder / "log.jsonl"),
               # Prepared as deployed when Kvalitetsforum is among the viewers; otherwise
               # the preparation would only add its CPU to the measured page views.
               "SOSU_FORBERED": "ja" if "kvalitetsforum" in roles else "nej"}
        with deployment(folder, env) as running:
            servers = [server.pid for server in running.replicas]
            proxies = _with_children(running.proxy.pid)

            def client_cpu() -> float:
                usage = resource.getrusage(resource.RUSAGE_SELF)
                return usage.ru_utime + usage.ru_stime

            async def steps() -> list[Step]:
                crowd = Crowd(running.proxy.url, period=period)
                measured = []
                try:
                    for number, count in enumerate(counts):
                        started = time.monotonic()
                        await crowd.add(accounts[len(crowd._tasks):count],
                                        ramp=min(period, count / 5))
                        if crowd.failures:
                            raise ProtocolError("; ".join(crowd.failures[:5]))
                        progress(f"    {count} viewers logged in after "
                                 f"{time.monotonic() - started:.0f} s; warming up")
                        await asyncio.sleep(first_warmup if number == 0 else 2 * period)
                        before = (sum(map(cpu_seconds, servers)),
                                  sum(map(cpu_seconds, proxies)), client_cpu(),
                                  time.monotonic(), _loadavg(), len(crowd.views))
                        await asyncio.sleep(window)
                        end = time.monotonic()
                        views = [v for v in crowd.views[before[5]:]
                                 if v.started + v.seconds <= end]
                        step = _step(count, views, before, end, servers, proxies,
                                     client_cpu(), crowd.failures)
                        measured.append(step)
                        progress(f"    {count} viewers: {step.views} page views, "
                                 f"p50 {percentile(step.seconds, 0.5):.2f} s, "
                                 f"p95 {percentile(step.seconds, 0.95):.2f} s, "
                                 f"server CPU {step.cpu_per_view:.3f} s per view, "
                                 f"load {step.loadavg}")
                finally:
                    await crowd.stop()
                return measured

            return asyncio.run(steps())


def _step(count: int, views: list[PageView], before: tuple[Any, ...], end: float,
          servers: list[int], proxies: list[int], client_after: float,
          failures: list[str]) -> Step:
    by_page: dict[str, list[float]] = {}
    for view in views:
        by_page.setdefault(view.page, []).append(view.seconds)
    slowest = max(((page, percentile(times, 0.95)) for page, times in by_page.items()),
                  key=lambda item: item[1], default=("", 0.0))
    return Step(
        viewers=count, views=len(views), seconds=[v.seconds for v in views],
        slowest_page=slowest,
        server_cpu=sum(map(cpu_seconds, servers)) - before[0],
        proxy_cpu=sum(map(cpu_seconds, proxies)) - before[1],
        client_cpu=client_after - before[2], window=end - before[3],
        failures=list(failures), exceptions=sum(v.exception for v in views),
        loadavg=f"{before[4]} → {_loadavg()}", memory=[resident_mib(p) for p in servers])
