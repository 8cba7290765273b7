"""Every download button of the dashboard: made on the click, at an address nobody can
guess, gone shortly after.

Streamlit hands a download to the browser through its media route (`/media/<id>`), which
asks for no session or login: whoever has the address gets the file, until two more runs
of the page anywhere on the server drop it (an idle tab kept the early-warning list there
for as long as it stayed open, after a logout too). The id is a hash of the bytes, their
type and the file's name, so an address could also be computed for a guessed table and
tried, which told a hidden cell. Here each button's type carries a random part, drawn
anew on every run, so no address can be computed; and the file is removed from the
server `SOSU_HENTNING_SEKUNDER` seconds after the click (default 60), long after the
browser has fetched it. The guard (login.guarded) still decides whether the click is
answered at all.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from typing import Any

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.memory_media_file_storage import _calculate_file_id

from sosu.app.login import guarded
from sosu.domain.settings import get

_log = logging.getLogger(__name__)


def button(label: str, produce: Callable[[], bytes | str], file_name: str, mime: str, *,
           key: str, where: Any = st, guard: bool = True) -> None:
    """A download button for `produce`'s bytes: with `guard`, made only if the session
    that drew the button may still have them (login.guarded)."""
    typed = f"{mime}; sosu={secrets.token_hex(16)}"
    made = guarded(produce) if guard else produce

    def delivered() -> bytes:
        data = made()
        content = data.encode("utf-8") if isinstance(data, str) else data
        _forget_later(content, typed, file_name)
        return content

    where.download_button(label, delivered, file_name, typed, key=key, on_click="ignore")


def _forget_later(content: bytes, typed: str, file_name: str) -> None:
    timer = threading.Timer(get("download_seconds"), _forget,
                            args=(_calculate_file_id(content, typed, file_name),))
    timer.daemon = True
    timer.start()


def _forget(file_id: str) -> None:
    """Remove the delivered file from Streamlit's media store (its address then gives 404).
    Streamlit's storage has no public call for this; a change there is logged (and the
    browser test that fetches an address after the delay fails)."""
    try:
        manager = Runtime.instance().media_file_mgr
        with manager._lock:
            manager._storage.delete_file(file_id)  # type: ignore[attr-defined]
            manager._file_metadata.pop(file_id, None)
    except Exception as error:  # noqa: BLE001 - never fail a timer thread silently
        _log.error("En hentet fil kunne ikke fjernes fra serveren: %s",
                   type(error).__name__)
