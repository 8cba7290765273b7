"""`sosu report --mail` against a real SMTP server on loopback (aiosmtpd, STARTTLS with a
self-signed certificate, login required): the right recipients get the right PDF for
their role, nothing is sent when a report cannot be made, refusals are clear Danish."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import json
import re
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pypdf
import pytest

from bench.browser import free_port
from sosu.cli.main import main
from sosu.domain.roles import Viewer
from sosu.domain.workdays import first_working_day, is_first_working_day_of_quarter
from sosu.report import make_report
from sosu.report.mail import previous_quarter
from sosu.store.db import connect_read_only

aiosmtpd = pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OWN, OTHER = "Døgnplejen Nord", "Døgnplejen Syd"
PASSWORD = "smtp-hemmelighed"


@dataclass
class Inbox:
    """What the server accepted, and how each session was secured."""
    refuse: set[str] = field(default_factory=set)
    mails: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    tls_sessions: list[bool] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.tls_sessions.append(session.ssl is not None)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.mails.append(email.message_from_bytes(envelope.content,
                                                   policy=email.policy.default))  # type: ignore[arg-type]
        return "250 OK"


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str,
                   auth_data: Any) -> AuthResult:
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == b"rapport"
          and auth_data.password == PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


@dataclass
class SmtpServer:
    port: int
    inbox: Inbox


def _serve(certificate: tuple[Path, Path], starttls: bool = True) -> Iterator[SmtpServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certificate))
    inbox = Inbox()
    port = free_port()
    options: dict[str, Any] = {"tls_context": context, "require_starttls": True,
                               "authenticator": _authenticator, "auth_require_tls": True}
    controller = Controller(inbox, hostname="127.0.0.1", port=port,
                            **(options if starttls else {}))
    controller.start()
    try:
        yield SmtpServer(port, inbox)
    finally:
        controller.stop()


@pytest.fixture
def smtp(certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    yield from _serve(certificate)


def _settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, port: int, cert: Path | None,
              recipients: str, user: str = "rapport") -> None:
    path = tmp_path / "rapport-mail.toml"
    path.write_text(f"""
[smtp]
vaert = "127.0.0.1"
port = {port}
bruger = "{user}"
afsender = "sosu-overblik@kommune.dk"
{f'ca_fil = "{cert}"' if cert else ""}
{recipients}
""", encoding="utf-8")
    path.chmod(0o600)
    monkeypatch.setenv("SOSU_RAPPORT_MAIL", str(path))
    monkeypatch.setenv("SOSU_SMTP_ADGANGSKODE", PASSWORD)


RECIPIENTS = f"""
[[modtager]]
email = "kf@kommune.dk"
rolle = "kvalitetsforum"

[[modtager]]
email = "leder.nord@kommune.dk"
rolle = "leder"
steder = ["{OWN}"]

[[modtager]]
email = "leder.begge@kommune.dk"
rolle = "leder"
steder = ["{OWN}", "{OTHER}"]

