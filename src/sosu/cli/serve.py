"""`sosu serve`: the dashboard from the installed package, with the settings it is run with.

Streamlit reads its options from `.streamlit/config.toml` in the working directory, which
an installed package does not have. `sosu serve` passes them as flags instead, so the
dashboard behaves the same wherever it is started from: no tracebacks for users, no
developer menu or "Deploy" button, no usage statistics sent. The repository's
`.streamlit/config.toml` (for `streamlit run` during development) holds the same options;
a test keeps the two equal.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sosu.access.groups import load_groups
from sosu.access.users import UsersError, load_users
from sosu.domain import settings

# The package's own entry file; found by path, so the command line never imports the app.
ENTRY = Path(__file__).resolve().parent.parent / "app" / "main.py"

# Every option of the repository's .streamlit/config.toml, as Streamlit flags.
STREAMLIT_OPTIONS = {
    "browser.gatherUsageStats": "false",
    "server.headless": "true",
    "theme.base": "light",
    # Contrast for WCAG 2.1 AA (docs/tilgaengelighed.md): near-black text, a dark blue accent.
    "theme.textColor": "#1a1a1a",
    "theme.primaryColor": "#1d5a9e",
    # Errors go to the server log only: a traceback shows server paths and data to users.
    "client.showErrorDetails": "none",
    # Users get the viewer's menu: no "Deploy", rerun or clear-cache.
    "client.toolbarMode": "viewer",
    # No full garbage collection after every script run: half of a page view's server CPU
    # with the national data (docs/performance.md).
    "runner.postScriptGC": "false",
    # No table toolbar "Download as CSV" or copy: it writes the cells as shown, outside
    # store.export (formula injection), the audit log and the session check.
    "client.disableDataExport": "true",
}
# A served install does not watch its own files for changes (development does).
SERVE_ONLY = {"server.fileWatcherType": "none"}

DEFAULT_PORT = 8501
DEFAULT_ADDRESS = "127.0.0.1"


def streamlit_command(port: int, address: str, secrets: list[str],
                      extra: list[str]) -> list[str]:
    """The command `sosu serve` runs: Streamlit on the package's entry file, its output
    masked (cli.masked_streamlit)."""
    flags: list[str] = []
    for name, value in {**STREAMLIT_OPTIONS, **SERVE_ONLY,
                        "server.port": str(port), "server.address": address}.items():
        flags += [f"--{name}", value]
    for path in secrets:
        flags += ["--secrets.files", str(Path(path).expanduser().resolve())]
    return [sys.executable, "-m", "sosu.cli.masked_streamlit", "run", str(ENTRY), *flags,
            *extra]


def check_configuration() -> list[str]:
    """Refuse to start on a bad setting (an environment variable cannot change while the
    server runs, so starting would only show every user the error): SettingsError, which
    the command line reports naming the variable. The users and groups files can be fixed
    while it runs (they are read on every click), so their problems are returned as
    warnings for the service log."""
    for name in settings.SETTINGS:
        settings.get(name)
    try:
        load_users(settings.get("users_file"))
        if settings.get("login") == "oidc":
            load_groups(settings.get("oidc_groups"))
    except UsersError as error:
        return [f"{error}. Dashboardet starter, men ingen kan logge ind, før det er rettet."]
    return []


def _serve(args: argparse.Namespace) -> int:
    if args.db:
        os.environ["SOSU_DB"] = str(Path(args.db).expanduser().resolve())
    for warning in check_configuration():
        print(f"Advarsel: {warning}", file=sys.stderr)
    extra = [a for a in args.streamlit_args if a != "--"]
    command = streamlit_command(args.port, args.address, args.secrets, extra)
    print(f"sosu-overblik på http://{args.address}:{args.port} "
          f"(database: {os.environ.get('SOSU_DB', 'data/sosu.duckdb')})", file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    # Streamlit takes this process's place: a service manager's signals reach it directly.
    os.execv(command[0], command)
    return 0  # not reached


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    serve = commands.add_parser(
        "serve", help="start dashboardet (Streamlit) fra den installerede pakke",
        description="Starter dashboardet med de indstillinger, README beskriver: ingen "
                    "fejldetaljer til brugerne, ingen udviklermenu. Flere Streamlit-flag "
                    "kan gives efter --, fx: sosu serve -- --server.baseUrlPath sosu")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT,
                       help=f"port (standard {DEFAULT_PORT})")
    serve.add_argument("--address", default=DEFAULT_ADDRESS,
                       help=f"adresse, der lyttes på (standard {DEFAULT_ADDRESS}; 0.0.0.0: "
                            "alle netkort, fx i en container bag en proxy)")
    serve.add_argument("--db", default=None,
                       help="databasen (standard: SOSU_DB, ellers data/sosu.duckdb)")
    serve.add_argument("--secrets", action="append", default=[], metavar="FIL",
                       help="Streamlits secrets.toml med [auth] til OIDC-login (standard: "
                            ".streamlit/secrets.toml i arbejdsmappen)")
    serve.add_argument("streamlit_args", nargs=argparse.REMAINDER,
                       help="flere Streamlit-flag efter --")
    serve.set_defaults(run=_serve)
