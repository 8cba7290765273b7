import streamlit as st

from sosu.app import charts, data, ui
from sosu.app.app_pages.frafald_view import phase_frame
from sosu.app.app_pages.site_view import comparison, sick_leave_comparison, students
from sosu.app.filters import site_from_url

if ui.page_header("Mit oplæringssted", "Et oplæringssteds elever, frafald, sygefravær og "
                  "ansættelser efter uddannelsen ved siden af kommunen som helhed."):
    filters = ui.page_filters(with_site=False)
    sites = data.sites()
    site = st.selectbox("Oplæringssted", sites, index=site_from_url(sites), key="site_pick")
    if site:
        st.query_params["sted"] = site
    if not site:
        st.info("Der er ingen oplæringssteder at vise for dig.")
    table = comparison(site, filters) if site else None
    if table is not None and not ui.nothing_selected(table, ui.plain(site)):
        st.subheader(ui.plain(f"{site} og hele kommunen, pr. årgang"))
        ui.table(table, "oplaeringssted", "site_table")
        sick = sick_leave_comparison(site, filters)
        if not sick.empty:
            ui.chart(charts.bars(sick, "aar", "andel", "hvem", "Sygefravær: stedet og kommunen",
                                 "Andel", percent=True, hover="hover"),
                     sick, "sygefravaer_sted", "site_sick")
        phases = phase_frame(filters, site)
        if not phases.empty:
            st.subheader("Frafald efter fase")
            ui.table(phases, "frafald_fase_sted", "site_phases")
        roster = students(site, filters)
        if roster is not None:
            st.subheader("Elever (kun uddannelsesteamet)")
            ui.table(roster, "elever_oplaeringssted", "site_students")