[[modtager]]
email = "team@kommune.dk"
rolle = "uddannelse"
"""


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _pdfs(mail: EmailMessage) -> dict[str, bytes]:
    return {str(part.get_filename()): part.get_content() for part in mail.iter_attachments()}


def test_each_recipient_gets_the_report_of_their_own_role(
        demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp: SmtpServer,
        certificate: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    _settings(tmp_path, monkeypatch, smtp.port, certificate[0], RECIPIENTS)
    assert main(["report", "--mail", "--quarter", "2025Q3", "--db", str(demo_db)]) == 0
    assert "sendt til 4 modtagere" in capsys.readouterr().out

    inbox = smtp.inbox
    # One envelope per recipient, each to that recipient only, all over STARTTLS.
    assert [rcpts for _sender, rcpts in inbox.envelopes] == [
        ["kf@kommune.dk"], ["leder.nord@kommune.dk"], ["leder.begge@kommune.dk"],
        ["team@kommune.dk"]]
    assert inbox.tls_sessions == [True] * 4
    mails = {str(mail["To"]): mail for mail in inbox.mails}
    assert all(m["Subject"] == "SOSU-overblik: kvartalsrapport 2025Q3" for m in mails.values())

    con = connect_read_only(demo_db)
    try:
        expected = {
            "kf@kommune.dk": [make_report(con, Viewer("x", "kvalitetsforum"), "2025Q3")],
            "leder.nord@kommune.dk": [make_report(con, Viewer("x", "leder", (OWN,)),
                                                  "2025Q3", OWN)],
            "leder.begge@kommune.dk": [
                make_report(con, Viewer("x", "leder", (OWN, OTHER)), "2025Q3", site)
                for site in (OWN, OTHER)],
            "team@kommune.dk": [make_report(con, Viewer("x", "uddannelse"), "2025Q3")],
        }
    finally:
        con.close()
    for address, reports in expected.items():
        attached = list(_pdfs(mails[address]).values())
        assert [_text(pdf) for pdf in attached] == [_text(pdf) for pdf in reports], address

    forum = _text(next(iter(_pdfs(mails["kf@kommune.dk"]).values())))
    assert "Oplæringssted:" not in forum and "Kvalitetsforum" in forum
    nord = _pdfs(mails["leder.nord@kommune.dk"])
    assert list(nord) == ["sosu-kvartalsrapport-2025Q3-Doegnplejen-Nord.pdf"]
    assert f"Oplæringssted: {OWN}" in _text(next(iter(nord.values())))
    assert OTHER not in _text(next(iter(nord.values())))
    # A leder's report hides small counts; the education team's shows them.
    assert "skjult" in _text(next(iter(nord.values())))

    log = [json.loads(line) for line in
           Path(tmp_path / "log.jsonl").read_text(encoding="utf-8").splitlines()]
    mailed = [e for e in log if e["haendelse"] == "eksport" and e.get("via") == "e-mail"]
    assert [(e["modtager"], e["rolle"]) for e in mailed] == [
        ("kf@kommune.dk", "kvalitetsforum"), ("leder.nord@kommune.dk", "leder"),
        ("leder.begge@kommune.dk", "leder"), ("team@kommune.dk", "uddannelse")]


@pytest.mark.parametrize("quarter, recipients, words", [
    ("2031Q1", RECIPIENTS, "data rækker kun til"),
    # Kvalitetsforum's report can be made, the leder's cannot: nobody gets anything.
    ("2025Q3", RECIPIENTS + '\n[[modtager]]\nemail = "x@kommune.dk"\nrolle = "leder"\n'
               'steder = ["Findes Ikke"]\n', "har ingen elever"),
])
def test_nothing_is_sent_when_a_report_cannot_be_made(
        demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp: SmtpServer,
        certificate: tuple[Path, Path], capsys: pytest.CaptureFixture[str],
        quarter: str, recipients: str, words: str) -> None:
    _settings(tmp_path, monkeypatch, smtp.port, certificate[0], recipients)
    assert main(["report", "--mail", "--quarter", quarter, "--db", str(demo_db)]) == 1
    error = capsys.readouterr().err
    assert words in error and "Intet er sendt" in error
    assert smtp.inbox.envelopes == []


def test_nothing_is_sent_from_a_database_another_version_loaded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp: SmtpServer,
        certificate: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    _settings(tmp_path, monkeypatch, smtp.port, certificate[0], RECIPIENTS)
    assert main(["report", "--mail", "--quarter", "2025Q3",
                 "--db", str(tmp_path / "mangler.duckdb")]) == 1
    assert "Intet er sendt" in capsys.readouterr().err
    assert smtp.inbox.envelopes == []


def test_a_refusing_smtp_server_gives_a_clear_danish_error(
        demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp: SmtpServer,
        certificate: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    run = ["report", "--mail", "--quarter", "2025Q3", "--db", str(demo_db)]
    kf = '[[modtager]]\nemail = "kf@kommune.dk"\nrolle = "kvalitetsforum"\n'

    _settings(tmp_path, monkeypatch, smtp.port, certificate[0], kf)
    monkeypatch.setenv("SOSU_SMTP_ADGANGSKODE", "forkert")
    assert main(run) == 1
    error = capsys.readouterr().err
    assert f"SMTP-serveren 127.0.0.1:{smtp.port} afviste login som rapport (535" in error
    assert "SOSU_SMTP_ADGANGSKODE" in error

    monkeypatch.delenv("SOSU_SMTP_ADGANGSKODE")
    assert main(run) == 1
    assert "sæt miljøvariablen SOSU_SMTP_ADGANGSKODE. Intet er sendt" in capsys.readouterr().err

    _settings(tmp_path, monkeypatch, smtp.port, certificate[0], kf)
    smtp.inbox.refuse.add("kf@kommune.dk")
    assert main(run) == 1
    assert "afviste modtageren kf@kommune.dk (550" in capsys.readouterr().err

    # A certificate the client does not trust: no mail goes out unencrypted or unverified.
    _settings(tmp_path, monkeypatch, smtp.port, None, kf)
    assert main(run) == 1
    assert "TLS mislykkedes" in capsys.readouterr().err

    closed = free_port()
    _settings(tmp_path, monkeypatch, closed, certificate[0], kf)
    assert main(run) == 1
    assert f"kan ikke forbinde til SMTP-serveren 127.0.0.1:{closed}" in capsys.readouterr().err
    assert smtp.inbox.envelopes == []


def test_a_server_without_starttls_gets_nothing(
        demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        certificate: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    kf = '[[modtager]]\nemail = "kf@kommune.dk"\nrolle = "kvalitetsforum"\n'
    for plain in _serve(certificate, starttls=False):
        _settings(tmp_path, monkeypatch, plain.port, certificate[0], kf)
        assert main(["report", "--mail", "--quarter", "2025Q3", "--db", str(demo_db)]) == 1
        assert "tilbyder ikke STARTTLS" in capsys.readouterr().err
        assert plain.inbox.envelopes == []


def test_first_working_day_of_each_quarter() -> None:
    assert previous_quarter(dt.date(2026, 1, 2)).__str__() == "2025Q4"
    assert str(previous_quarter(dt.date(2026, 7, 1))) == "2026Q2"
    # New Year's Day is a holiday; 2027-01-02/03 a weekend; Easter Monday 2029 is 2 April.
    assert first_working_day(2026, 1) == dt.date(2026, 1, 2)
    assert first_working_day(2027, 1) == dt.date(2027, 1, 4)
    assert first_working_day(2029, 4) == dt.date(2029, 4, 3)
    assert first_working_day(2029, 7) == dt.date(2029, 7, 2)  # 1 July 2029 is a Sunday
    assert is_first_working_day_of_quarter(dt.date(2026, 10, 1))
    assert not is_first_working_day_of_quarter(dt.date(2026, 10, 2))
    assert not is_first_working_day_of_quarter(dt.date(2026, 11, 2))


def test_the_timer_fires_on_every_candidate_day() -> None:
    """The systemd timer fires on weekdays in each quarter's first week; the command
    decides whether the day is the first working day. Every first working day in ten
    years is a day the timer fires."""
    timer = (ROOT / "deploy" / "sosu-rapport.timer").read_text(encoding="utf-8")
    service = (ROOT / "deploy" / "sosu-rapport.service").read_text(encoding="utf-8")
    assert "OnCalendar=Mon..Fri *-01,04,07,10-01..07 07:00" in timer
    assert "report --mail --foerste-arbejdsdag" in service
    for year in range(2025, 2036):
        for month in (1, 4, 7, 10):
            day = first_working_day(year, month)
            assert day.weekday() < 5 and day.day <= 7


def test_a_settings_file_others_can_change_is_refused(
        demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _settings(tmp_path, monkeypatch, free_port(), None, RECIPIENTS)
    (tmp_path / "rapport-mail.toml").chmod(0o664)
    assert main(["report", "--mail", "--quarter", "2025Q3", "--db", str(demo_db)]) == 1
    assert "chmod 600" in capsys.readouterr().err


def test_off_the_first_working_day_the_timer_sends_nothing(
        demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp: SmtpServer,
        certificate: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    if is_first_working_day_of_quarter(dt.date.today()):
        pytest.skip("today is a quarter's first working day")
    _settings(tmp_path, monkeypatch, smtp.port, certificate[0], RECIPIENTS)
    assert main(["report", "--mail", "--foerste-arbejdsdag", "--db", str(demo_db)]) == 0
    assert "ikke kvartalets første arbejdsdag; intet sendt" in capsys.readouterr().out
    assert smtp.inbox.envelopes == []
