import streamlit as st

from sosu.app import charts, data, ui
from sosu.app.app_pages.frafald_view import (
    goals,
    has_switch_counts,
    phase_frame,
    reason_frame,
    survival_frame,
)
from sosu.app.app_pages.initiatives_view import mark_metrics

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
        mark_metrics(fig, ["frafald_hovedforloeb"], filters.educations)
        ui.chart(fig, cohorts, "frafald_pr_aargang", "dropout")
        ui.chart(charts.rate_by_cohort(cohorts, "gennemfoert", "ansatte",
                                       "Gennemførelse pr. årgang"),
                 cohorts, "gennemfoerelse_pr_aargang", "completion")
        reasons = reason_frame(filters)
        if not reasons.empty:
            ui.chart(charts.bars(reasons, "aar", "antal", "aarsag_tekst",
                                 "Frafaldsårsager pr. år (år for frafald)", "Elever",
                                 stacked=True, hover="hover"),
                     reasons, "frafaldsaarsager", "reasons")
        phases = phase_frame(filters)
        if not phases.empty:
            ui.chart(charts.bars(phases, "fase_tekst", "antal", "uddannelse",
                                 "Frafald efter fase: skoleperioder og oplæringsperioder",
                                 "Elever", hover="hover"),
                     phases, "frafald_fase", "phases")
        # On request, as Overblik's trend charts: a curve per cohort and education is the
        # heaviest chart to draw, and the charts above answer the page's first questions.
        if st.toggle("Vis andel stadig i forløb (Kaplan–Meier)", key="vis_overlevelse"):
            survival = survival_frame(filters)  # a refusal is shown as a warning instead
            if not survival.empty:
                ui.chart(charts.lines(survival, "maaneder", "andel_i_forloeb", "kurve",
                                      "Andel stadig i forløb efter måneder siden ansættelse "
                                      "(Kaplan–Meier; igangværende elever censureret)",
                                      "Andel i forløb", percent=True, hover="hover"),
                         survival, "overlevelse", "survival")
