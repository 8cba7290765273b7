"""The quarterly report button on Overblik: the same PDF as `sosu report`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

import streamlit as st

from sosu.app import data, downloads
from sosu.app.filters import ALL_SITES
from sosu.app.login import DownloadRefused
from sosu.app.viewer import current_viewer
from sosu.domain.roles import AccessDenied, Viewer
from sosu.report import ReportError
from sosu.store import audit
from sosu.store.db import database_path


def quarters(first_year: int, last: dt.date) -> list[str]:
    """Every quarter from the first year of data to the one the data reach, newest first."""
    newest = (last.year, (last.month - 1) // 3 + 1)
    return [f"{year}Q{number}" for year in range(newest[0], first_year - 1, -1)
            for number in range(4, 0, -1) if (year, number) <= newest]


def report_section() -> None:
    info, span = data.load_info(), data.year_span()
    if not info or span is None:
        return
    viewer = current_viewer()
    with st.expander("Kvartalsrapport til Kvalitetsforum (PDF)"):
        left, right = st.columns(2)
        quarter = left.selectbox("Kvartal", quarters(span[0], info["data_pr"]),
                                 key="report_quarter")
        choice = right.selectbox("Oplæringssted", [ALL_SITES, *data.sites()], key="report_site")
        site = None if choice == ALL_SITES else choice
        if st.button("Lav rapport", key="report_make"):
            try:
                pdf = data.report(quarter, site)
            except (ReportError, AccessDenied) as refusal:
                st.warning(f"Ingen rapport: {refusal}")
                return
            st.session_state[_MADE] = MadeReport(viewer.name, viewer.scope, quarter, site, pdf)
        made = st.session_state.get(_MADE)
        if isinstance(made, MadeReport) and not made.for_viewer(viewer):
            # Made under another role or other sites (the users file changed meanwhile):
            # never handed over now.
            del st.session_state[_MADE]
            made = None
        if isinstance(made, MadeReport):
            downloads.button(f"Hent kvartalsrapport {made.quarter} (PDF)",
                             partial(_delivered, made, viewer),
                             f"kvartalsrapport-{made.quarter}.pdf", "application/pdf",
                             key="report_download")


_MADE = "report_pdf"


@dataclass(frozen=True)
class MadeReport:
    """A report kept in the session until it is downloaded, with whom it was made for."""

    name: str
    scope: Viewer
    quarter: str
    site: str | None
    pdf: bytes

    def for_viewer(self, viewer: Viewer) -> bool:
        return (self.name, self.scope) == (viewer.name, viewer.scope)


def _delivered(made: MadeReport, viewer: Viewer) -> bytes:
    """The PDF as it is handed over, logged then (as the tables' downloads are)."""
    if not made.for_viewer(viewer):
        raise DownloadRefused("rapporten blev lavet til en anden rolle eller andre steder")
    audit.record(audit.log_path(database_path()), "eksport", viewer.name, rolle=viewer.role,
                 tabel="kvartalsrapport", kvartal=made.quarter, sted=made.site,
                 via="dashboard")
    return made.pdf
