"""The quarterly report button on Overblik: the same PDF as `sosu report`."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from sosu.app import data
from sosu.app.filters import ALL_SITES
from sosu.app.login import guarded
from sosu.app.viewer import current_viewer
from sosu.domain.roles import AccessDenied
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
            audit.record(audit.log_path(database_path()), "eksport", viewer.name,
                         rolle=viewer.role, tabel="kvartalsrapport", kvartal=quarter, sted=site,
                         via="dashboard")
            st.session_state["report_pdf"] = (quarter, pdf)
        made = st.session_state.get("report_pdf")
        if made:
            pdf_bytes: bytes = made[1]
            st.download_button(f"Hent kvartalsrapport {made[0]} (PDF)",
                               guarded(lambda: pdf_bytes),
                               f"kvartalsrapport-{made[0]}.pdf", "application/pdf",
                               key="report_download", on_click="ignore")
