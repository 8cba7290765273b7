"""Every setting of the dashboard and its access rules in one declared table: name,
environment variable, default, meaning.

The README's configuration table is checked against this table by a test, so a
setting cannot exist without being documented.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    env: str
    default: str
    description: str
    parse: Callable[[str], Any] = str


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError("skal være mindst 1")
    return value


def _percent(text: str) -> float:
    """A percentage written the Danish or the English way ("10", "7,5", "7.5") as a share."""
    value = float(text.replace(",", ".").removesuffix("%").strip())
    if not 1 <= value <= 50:
        raise ValueError("skal være en procent mellem 1 og 50")
    return value / 100


def _yes_no(text: str) -> bool:
    if text.lower() not in ("ja", "nej"):
        raise ValueError("skal være 'ja' eller 'nej'")
    return text.lower() == "ja"


def _login_method(text: str) -> str:
    if text not in ("konti", "oidc"):
        raise ValueError("skal være 'konti' eller 'oidc'")
    return text


def _syslog(text: str) -> Path | None:
    if text.lower() == "nej":
        return None
    if text.lower() == "ja":
        return Path("/dev/log")
    if not text.startswith("/"):
        raise ValueError("skal være 'nej', 'ja' eller stien til en syslog-socket (fx /dev/log)")
    return Path(text)


OIDC_CLAIMS = ("email", "oid", "sub", "preferred_username")


def _oidc_claim(text: str) -> str:
    if text not in OIDC_CLAIMS:
        raise ValueError(f"skal være en af {', '.join(OIDC_CLAIMS)}")
    return text


SETTINGS: dict[str, Setting] = {
    "users_file": Setting(
        "SOSU_USERS", "~/.config/sosu-overblik/brugere.toml",
        "Brugerfilen: konti, roller, oplæringssteder og e-mails. Ligger uden for datamappen.",
        lambda text: Path(text).expanduser()),
    "login": Setting(
        "SOSU_LOGIN", "konti",
        "Login-metode: `konti` (brugernavn og adgangskode fra brugerfilen) eller `oidc` "
        "(kommunens login via Streamlits st.login; brugeren slås op i brugerfilen og evt. "
        "gruppefilen).",
        _login_method),
    "oidc_provider": Setting(
        "SOSU_OIDC_UDBYDER", "",
        "Navnet på udbyderen under [auth] i .streamlit/secrets.toml (tom: standardudbyderen)."),
    "oidc_claim": Setting(
        "SOSU_OIDC_CLAIM", "email",
        "Det felt (claim) fra kommunens login, der slås op i brugerfilen: `email` (kræver "
        "`email_verified`; slås op i `email`) eller et fast id, som Microsoft anbefaler for "
        "Entra ID: `oid`, `sub` eller `preferred_username` (slås op i `oidc_id`).",
        _oidc_claim),
    "oidc_groups": Setting(
        "SOSU_OIDC_GRUPPER", "",
        "Gruppefilen (TOML) til kommunens login: hver `[[gruppe]]` giver medlemmerne af en "
        "gruppe (id fra tokenets `groups`-felt) en rolle og, for ledere, oplæringssteder. "
        "Brugerfilen går forud: en bruger, der står i den, får sin rolle derfra. Ellers "
        "afgør den første gruppe i filen, brugeren er medlem af, rollen. Tom: ingen grupper.",
        lambda text: Path(text).expanduser() if text else None),
    "audit_file": Setting(
        "SOSU_LOG", "",
        "Logbogen (JSON-linjer). Tom: `<database>-log.jsonl` ved siden af databasen.",
        lambda text: Path(text).expanduser() if text else None),
    "log_syslog": Setting(
        "SOSU_LOG_SYSLOG", "nej",
        "`ja`: hver post i logbogen sendes også til systemloggen (syslog; journald på "
        "systemd-maskiner) via `/dev/log`, facility authpriv, som `sosu-overblik`. En sti: "
        "den syslog-socket, der bruges i stedet. `nej`: kun filen.", _syslog),
    "log_max_mb": Setting(
        "SOSU_LOG_MAX_MB", "10",
        "Når logbogen når så mange MB, gemmes den som `<logbog>.1` (ældre filer rykker et "
        "nummer op), og en ny begynder.", _positive_int),
    "log_keep": Setting(
        "SOSU_LOG_ANTAL", "5",
        "Så mange gamle logbogsfiler gemmes (`.1` er den nyeste); den ældste slettes.",
        _positive_int),
    "report_mail": Setting(
        "SOSU_RAPPORT_MAIL", "~/.config/sosu-overblik/rapport-mail.toml",
        "Filen (TOML), som `sosu report --mail` læser: SMTP-serveren og modtagerne med hver "
        "sin rolle (og lederens oplæringssteder). Adgangskoden står i den miljøvariabel, "
        "filen nævner (standard `SOSU_SMTP_ADGANGSKODE`), aldrig i filen.",
        lambda text: Path(text).expanduser()),
    "history_keep": Setting(
        "SOSU_HISTORIK", "5",
        "Så mange indlæsninger gemmes i historikken ved siden af databasen "
        "(`<database>-historik`, fx `data/sosu-historik`): filerne som indlæst, databasen og "
        "den, den erstattede. Den ældste slettes. Bruges af `sosu history`, `sosu rollback` "
        "og `sosu reload`.",
        _positive_int),
    "targets_file": Setting(
        "SOSU_MAAL", "",
        "Målfilen (TOML) med strategiens mål. Tom: de mål, der følger med programmet "
        "(`src/sosu/targets.toml`).",
        lambda text: Path(text).expanduser() if text else None),
    "threshold": Setting(
        "SOSU_DISKRETION", "3",
        "Diskretionsgrænsen: tal på så mange elever eller færre skjules for ledere og "
        "Kvalitetsforum.", _positive_int),
    "warning_threshold": Setting(
        "SOSU_VARSEL_GRAENSE", "10",
        "Tidlig opsporing: grænsen for sygefravær de seneste tre måneder, i procent. Over 10 % "
        "af oplæringstiden kan uddannelsesaftalen forlænges. Siden lader brugeren prøve andre "
        "grænser.", _percent),
    "prepare": Setting(
        "SOSU_FORBERED", "ja",
        "`ja`: når dashboardet åbner en ny database (første sidevisning efter en "
        "indlæsning), beregner det i baggrunden Kvalitetsforums beskyttede tal (alle sider, "
        "oplæringssteder, uddannelser og år, beskyttet under ét), så det første medlem, der "
        "åbner en side, ikke venter på beregningen. `nej`: de beregnes, når nogen første "
        "gang beder om dem.", _yes_no),
    "download_seconds": Setting(
        "SOSU_HENTNING_SEKUNDER", "60",
        "En hentet fil (CSV, Excel, PDF) ligger så mange sekunder på serveren efter klikket, "
        "så browseren kan hente den; derefter er adressen væk.", _positive_int),
    "idle_minutes": Setting(
        "SOSU_INAKTIV_MINUTTER", "30",
        "En session udløber efter så mange minutter uden aktivitet.", _positive_int),
    "max_failures": Setting(
        "SOSU_MAX_FEJL", "5",
        "Så mange fejlede logins i træk spærrer kontoen midlertidigt.", _positive_int),
    "lockout_minutes": Setting(
        "SOSU_SPAERRETID_MINUTTER", "15",
        "Så længe en konto er spærret efter for mange fejlede logins.", _positive_int),
}


class SettingsError(Exception):
    pass


def get(name: str) -> Any:
    """The setting's value from the environment, or its default; a bad value names the variable."""
    setting = SETTINGS[name]
    raw = os.environ.get(setting.env, "").strip() or setting.default
    try:
        return setting.parse(raw)
    except ValueError as error:
        raise SettingsError(f"{setting.env}={raw!r}: {error}") from error
