import streamlit as st

from sosu.app import ui
from sosu.app.app_pages import early_warning_view as view
from sosu.app.viewer import current_viewer

if ui.page_header("Tidlig opsporing", "Aktive elever med tegn på stigende eller højt "
                  "sygefravær, til de personlige vejlederes opfølgning. Kun for "
                  "uddannelsesteamet."):
    if not current_viewer().may_see_individuals:
        st.info("Kun uddannelsesteamet kan se listen, fordi den viser enkelte elever.")
        st.stop()
    filters = ui.page_filters(with_years=False)
    threshold = view.choose_threshold()
    listing = view.listing(filters, threshold)
    listed, as_of = view.headline(filters, threshold, len(listing))
    left, right = st.columns(2)
    left.metric("Elever på listen af de aktive", listed)
    right.metric("Sygefravær til og med", as_of)
    st.markdown(view.RULES)
    if listing.empty:
        st.success("Ingen aktive elever har tegn over grænsen med de valgte filtre.")
    else:
        ui.table(listing, view.DOWNLOAD, "early_warning", view.COLUMNS, view.SHOWN_ROWS)
    st.caption(view.schedule_note(filters.educations))
    st.subheader("Hvor godt ville listen have ramt?")
    test = view.backtest(filters, threshold)
    if test.empty:
        st.info("Der er endnu for lidt historik til at prøve listen af.")
    else:
        ui.dataframe(test, "table_backtest")
        st.caption(view.backtest_note(filters, threshold))
