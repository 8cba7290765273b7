"""The quarterly report by e-mail: `sosu report --mail`.

A settings file (SOSU_RAPPORT_MAIL, TOML) names the SMTP server and the recipients,
each with a role: a leder gets the report of each of their own sites, Kvalitetsforum the
suppressed municipal report, the education team the complete one, exactly as the
dashboard would show them. Every PDF is made before the SMTP server is contacted, so a
report that cannot be made means nothing is sent to anyone. The SMTP password is never
in the file: the file names the environment variable that holds it.

    [smtp]
    vaert = "smtp.kommune.dk"
    port = 587                              # standard 587
    starttls = true                         # standard true; false only on loopback
    bruger = "sosu-rapport@kommune.dk"      # tom: ingen login
    adgangskode_variabel = "SOSU_SMTP_ADGANGSKODE"
    afsender = "sosu-overblik@kommune.dk"
    ca_fil = "/etc/ssl/kommune-ca.pem"      # valgfri: kommunens egen CA

    [[modtager]]
    email = "kf@kommune.dk"
    rolle = "kvalitetsforum"

    [[modtager]]
    email = "leder.nord@kommune.dk"
    rolle = "leder"
    steder = ["Døgnplejen Nord"]
"""

from __future__ import annotations

import datetime as dt
import os
import smtplib
import ssl
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import duckdb

from sosu.domain.oserror import reason
from sosu.domain.roles import ROLES, Viewer
from sosu.report import make_report
from sosu.report.content import Quarter

DEFAULT_PASSWORD_VARIABLE = "SOSU_SMTP_ADGANGSKODE"


class MailError(Exception):
    """A mail settings file that cannot be used, or an SMTP server that refused: the
    message is Danish and says what to do."""


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    starttls: bool
    sender: str
    user: str | None
    password_variable: str
    ca_file: Path | None


@dataclass(frozen=True)
class Recipient:
    email: str
    role: str
    sites: tuple[str, ...] = ()


@dataclass(frozen=True)
class MailSettings:
    smtp: Smtp
    recipients: tuple[Recipient, ...]


@dataclass(frozen=True)
class Attachment:
    filename: str
    pdf: bytes
    site: str | None


@dataclass(frozen=True)
class Letter:
    recipient: Recipient
    attachments: tuple[Attachment, ...]


def load_settings(path: Path) -> MailSettings:
    """The settings file, refused if group or others may change it: whoever can change it
    can have the education team's complete report sent to any address."""
    try:
        mode = path.stat().st_mode
        if mode & 0o022:
            raise MailError(f"{path} kan ændres af andre end ejeren (rettigheder "
                            f"{mode & 0o777:04o}); den bruges ikke. Ret det med: "
                            f"chmod 600 {path}")
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MailError(f"{path}: filen med modtagere og SMTP-server findes ikke "
                        "(SOSU_RAPPORT_MAIL)") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise MailError(f"{path}: kan ikke læses som TOML ({error})") from error
    unknown = set(document) - {"smtp", "modtager"}
    if unknown:
        raise MailError(f"{path}: ukendte afsnit {', '.join(sorted(unknown))}")
    return MailSettings(_smtp(path, document.get("smtp")),
                        tuple(_recipient(path, entry, n)
                              for n, entry in enumerate(document.get("modtager", []), 1)))


def _smtp(path: Path, section: object) -> Smtp:
    if not isinstance(section, dict):
        raise MailError(f"{path}: afsnittet [smtp] mangler")
    known = {"vaert", "port", "starttls", "bruger", "adgangskode_variabel", "afsender", "ca_fil"}
    unknown = set(section) - known
    if unknown:
        raise MailError(f"{path}: [smtp] har ukendte felter {', '.join(sorted(unknown))}")
    for key in ("vaert", "afsender"):
        if not isinstance(section.get(key), str) or not section[key].strip():
            raise MailError(f"{path}: [smtp] mangler {key}")
    port = section.get("port", 587)
    if not isinstance(port, int) or not 0 < port < 65536:
        raise MailError(f"{path}: [smtp] port skal være et tal mellem 1 og 65535")
    starttls = section.get("starttls", True)
    if not isinstance(starttls, bool):
        raise MailError(f"{path}: [smtp] starttls skal være true eller false")
    user = section.get("bruger") or None
    ca_file = section.get("ca_fil")
    return Smtp(section["vaert"].strip(), port, starttls, section["afsender"].strip(),
                str(user) if user else None,
                str(section.get("adgangskode_variabel") or DEFAULT_PASSWORD_VARIABLE),
                Path(ca_file).expanduser() if ca_file else None)


def _recipient(path: Path, entry: object, number: int) -> Recipient:
    where = f"{path}: modtager nr. {number}"
    if not isinstance(entry, dict):
        raise MailError(f"{where} skal være en [[modtager]]-tabel")
    unknown = set(entry) - {"email", "rolle", "steder"}
    if unknown:
        raise MailError(f"{where}: ukendte felter {', '.join(sorted(unknown))}")
    email = entry.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise MailError(f"{where}: email mangler eller mangler @")
    role = entry.get("rolle")
    if role not in ROLES:
        raise MailError(f"{where}: ukendt rolle {role!r} (brug {', '.join(ROLES)})")
    sites = entry.get("steder", [])
    if not isinstance(sites, list) or not all(isinstance(s, str) and s for s in sites):
        raise MailError(f"{where}: steder skal være en liste af navne")
    if role == "leder" and not sites:
        raise MailError(f"{where}: en leder skal have mindst ét oplæringssted")
    if role != "leder" and sites:
        raise MailError(f"{where}: kun en leder har oplæringssteder")
    return Recipient(email.strip(), str(role), tuple(sites))


