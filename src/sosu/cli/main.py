"""`sosu`: check, load, pseudonymize, write demo data and export metrics from the command line."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import sys
from collections.abc import Sequence
from email.message import EmailMessage
from pathlib import Path

import duckdb

from sosu.access.users import UsersError
from sosu.cli.history import register as register_history
from sosu.cli.serve import register as register_serve
from sosu.cli.users import register as register_user_commands
from sosu.domain.cpr import MaskedLines, contains_cpr, mask_cpr
from sosu.domain.oserror import reason
from sosu.domain.settings import SettingsError
from sosu.domain.version import VERSION
from sosu.etl.load import check_folder, load_and_record
from sosu.etl.problems import ValidationFailed
from sosu.etl.profile import Profile, load_profile
from sosu.store import audit
from sosu.store.db import DEFAULT_DB, holds_marked_demo
from sosu.store.private import write_private


def _progress_bar(step: str, fraction: float) -> None:
    if not sys.stderr.isatty():
        return
    filled = int(fraction * 30)
    sys.stderr.write(f"\r[{'#' * filled}{' ' * (30 - filled)}] {step:<40}")
    if fraction >= 1:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _refused(error: ValidationFailed) -> int:
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    for line in error.report():
        print(line, file=sys.stderr)
    print(f"Afvist: {error.total} fejl. Databasen er ikke ændret.", file=sys.stderr)
    return 1


def _profile(args: argparse.Namespace) -> Profile | None:
    """The import profile --profil names (validated: a broken one names its entry)."""
    return load_profile(Path(args.profil)) if args.profil else None


def _check(args: argparse.Namespace) -> int:
    counts = check_folder(Path(args.folder), profile=_profile(args))
    summary = ", ".join(f"{name} {n}" for name, n in counts.items())
    print(f"OK: ingen fejl ({summary})")
    return 0


def shown_path(path: object) -> str:
    """A path as the command line prints it: masked, like every file name it shows (the
    operator may have named the database after a person)."""
    return mask_cpr(str(path))


def _load(args: argparse.Namespace, over_real_data: bool = True) -> int:
    summary = load_and_record(Path(args.folder), Path(args.db), who=getpass.getuser(),
                              via="kommandolinje", progress=_progress_bar,
                              over_real_data=over_real_data,
                              profile=_profile(args) if over_real_data else None)
    print(f"{summary.one_line()} → {shown_path(args.db)}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from sosu.etl.demo import write_demo

    if args.db and not _demo_needed(Path(args.db)):
        return 0
    counts = write_demo(Path(args.folder))
    print("Demodata skrevet til " + args.folder + ": "
          + ", ".join(f"{name} {n}" for name, n in counts.items()))
    # Checked again under the load's lock: a real load may have finished meanwhile.
    return _load(args, over_real_data=False) if args.db else 0


def _template(args: argparse.Namespace) -> int:
    from sosu.etl.templates import TEMPLATE_NAME, template_workbook

    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / TEMPLATE_NAME
    if target.exists() and not args.force:
        print(f"{target} findes allerede; brug --force for at overskrive den.", file=sys.stderr)
        return 1
    target.write_bytes(template_workbook())
    print(f"Skabelon skrevet: {target} (et ark pr. fil og et ark med vejledning)")
    return 0


def _profile_draft(args: argparse.Namespace) -> int:
    from sosu.etl.suggest import draft_text

    folder, out = Path(args.folder), Path(args.out)
    shown_folder, shown_out = mask_cpr(str(folder)), mask_cpr(str(out))
    if not folder.is_dir():
        print(f"Fejl: mappen {shown_folder} findes ikke", file=sys.stderr)
        return 1
    if contains_cpr(out.name):
        print(f"Fejl: {shown_out}: navnet ligner et CPR-nummer; vælg et andet filnavn",
              file=sys.stderr)
        return 1
    if out.exists() and not args.force:
        print(f"{shown_out} findes allerede; brug --force for at overskrive den.",
              file=sys.stderr)
        return 1
    text, notes = draft_text(folder, out)
    for note in notes:
        print(mask_cpr(note), file=sys.stderr)
    if not text:
        print("Ingen af filerne ligner datakontraktens filer; intet udkast skrevet.",
              file=sys.stderr)
        return 1
    write_private(out, text.encode("utf-8"))
    unmapped = text.count('= ""')
    print(f"Udkast skrevet: {shown_out}" + (f" ({unmapped} værdier mangler en kode)"
                                             if unmapped else "")
          + f". Tjek det, og kør sosu check {shown_folder} --profil {shown_out}")
    return 0


def _demo_needed(db: Path) -> bool:
    """Whether `make run` must (re)load the demo: the file is missing, or holds demo data
    loaded by another version. Real data are never replaced by the demo."""
    from sosu.store.db import connect_read_only
    from sosu.store.schema import built_by_this_version

    if not db.exists():
        return True
    if not holds_marked_demo(db):
        print(f"{shown_path(db)} holder rigtige data; demodata indlæses ikke oven i dem.",
              file=sys.stderr)
        return False
    con = connect_read_only(db)
    try:
        current = built_by_this_version(con)
    finally:
        con.close()
    if current:
        print(f"{shown_path(db)}: demodata er allerede indlæst.", file=sys.stderr)
        return False
    print(f"{shown_path(db)}: demodata fra en anden version af sosu-overblik; indlæser dem "
          "igen.",
          file=sys.stderr)
    return True


def _pseudonymize(args: argparse.Namespace) -> int:
    from sosu.etl.pseudonymize import PseudonymizeError, pseudonymize_folder

    def notice(message: str) -> None:
        print(mask_cpr(message), file=sys.stderr)

    try:
        summary = pseudonymize_folder(Path(args.in_dir), Path(args.out_dir),
                                      Path(args.key_file), force=args.force, notify=notice)
    except PseudonymizeError as error:
        print(mask_cpr(f"Afvist: {error}"), file=sys.stderr)
        return 1
    except ValidationFailed as error:  # the input cannot be read; its own message differs
        for line in error.report():
            print(line, file=sys.stderr)
        print(f"Afvist: {error.total} fejl i inputtet. Ingen filer er skrevet.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Afbrudt. Ingen halve filer er skrevet.", file=sys.stderr)
        return 130
    print(mask_cpr(summary.one_line()))
    return 0


def _open_loaded(db: Path) -> duckdb.DuckDBPyConnection | None:
    """The database read-only, if this version of sosu-overblik loaded it; else None,
    after saying why (another version's macros would fail with a traceback)."""
    from sosu.store.db import connect_read_only
    from sosu.store.schema import built_by_this_version

    if not db.exists():
        print(f"{shown_path(db)}: databasen findes ikke; kør først 'sosu load MAPPE'",
              file=sys.stderr)
        return None
    con = connect_read_only(db)
    if not built_by_this_version(con):
        con.close()
        print(f"{shown_path(db)}: databasen er indlæst med en anden version af sosu-overblik; "
              f"indlæs data igen med 'sosu load MAPPE --db {shown_path(db)}'", file=sys.stderr)
        return None
    return con


def _kpi(args: argparse.Namespace) -> int:
    from sosu.metrics.kpi import kpi

    db = Path(args.db)
    con = _open_loaded(db)
    if con is None:
        return 1
    try:
        result = kpi(con, args.site)
    finally:
        con.close()
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2 if args.pretty else None,
              default=str)
    sys.stdout.write("\n")
    return 0


