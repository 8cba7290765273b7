import streamlit as st

from sosu.app import charts, data, ui
from sosu.app.app_pages.completeness_view import completeness_note
from sosu.app.app_pages.frafald_view import goal_lines
from sosu.app.app_pages.initiatives_view import mark_metrics

if ui.page_header("Fastholdelse", "Andel ansat i kommunen efter endt uddannelse pr. årgang, "
                  "og hvor de nyuddannede blev ansat."):
    filters = ui.page_filters()
    cohorts = data.dataset("cohorts", filters.request())
    if not ui.nothing_selected(cohorts):
        of_completed = st.radio("Andel af", ["ansatte elever", "gennemførte elever"],
                                horizontal=True,
                                help="Strategiens 41,4 % er regnet af de ansatte elever.")
        stem = "ansat_efter" if of_completed == "ansatte elever" else "ansat_efter_af_gennemfoerte"
        total = "ansatte" if stem == "ansat_efter" else "gennemfoert"
        fig = charts.rate_by_cohort(cohorts, "ansat_efter", total,
                                    f"Ansat i kommunen efter uddannelsen, andel af {of_completed}",
                                    stem=stem)
        if stem == "ansat_efter":
            for value, label in goal_lines("ansat_efter"):
                charts.add_target(fig, value, label)
            mark_metrics(fig, ["ansat_efter"], filters.educations)
        ui.chart(fig, cohorts, "ansat_efter_pr_aargang", "retention")
        completeness_note(filters, "efter_uddannelse")
        places = data.dataset("workplaces", filters.request())
        if not places.empty:
            ui.chart(charts.bars(places, "arbejdssted", "antal", "uddannelse",
                                 "Hvor de nyuddannede blev ansat", "Elever"),
                     places, "ansat_efter_sted", "workplaces")
