import streamlit as st

from sosu.app import data, ui
from sosu.app.app_pages.completeness_view import completeness_section
from sosu.app.app_pages.history_view import history_section
from sosu.app.app_pages.upload_view import (
    audit_section,
    contract_section,
    upload_section,
)
from sosu.app.viewer import current_viewer

ui.page_header("Data", "Hvilke filer der er indlæst, datakontrakten med tomme skabeloner, og "
               "indlæsning af nye data.")
files = data.loaded_files()
if not files.empty:
    st.subheader("Indlæste filer")
    ui.table(files, "indlaeste_filer", "loaded")
if current_viewer().may_see_individuals:
    completeness_section()
contract_section()
if current_viewer().may_see_individuals:
    upload_section()
    history_section()
    audit_section()
else:
    st.info("Kun uddannelsesteamet kan indlæse data og se logbogen.")