def _report(args: argparse.Namespace) -> int:
    from sosu.domain.roles import Viewer
    from sosu.domain.settings import get
    from sosu.report import ReportError, make_report

    if args.mail:
        return _report_mail(args)
    if args.out is None or args.quarter is None:
        print("Fejl: angiv --quarter og --out (eller --mail)", file=sys.stderr)
        return 2
    db = Path(args.db)
    out = Path(args.out)
    if not out.parent.is_dir():  # said before the report is made, which takes seconds
        print(f"Fejl: rapporten kan ikke skrives til {args.out}: mappen {out.parent} findes "
              "ikke", file=sys.stderr)
        return 1
    # A site report is the site manager's view of it; the education team's stays complete.
    role = "leder" if args.site and args.rolle == "kvalitetsforum" else args.rolle
    sites = (args.site,) if role == "leder" and args.site else ()
    viewer = Viewer(getpass.getuser(), role, sites, get("threshold"))
    con = _open_loaded(db)
    if con is None:
        return 1
    try:
        pdf = make_report(con, viewer, args.quarter, args.site)
    except ReportError as error:
        print(f"Ingen rapport: {error}", file=sys.stderr)
        return 1
    finally:
        con.close()
    try:
        write_private(out, pdf)
    except OSError as error:
        print(f"Fejl: rapporten kan ikke skrives til {args.out} ({reason(error)})",
              file=sys.stderr)
        return 1
    audit.record(audit.log_path(db), "eksport", viewer.name, rolle=role, tabel="kvartalsrapport",
                 kvartal=args.quarter, sted=args.site, via="kommandolinje")
    print(f"Rapport for {args.quarter} skrevet til {args.out} ({len(pdf) // 1024} kB)")
    return 0


