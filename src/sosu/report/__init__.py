"""The quarterly PDF report: `sosu report` and the Overblik page's button make the same one."""

from __future__ import annotations

import duckdb

from sosu.domain.roles import Viewer
from sosu.domain.targets import load_targets
from sosu.report.content import Quarter, ReportError, gather

__all__ = ["Quarter", "ReportError", "make_report"]


def make_report(con: duckdb.DuckDBPyConnection, viewer: Viewer, quarter: str,
                site: str | None = None) -> bytes:
    try:  # WeasyPrint and matplotlib load only when a report is made
        from sosu.report.pdf import build
    except (ImportError, OSError) as error:  # WeasyPrint loads Pango as it is imported
        raise ReportError(
            "rapporten kan ikke laves på denne maskine: WeasyPrint eller systemets Pango "
            "mangler (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0 "
            "libharfbuzz-subset0). Kontakt den, der driver dashboardet") from error

    content = gather(con, viewer, Quarter.parse(quarter), load_targets(), site)
    try:
        return build(content)
    except Exception as error:  # matplotlib and WeasyPrint raise many kinds
        # The error's text may quote data (a name): only its kind is named.
        raise ReportError(
            "rapporten kunne ikke tegnes; en tekst i data (fx et navn på en indsats eller et "
            f"oplæringssted) kan ikke vises ({type(error).__name__}). Ret teksten og prøv "
            "igen, eller kontakt den, der driver dashboardet") from error
