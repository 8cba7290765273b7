"""The viewer of the current session, as the login gate in app.py established it."""

from __future__ import annotations

import streamlit as st

from sosu.domain.roles import Viewer


def current_viewer() -> Viewer:
    """Pages run only after the gate; without a viewer nothing is drawn at all."""
    viewer = st.session_state.get("viewer")
    if not isinstance(viewer, Viewer):
        st.error("Du er ikke logget ind.")
        st.stop()
    return viewer