def _report_mail(args: argparse.Namespace) -> int:
    """Every recipient's report made first, then all sent over one SMTP session: a report
    that cannot be made means no mail at all."""
    import datetime as dt

    from sosu.domain.roles import AccessDenied
    from sosu.domain.settings import get
    from sosu.domain.workdays import is_first_working_day_of_quarter
    from sosu.report import ReportError
    from sosu.report.mail import (
        MailError,
        letters,
        load_settings,
        message,
        password,
        previous_quarter,
        send,
    )

    if args.out or args.site or args.rolle != "kvalitetsforum":
        print("Fejl: med --mail styrer filen modtagere, roller og steder; udelad --out, --site "
              "og --rolle", file=sys.stderr)
        return 2
    today = dt.date.today()
    if args.foerste_arbejdsdag and not is_first_working_day_of_quarter(today):
        print(f"{today.isoformat()} er ikke kvartalets første arbejdsdag; intet sendt.")
        return 0
    quarter = args.quarter or str(previous_quarter(today))
    db = Path(args.db)
    try:
        settings = load_settings(get("report_mail"))
        if not settings.recipients:
            raise MailError(f"{get('report_mail')}: ingen [[modtager]]; intet at sende")
        password(settings.smtp)  # a missing password is found before the reports are made
    except (MailError, SettingsError) as error:
        print(f"Fejl: {error}", file=sys.stderr)
        return 1
    con = _open_loaded(db)
    if con is None:
        print("Intet er sendt.", file=sys.stderr)
        return 1
    try:
        made = letters(con, settings, quarter, get("threshold"))
    except (ReportError, AccessDenied) as error:
        print(f"Ingen rapport: {error}. Intet er sendt.", file=sys.stderr)
        return 1
    finally:
        con.close()
    log = audit.log_path(db)
    mails = [message(letter, settings.smtp.sender, quarter) for letter in made]
    by_id = {mail["Message-ID"]: letter for mail, letter in zip(mails, made, strict=True)}

    def sent(mail: EmailMessage) -> None:
        letter = by_id[mail["Message-ID"]]
        sites = [a.site for a in letter.attachments if a.site]
        audit.record(log, "eksport", getpass.getuser(), rolle=letter.recipient.role,
                     tabel="kvartalsrapport", kvartal=quarter, sted=", ".join(sites) or None,
                     via="e-mail", modtager=letter.recipient.email)
        print(f"Sendt til {letter.recipient.email} ({letter.recipient.role}"
              + (f": {', '.join(sites)}" if sites else "") + ")")

    try:
        send(settings, mails, sent)
    except MailError as error:
        print(f"Fejl: {error}", file=sys.stderr)
        return 1
    print(f"Kvartalsrapport {quarter} sendt til {len(mails)} modtagere.")
    return 0


