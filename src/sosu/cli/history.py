"""`sosu history`, `sosu rollback` and `sosu reload`: the kept loads beside the database."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from sosu.domain.cpr import mask_cpr
from sosu.etl import history
from sosu.etl.load import reload_and_record, rollback_and_record
from sosu.store.db import DEFAULT_DB


def _when(entry: history.Entry) -> str:
    return str(entry.info.get("tid", "")).replace("T", " ")


def _history(args: argparse.Namespace) -> int:
    db = Path(args.db)
    kept = history.entries(db)
    if not kept:
        print(f"Ingen gemte indlæsninger i {mask_cpr(str(history.folder(db)))}.")
        return 0
    print(f"{'ID':<18} {'i brug':<6} {'indlæst':<19} {'af':<12} {'via':<14} "
          f"{'data pr.':<10} {'rækker':>9}  filer")
    for entry in kept:
        info = entry.info
        rows = f"{sum(entry.rows.values()):,}".replace(",", ".")
        # "ja"/"nej" rather than a mark: the ID's last six digits (the time) beside the
        # date's would read as a CPR number spelled apart ("140646   2026").
        print(f"{entry.id:<18} {'ja' if entry.live else 'nej':<6} {_when(entry):<19} "
              f"{str(info.get('bruger', ''))[:12]:<12} {str(info.get('via', ''))[:14]:<14} "
              f"{str(info.get('data_pr') or 'ukendt'):<10} {rows:>9}  {', '.join(entry.files)}"
              + (" (demodata)" if info.get("demodata") else ""))
    return 0


def _rollback(args: argparse.Namespace) -> int:
    db = Path(args.db)
    try:
        entry = rollback_and_record(db, args.id, who=getpass.getuser(), via="kommandolinje")
    except history.HistoryError as error:
        print(f"Fejl: {error}. Databasen er ikke ændret.", file=sys.stderr)
        return 1
    print(f"Databasen fra {entry.id} (indlæst {_when(entry)}, data pr. "
          f"{entry.info.get('data_pr') or 'ukendt'}) er taget i brug igen → {db}. "
          "Dashboardet viser den ved næste klik.")
    return 0


def _reload(args: argparse.Namespace) -> int:
    db = Path(args.db)
    try:
        entry = history.find(db, args.id)
    except history.HistoryError as error:
        print(f"Fejl: {error}. Databasen er ikke ændret.", file=sys.stderr)
        return 1
    summary = reload_and_record(db, entry, who=getpass.getuser(), via="genindlaesning")
    print(f"Genindlæst fra {entry.id}: {summary.one_line()} → {db}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    listing = commands.add_parser(
        "history", help="vis de gemte indlæsninger (historikken ved siden af databasen)")
    listing.add_argument("--db", default=str(DEFAULT_DB))
    listing.set_defaults(run=_history)
    back = commands.add_parser(
        "rollback", help="tag databasen fra en tidligere indlæsning i brug igen",
        description="Skifter databasen ud med den, en tidligere indlæsning byggede "
                    "(atomisk; dashboardet viser den ved næste klik). Uden ID: indlæsningen "
                    "før den, der bruges nu.")
    back.add_argument("id", nargs="?", default=None, help="indlæsningens ID (sosu history)")
    back.add_argument("--db", default=str(DEFAULT_DB))
    back.set_defaults(run=_rollback)
    reload = commands.add_parser(
        "reload", help="byg databasen igen fra en gemt indlæsnings filer (efter en opgradering)",
        description="Indlæser de gemte filer fra en indlæsning igen med denne version af "
                    "sosu-overblik, fx når en opgradering har gjort databasen ulæselig. Uden "
                    "ID: den nyeste.")
    reload.add_argument("id", nargs="?", default=None, help="indlæsningens ID (sosu history)")
    reload.add_argument("--db", default=str(DEFAULT_DB))
    reload.set_defaults(run=_reload)
