import streamlit as st

from dashboard import data, ui
from dashboard.scorecard_view import score_card
from queries.scorecard import score

if ui.page_header("Overblik", "Strategiens mål: seneste værdi mod målet, med udgangspunkt og "
                  "hvilken årgang eller periode tallet kommer fra."):
    targets, problem = data.targets()
    if problem:
        st.error(f"Målfilen data/targets.toml kan ikke bruges: {problem}")
    series = data.target_series()
    columns = st.columns(3)
    for index, target in enumerate(targets):
        with columns[index % 3]:
            score_card(score(series, target))
    st.caption("Status: nået · på vej (bedre end udgangspunktet) · ikke på vej · usikker "
               "(ændringen ligger inden for usikkerheden) · for få data (under 10 elever). "
               "Andele vises med 95 %-interval (Wilson); – betyder ingen data endnu.")
