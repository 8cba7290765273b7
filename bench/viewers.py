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
                 timeout: float = 600) -> None:
        self.number = number
        self.base_url = base_url.rstrip("/")
        self.account = account
        self.timeout = timeout
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
                     widgets: list[dict[str, Any]] | None = None) -> _Run:
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
        async with asyncio.timeout(self.timeout):
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
            {"id": form.buttons["Log ind"], "trigger_value": True}])
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

    async def add(self, accounts: list[Account], *, ramp: float,
                  ready: Callable[[int], None] | None = None) -> None:
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
        for number, future in enumerate(logged_in):
            await future
            if ready:
                ready(first + number)

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
