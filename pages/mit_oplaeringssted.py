import streamlit as st

from dashboard import charts, data, ui
from dashboard.site_view import comparison, sick_leave_comparison

if ui.page_header("Mit oplæringssted", "Et oplæringssteds elever, frafald, sygefravær og "
                  "ansættelser efter uddannelsen ved siden af kommunen som helhed."):
    filters = ui.page_filters(with_site=False)
    sites = data.sites()
    wanted = st.query_params.get("sted")
    site = st.selectbox("Oplæringssted", sites,
                        index=sites.index(wanted) if wanted in sites else 0, key="site_pick")
    st.query_params["sted"] = site
    table = comparison(site, filters)
    if not ui.nothing_selected(table, site):
        st.subheader(f"{site} og hele kommunen, pr. årgang")
        ui.table(table, "oplaeringssted", "site_table")
        sick = sick_leave_comparison(site, filters)
        if not sick.empty:
            ui.chart(charts.bars(sick, "aar", "andel", "hvem", f"Sygefravær: {site} og kommunen",
                                 "Andel", percent=True, hover="hover"),
                     sick, "sygefravaer_sted", "site_sick")
        phases = data.metric("dropout_phases", [site], filters.educations)
        if not phases.empty:
            st.subheader("Frafald efter fase")
            ui.table(phases, "frafald_fase_sted", "site_phases")
