import streamlit as st

from sosu.app import charts, ui
from sosu.app.app_pages.completeness_view import completeness_note
from sosu.app.app_pages.frafald_view import goal_lines
from sosu.app.app_pages.initiatives_view import mark_metrics
from sosu.app.app_pages.sygefravaer_view import monthly, yearly

if ui.page_header("Sygefravær", "Elevernes sygefravær: sygetimer i procent af planlagte timer, "
                  "pr. måned og pr. kalenderår, mod målet om 1 procentpoint lavere."):
    filters = ui.page_filters()
    years = yearly(filters)
    if not ui.nothing_selected(years):
        fig = charts.bars(years, "aar", "andel", "uddannelse", "Sygefravær pr. år", "Andel",
                          percent=True, hover="hover")
        for value, label in goal_lines("sygefravaer", decimals=2):
            charts.add_target(fig, value, label)
        mark_metrics(fig, ["sygefravaer"], filters.educations)
        ui.chart(fig, years, "sygefravaer_pr_aar", "sick_year")
        completeness_note(filters, "sygefravaer")
        months = monthly(filters)
        fig = charts.rolling_months(months, "Sygefravær pr. måned, 3 måneder glidende",
                                    "Andel")
        for value, label in goal_lines("sygefravaer", decimals=2):
            charts.add_target(fig, value, label)
        mark_metrics(fig, ["sygefravaer"], filters.educations, dates=True)
        ui.chart(fig, months, "sygefravaer_pr_maaned", "sick_month")
        st.caption("Over 10 % sygefravær i oplæringstiden kan uddannelsesaftalen forlænges.")
