import streamlit as st

from sosu.app import charts, data, ui
from sosu.app.app_pages.completeness_view import completeness_note
from sosu.app.app_pages.frafald_view import goals, has_switch_counts, phase_frame, reason_frame
from sosu.app.app_pages.initiatives_view import mark_metrics
from sosu.app.app_pages.projection_view import (
    backtest_section,
    incidence_section,
    projection_table,
    with_projections,
)

if ui.page_header("Frafald", "Frafald og gennemførelse pr. årgang, frafaldsårsager og hvornår "
                  "i forløbet eleverne falder fra."):
    filters = ui.page_filters()
    cohorts = data.dataset("cohorts", filters.request())
    if not ui.nothing_selected(cohorts):
        with_switch = not has_switch_counts(cohorts) or st.toggle(
            "Tæl skift fra SSA til SSH (omvalg) med som frafald", value=True,
            help="Ministeriets statistik tæller et skift som omvalg, ikke frafald.")
        stem = "frafald_hovedforloeb" if with_switch else "frafald_hovedforloeb_uden_omvalg"
        fig = charts.rate_by_cohort(cohorts, stem, "ansatte",
                                    "Frafald i hovedforløbet pr. årgang", goals(), stem=stem)
        projected = with_projections(fig, filters, with_switch)
        mark_metrics(fig, ["frafald_hovedforloeb"], filters.educations)
        ui.chart(fig, cohorts, "frafald_pr_aargang", "dropout")
        projection_table(projected)
        ui.chart(charts.rate_by_cohort(cohorts, "gennemfoert", "ansatte",
                                       "Gennemførelse pr. årgang"),
                 cohorts, "gennemfoerelse_pr_aargang", "completion")
        reasons = reason_frame(filters)
        if not reasons.empty:
            ui.chart(charts.bars(reasons, "aar", "antal", "aarsag_tekst",
                                 "Frafaldsårsager pr. år (år for frafald)", "Elever",
                                 stacked=True, hover="hover"),
                     reasons, "frafaldsaarsager", "reasons")
            completeness_note(filters, "aarsag")
        phases = phase_frame(filters)
        if not phases.empty:
            ui.chart(charts.bars(phases, "fase_tekst", "antal", "uddannelse",
                                 "Frafald efter fase: skoleperioder og oplæringsperioder",
                                 "Elever", hover="hover"),
                     phases, "frafald_fase", "phases")
            completeness_note(filters, "fase")
        incidence_section(filters)
        backtest_section(filters)