def _audit_privacy(args: argparse.Namespace) -> int:
    """Every output each protected role can obtain, and what of the hidden can be worked out:
    exit 1 when anything can."""
    from sosu.domain.roles import Viewer
    from sosu.domain.settings import get
    from sosu.metrics.privacy_audit import audit, audit_loads, protected_viewers

    con = _open_loaded(Path(args.db))
    if con is None:
        return 1
    if args.forrige is not None:
        before = _open_loaded(Path(args.forrige))
        if before is None:
            con.close()
            return 1
        before.close()
    try:
        threshold = get("threshold")
        viewers = protected_viewers(con, threshold)
        if args.rolle == "kvalitetsforum":
            viewers = viewers[:1]
        elif args.rolle == "leder":
            viewers = viewers[1:]
        if args.sted:
            viewers = [Viewer(f"leder {args.sted}", "leder", (args.sted,), threshold)]
        found = undecided = 0
        for viewer in viewers:
            if args.forrige is not None:
                result = audit_loads(Path(args.forrige), Path(args.db), viewer,
                                     narrowing=not args.uden_intervaller)
            else:
                result = audit(con, viewer, sites_alone=args.steder_alene,
                               narrowing=not args.uden_intervaller,
                               interval_limit=args.gruppegraense)
            print(result.summary())
            for finding in result.findings[:args.vis]:
                print(f"  {finding.cell}: {finding.what}")
            found += len(result.findings)
            undecided += result.ranges_undecided
    finally:
        con.close()
    if undecided:
        print(f"{undecided} intervaller er ikke afgjort (grupper over --gruppegraense).")
    print("Intet skjult tal kan regnes ud." if not found
          else f"{found} skjulte tal kan regnes ud eller indsnævres.")
    return 1 if found else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sosu", description="Indlæs og kontrollér SOSU-elevdata (sosu-overblik).")
    parser.add_argument("--version", action="version", version=f"sosu-overblik {VERSION}")
    commands = parser.add_subparsers(dest="command", required=True)
    profile_help = ("importprofil (TOML), der siger, hvordan jeres egne filer læses som "
                    "datakontraktens (sosu profil forslag skriver et udkast)")
    check = commands.add_parser("check", help="kontrollér en datamappe uden at indlæse")
    check.add_argument("folder")
    check.add_argument("--profil", default=None, metavar="FIL", help=profile_help)
    check.set_defaults(run=_check)
    load = commands.add_parser("load", help="kontrollér og indlæs en datamappe")
    load.add_argument("folder")
    load.add_argument("--db", default=str(DEFAULT_DB))
    load.add_argument("--profil", default=None, metavar="FIL", help=profile_help)
    load.set_defaults(run=_load)
    profile = commands.add_parser("profil", help="importprofiler: læs andre systemers eksport")
    profile_commands = profile.add_subparsers(dest="profile_command", required=True)
    draft = profile_commands.add_parser(
        "forslag", help="skriv et udkast til en importprofil ud fra filerne i en mappe",
        description="Læser hver fil i MAPPE, finder den fil i datakontrakten, den ligner, og "
                    "foreslår for hver overskrift en kolonne (samme navn, kendt navn eller "
                    "lignende navn, med grunden) og for hver ukendt værdi en kode (med antal "
                    "og første linje). Udkastet skal tjekkes og udfyldes.")
    draft.add_argument("folder", metavar="MAPPE")
    draft.add_argument("--out", required=True, metavar="FIL", help="profilen, der skrives")
    draft.add_argument("--force", action="store_true", help="overskriv en tidligere fil")
    draft.set_defaults(run=_profile_draft)
    demo = commands.add_parser("demo", help="skriv demodata (syntetiske) som CSV-filer")
    demo.add_argument("folder")
    demo.add_argument("--db", default=None,
                      help="indlæs dem også i denne database, hvis den mangler eller har "
                           "demodata fra en anden version (rigtige data røres aldrig)")
    demo.set_defaults(run=_demo)
    template = commands.add_parser(
        "skabelon", help="skriv en Excel-skabelon til dataene (et ark pr. fil, rullelister)")
    template.add_argument("folder")
    template.add_argument("--force", action="store_true", help="overskriv en tidligere skabelon")
    template.set_defaults(run=_template)
    pseudo = commands.add_parser(
        "pseudonymize", help="erstat CPR-numre med faste pseudonymer (HMAC med hemmelig nøgle)",
        description="Skriv en kopi af datamappen, hvor hvert CPR-nummer er erstattet af et "
                    "pseudonym. Samme nøgle giver samme pseudonym i alle filer og kørsler.")
    pseudo.add_argument("in_dir", metavar="IN_DIR", help="mappe med eksporten (med CPR-numre)")
    pseudo.add_argument("out_dir", metavar="OUT_DIR", help="ny eller tom mappe til resultatet")
    pseudo.add_argument("--key-file", required=True, metavar="STI",
                        help="hemmelig nøgle uden for datamapperne; oprettes ved første brug")
    pseudo.add_argument("--force", action="store_true",
                        help="overskriv tidligere resultatfiler i OUT_DIR")
    pseudo.set_defaults(run=_pseudonymize)
    kpi = commands.add_parser("kpi", help="nøgletal som JSON")
    kpi.add_argument("--db", default=str(DEFAULT_DB))
    kpi.add_argument("--site", default=None, help="kun ét oplæringssted")
    kpi.add_argument("--json", action="store_true", help="JSON-output (standard)")
    kpi.add_argument("--pretty", action="store_true", help="indrykket JSON")
    kpi.set_defaults(run=_kpi)
    report = commands.add_parser("report", help="kvartalsrapport som PDF")
    report.add_argument("--quarter", default=None,
                        help="fx 2025Q3 (med --mail: standard er kvartalet før i dag)")
    report.add_argument("--site", default=None, help="et oplæringssted ved siden af kommunen")
    report.add_argument("--rolle", default="kvalitetsforum",
                        choices=["kvalitetsforum", "leder", "uddannelse"],
                        help="hvem rapporten er til; styrer diskretion (standard kvalitetsforum)")
    report.add_argument("--out", default=None, help="PDF-filen, der skrives")
    report.add_argument("--mail", action="store_true",
                        help="send rapporten til modtagerne i SOSU_RAPPORT_MAIL, hver med sin "
                             "rolles visning")
    report.add_argument("--foerste-arbejdsdag", action="store_true",
                        help="med --mail: send kun på kvartalets første arbejdsdag (til timeren)")
    report.add_argument("--db", default=str(DEFAULT_DB))
    report.set_defaults(run=_report)
    privacy = commands.add_parser(
        "audit-privacy", help="prøv at regne skjulte tal ud, som hver rolle kan se dem",
        description="Henter alt, hvad Kvalitetsforum og en leder af hvert oplæringssted kan "
                    "få (alle sider, filtre og downloads), og finder hvert skjult tal, der kan "
                    "regnes ud eller indsnævres fra de viste tal. Afslutter med status 1, hvis "
                    "noget kan.")
    privacy.add_argument("--db", default=str(DEFAULT_DB))
    privacy.add_argument("--rolle", default="alle", choices=["alle", "kvalitetsforum", "leder"])
    privacy.add_argument("--sted", default=None, help="kun lederen af dette oplæringssted")
    privacy.add_argument("--steder-alene", type=int, default=None, metavar="N",
                         help="spørg kun om de første N oplæringssteder hver for sig (alle "
                              "steder hentes stadig på én gang); til store databaser")
    privacy.add_argument("--uden-intervaller", action="store_true",
                         help="spring intervaltjekket (lineær programmering) over")
    privacy.add_argument("--gruppegraense", type=int, default=None, metavar="N",
                         help="afgør intervaller i grupper af flere end N ukendte celler i "
                              "dele i stedet for præcist (de uafgjorte tælles); til store "
                              "databaser, f.eks. 20000")
    privacy.add_argument("--forrige", default=None, metavar="DB",
                         help="en tidligere indlæsnings database (fx fra historikken): "
                              "prøv med alt, hvad hver rolle fik fra den og fra --db, "
                              "som en bruger, der gemte sidste måneds tal")
    privacy.add_argument("--vis", type=int, default=20, metavar="N",
                         help="vis højst N fund pr. rolle (standard 20)")
    privacy.set_defaults(run=_audit_privacy)
    register_user_commands(commands)
    register_history(commands)
    register_serve(commands)
    return parser


