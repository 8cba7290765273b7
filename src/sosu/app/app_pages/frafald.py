import pandas as pd
import streamlit as st

from sosu.app import charts, data, ui
from sosu.app.app_pages.frafald_view import (
    add_projections,
    backtest_frame,
    goals,
    has_switch_counts,
    incidence_frame,
    phase_frame,
    projection_frame,
    reason_frame,
)
from sosu.app.app_pages.initiatives_view import mark_metrics
from sosu.app.viewer import current_viewer

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
        # The projection counts switches as dropout, as the target does.
        projected = projection_frame(filters) if with_switch else None
        if projected is not None and len(projected):
            add_projections(fig, projected)
        mark_metrics(fig, ["frafald_hovedforloeb"], filters.educations)
        ui.chart(fig, cohorts, "frafald_pr_aargang", "dropout")
        if projected is not None and len(projected):
            st.caption("◇ Fremskrevet: en igangværende årgangs forventede frafald i "
                       "hovedforløbet, når alle er færdige, med 95 %-interval "
                       "(Aalen–Johansen: frafald og gennemførelse konkurrerer, aktive elever "
                       "censureres; årgangens egne måneder, derefter de tidligere årganges).")
            ui.table(projected.drop(columns=["afsluttet"]).rename(
                columns={"i_forloeb": "andel_uafklaret"}), "frafald_fremskrevet",
                "projections")
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
        if st.toggle("Vis andel stadig i forløb, frafaldet og gennemført over tid "
                     "(kumuleret incidens)", key="vis_overlevelse"):
            curves = incidence_frame(filters)
            if not curves.empty:
                ui.chart(charts.lines(curves, "maaneder", "andel", "kurve",
                                      "Andel frafaldet og gennemført efter måneder siden "
                                      "ansættelse (kumuleret incidens, Aalen–Johansen)",
                                      "Andel af årgangen", percent=True, hover="hover"),
                         curves, "kumuleret_incidens", "survival")
                st.caption("Frafald og gennemførelse er konkurrerende udfald: en elev, der "
                           "har gennemført, kan ikke længere falde fra. Igangværende elever "
                           "censureres. (Kaplan–Meier-kurven, som behandlede gennemførte som "
                           "censurerede og derfor overvurderede frafaldet, er erstattet.)")
        # The back-test rests on the data as they stood on past dates: the team's only.
        backtest = backtest_frame(filters) if current_viewer().may_see_individuals and \
            st.toggle("Vis fremskrivningen prøvet på afsluttede årgange",
                      key="vis_afproevning") else pd.DataFrame()
        if not backtest.empty:
            st.caption("For hver afsluttet årgang: fremskrivningen med data, som de så ud 12 "
                       "og 24 måneder efter årgangens sidste ansættelse, mod årgangens "
                       "faktiske frafald i hovedforløbet. 'Uafklaret' er den andel, "
                       "fremskrivningen stadig havde i forløb (uden tidligere årgange at "
                       "låne af bliver den en nedre grænse).")
            ui.table(backtest, "fremskrivning_afproevet", "backtest")