def previous_quarter(today: dt.date) -> Quarter:
    """The quarter before `today`'s: the one a report sent as a quarter begins covers."""
    number = (today.month - 1) // 3 + 1
    return Quarter(today.year - 1, 4) if number == 1 else Quarter(today.year, number - 1)


def letters(con: duckdb.DuckDBPyConnection, settings: MailSettings, quarter: str,
            threshold: int) -> list[Letter]:
    """Every recipient's PDFs, each made for the recipient's own role and sites. Raises
    ReportError (or AccessDenied) at the first one that cannot be made, before anything
    is sent."""
    made: dict[tuple[str, tuple[str, ...], str | None], bytes] = {}
    result = []
    for recipient in settings.recipients:
        viewer = Viewer(recipient.email, recipient.role, recipient.sites, threshold)
        attachments = []
        for site in recipient.sites or (None,):
            key = (recipient.role, recipient.sites, site)
            if key not in made:  # one PDF per view, however many receive it
                made[key] = make_report(con, viewer, quarter, site)
            name = f"sosu-kvartalsrapport-{quarter}" + (f"-{_slug(site)}" if site else "")
            attachments.append(Attachment(name + ".pdf", made[key], site))
        result.append(Letter(recipient, tuple(attachments)))
    return result


def _slug(text: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})
    cleaned = "".join(c if c.isalnum() else "-" for c in text.translate(table))
    return "-".join(part for part in cleaned.split("-") if part)[:60] or "sted"


def message(letter: Letter, sender: str, quarter: str) -> EmailMessage:
    recipient = letter.recipient
    sites = [a.site for a in letter.attachments if a.site]
    view = (f"for {', '.join(sites)} ved siden af kommunen" if sites
            else "for hele kommunen")
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = recipient.email
    mail["Subject"] = f"SOSU-overblik: kvartalsrapport {quarter}"
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail.set_content(
        f"Hej\n\nHer er SOSU-overbliks kvartalsrapport for {quarter} {view}, som rollen "
        f"{ROLES[recipient.role].lower()} ser den.\n\n"
        "Rapporten er sendt automatisk. Spørgsmål til tallene: kontakt uddannelsesteamet.\n")
    for attachment in letter.attachments:
        mail.add_attachment(attachment.pdf, maintype="application", subtype="pdf",
                            filename=attachment.filename)
    return mail


def password(smtp: Smtp) -> str | None:
    """The SMTP password from its environment variable; MailError when a user is named and
    the variable is empty (checked before any report is made)."""
    if not smtp.user:
        return None
    value = os.environ.get(smtp.password_variable)
    if not value:
        raise MailError(f"adgangskoden til SMTP-serveren {smtp.host}:{smtp.port} mangler: sæt "
                        f"miljøvariablen {smtp.password_variable}. Intet er sendt.")
    return value


def send(settings: MailSettings, mails: Sequence[EmailMessage],
         sent: Callable[[EmailMessage], None] = lambda _mail: None,
         timeout: float = 30) -> None:
    """Send every mail over one SMTP session (STARTTLS unless the file turns it off, login
    when a user is named). Raises MailError in Danish when the server cannot be reached
    or refuses; `sent` is called for each mail the server accepted."""
    smtp = settings.smtp
    where = f"SMTP-serveren {smtp.host}:{smtp.port}"
    secret = password(smtp)
    try:
        context = ssl.create_default_context(
            cafile=str(smtp.ca_file) if smtp.ca_file else None)
    except OSError as error:
        raise MailError(f"CA-filen {smtp.ca_file} kan ikke læses ({reason(error)}). "
                        "Intet er sendt.") from error
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=timeout) as server:
            server.ehlo()
            if smtp.starttls:
                if not server.has_extn("starttls"):
                    raise MailError(f"{where} tilbyder ikke STARTTLS, og rapporten sendes ikke "
                                    "ukrypteret. Intet er sendt.")
                server.starttls(context=context)
                server.ehlo()
            if smtp.user and secret:
                server.login(smtp.user, secret)
            for mail in mails:
                refused = server.send_message(mail)
                if refused:
                    raise MailError(_refused_text(where, refused))
                sent(mail)
    except MailError:
        raise
    except smtplib.SMTPAuthenticationError as error:
        raise MailError(f"{where} afviste login som {smtp.user} ({_reply(error)}). Tjek "
                        f"brugernavnet i filen og adgangskoden i {smtp.password_variable}.") \
            from error
    except smtplib.SMTPRecipientsRefused as error:
        raise MailError(_refused_text(where, error.recipients)) from error
    except smtplib.SMTPSenderRefused as error:
        raise MailError(f"{where} afviste afsenderen {smtp.sender} ({_reply(error)}).") \
            from error
    except ssl.SSLError as error:
        raise MailError(f"{where}: TLS mislykkedes ({error.reason or error}); er serverens "
                        "certifikat gyldigt, eller skal ca_fil pege på kommunens CA?") from error
    except smtplib.SMTPResponseException as error:
        raise MailError(f"{where} afviste ({_reply(error)}).") from error
    except (smtplib.SMTPException, OSError) as error:
        raise MailError(f"kan ikke forbinde til {where} ({error}). Tjek vaert og port i "
                        "filen, og at serveren kører.") from error


def _reply(error: smtplib.SMTPResponseException) -> str:
    text = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) \
        else str(error.smtp_error)
    return f"{error.smtp_code} {text}".strip()


def _refused_text(where: str, refused: dict[str, tuple[int, bytes]]) -> str:
    names = ", ".join(f"{address} ({code} {reply.decode('utf-8', 'replace')})"
                      for address, (code, reply) in refused.items())
    return f"{where} afviste modtageren {names}. Ret modtageren i filen."
