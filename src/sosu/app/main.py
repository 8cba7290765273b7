"""sosu-overblik: the entry file sets up the page, passes the login gate, builds the navigation."""

import streamlit as st

from sosu.app import data, ui
from sosu.app.login import require_viewer
from sosu.domain.version import VERSION

st.set_page_config(page_title="SOSU-overblik", page_icon="📊", layout="wide")
ui.document_setup()  # lang="da" (Streamlit's page says "en")
try:
    data.pin_version()  # every figure in this run comes from one database file
except data.DatabaseUnusable:
    st.error("Databasen kan ikke åbnes, så intet kan vises. Bed driften se serverens log: "
             "filen kan være beskadiget eller ikke en database fra sosu-overblik. En "
             "tidligere indlæsning kan tages tilbage med `sosu rollback`.")
    st.stop()
st.sidebar.caption(f"sosu-overblik {VERSION}")  # on the login page too: what IT runs

viewer = require_viewer()
if viewer is None:
    st.stop()
pages = [
    st.Page("app_pages/overblik.py", title="Overblik", icon="🎯", default=True),
    st.Page("app_pages/frafald.py", title="Frafald", icon="📉"),
    st.Page("app_pages/sygefravaer.py", title="Sygefravær", icon="🩺"),
    st.Page("app_pages/fastholdelse.py", title="Fastholdelse", icon="🤝"),
    st.Page("app_pages/rekruttering.py", title="Rekruttering", icon="🧑‍🎓"),
    st.Page("app_pages/mit_oplaeringssted.py", title="Mit oplæringssted", icon="🏠"),
    # The list names students: only the roles that may see individuals get the page.
    *([st.Page("app_pages/tidlig_opsporing.py", title="Tidlig opsporing", icon="🔔")]
      if viewer.may_see_individuals else []),
    st.Page("app_pages/data.py", title="Data", icon="🗂️"),
]
st.navigation(pages).run()
