"""The audit log to the system log as well as the file (SOSU_LOG_SYSLOG), received on a
UNIX datagram socket the test binds, as /dev/log is bound by journald or rsyslog."""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from sosu.cli.main import main
from sosu.store import audit

LINE = re.compile(rb"^<(\d+)>sosu-overblik\[(\d+)\]: (\{.*\})$")


@pytest.fixture
def syslog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    # A short path: a UNIX socket's path is limited to ~100 bytes.
    path = Path(f"/tmp/sosu-syslog-{os.getpid()}-{id(tmp_path)}.sock")
    sink = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sink.bind(str(path))
    sink.settimeout(10)
    monkeypatch.setenv("SOSU_LOG_SYSLOG", str(path))
    try:
        yield sink
    finally:
        sink.close()
        path.unlink(missing_ok=True)


def _received(sink: socket.socket) -> tuple[int, int, dict[str, object]]:
    match = LINE.match(sink.recv(65536))
    assert match, "not a syslog datagram"
    return int(match[1]), int(match[2]), json.loads(match[3])


def test_each_entry_goes_to_the_file_and_the_system_log(
        syslog: socket.socket, tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    audit.record(log, "login", "anne", rolle="uddannelse", metode="konti")
    # A typed name shaped like a CPR number is masked in both places.
    audit.record(log, "login_afvist", "010190-1234")
    file_entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]

    priority, pid, entry = _received(syslog)
    assert priority == 10 * 8 + 6  # authpriv.info
    assert pid == os.getpid()
    assert entry == file_entries[0]
    priority, _pid, entry = _received(syslog)
    assert priority == 10 * 8 + 5  # authpriv.notice: a refusal
    assert entry == file_entries[1]
    assert "1234" not in json.dumps(entry) and "010190" not in json.dumps(entry)


def test_the_command_line_logs_there_too(syslog: socket.socket, tmp_path: Path) -> None:
    folder = tmp_path / "tom"
    folder.mkdir()
    assert main(["load", str(folder), "--db", str(tmp_path / "sosu.duckdb")]) != 0
    _priority, _pid, entry = _received(syslog)
    assert entry["haendelse"] == "indlaesning_afvist"


def test_an_unreachable_system_log_never_stops_the_action(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SOSU_LOG_SYSLOG", str(tmp_path / "findes-ikke.sock"))
    log = tmp_path / "log.jsonl"
    audit.record(log, "logout", "anne")
    assert json.loads(log.read_text(encoding="utf-8"))["haendelse"] == "logout"
    assert "kunne ikke sendes til systemloggen" in capsys.readouterr().err


def test_off_by_default_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    from sosu.domain import settings

    monkeypatch.delenv("SOSU_LOG_SYSLOG", raising=False)
    assert settings.get("log_syslog") is None
    monkeypatch.setenv("SOSU_LOG_SYSLOG", "ja")
    assert settings.get("log_syslog") == Path("/dev/log")
    monkeypatch.setenv("SOSU_LOG_SYSLOG", "dev/log")
    with pytest.raises(settings.SettingsError, match="SOSU_LOG_SYSLOG"):
        settings.get("log_syslog")