# Commands whose standard output is data, not messages: written as computed (a share such
# as 0.3101901234 has the digits of a CPR number; the history's listing puts a load's time
# beside its data's date, `12:12:34  2023-09-30`, which reads as one). What they print of
# names is masked where it is stored (file names) or where it is printed (paths).
_DATA_OUT = {"kpi", "history"}


def main(argv: Sequence[str] | None = None) -> int:
    streams = sys.stdout, sys.stderr
    sys.stderr = MaskedLines(sys.stderr)  # type: ignore[assignment]
    try:
        args = build_parser().parse_args(argv)
        if args.command not in _DATA_OUT:
            sys.stdout = MaskedLines(sys.stdout)  # type: ignore[assignment]
        return _run(args)
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(BrokenPipeError, ValueError):
                stream.flush()
        sys.stdout, sys.stderr = streams


def _run(args: argparse.Namespace) -> int:
    try:
        code = int(args.run(args))
        sys.stdout.flush()  # a reader gone early shows here, not as an error at exit
        return code
    except ValidationFailed as error:
        return _refused(error)
    except (UsersError, SettingsError, ValueError) as error:
        print(mask_cpr(f"Fejl: {error}"), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Afbrudt. Databasen er ikke ændret.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader stopped early (`sosu kpi | head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        return 0
    except Exception as error:  # never a traceback for users; the message is masked
        print(mask_cpr(f"Uventet fejl: {type(error).__name__}: {error}"), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
