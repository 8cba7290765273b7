"""The Data page's history: the kept loads, a rollback, and a rebuild after an upgrade.

For the education team only (the page draws it for them alone). The buttons act inside
the script run, after the login gate has decided afresh, and then rerun the page so it
shows the database now in use.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from sosu.app import data, ui
from sosu.app.viewer import current_viewer
from sosu.etl import history
from sosu.etl.load import reload_and_record, rollback_and_record
from sosu.etl.problems import ValidationFailed
from sosu.store.db import database_path

_DONE = "historik_besked"  # what the last button did, shown after its rerun


def _when(value: object) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value)).replace(microsecond=0)
    except ValueError:
        return None


def _day(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _table(kept: list[history.Entry]) -> pd.DataFrame:
    """Dates as dates and counts as numbers, so ui.dataframe shows them the Danish way."""
    return pd.DataFrame([{
        "ID": entry.id,
        "i brug": "✔ i brug" if entry.live else "",
        "indlæst": _when(entry.info.get("tid", "")),
        "af": entry.info.get("bruger", ""),
        "via": entry.info.get("via", ""),
        "data pr.": _day(entry.info.get("data_pr")),
        "rækker": sum(entry.rows.values()),
        "filer": ", ".join(entry.files) + (" (demodata)" if entry.info.get("demodata") else ""),
    } for entry in kept])


def _label(entry: history.Entry) -> str:
    when = str(entry.info.get("tid", "")).replace("T", " ")
    return f"{entry.id} · indlæst {when} · data pr. {entry.info.get('data_pr') or 'ukendt'}"


def history_section() -> None:
    db = database_path()
    st.subheader("Historik")
    done = st.session_state.pop(_DONE, None)
    if done:
        st.success(done)
    kept = history.entries(db)
    if not kept:
        st.caption("Ingen gemte indlæsninger endnu. Hver indlæsning gemmes med sine filer, "
                   "så den kan tages i brug igen eller genindlæses efter en opdatering.")
        return
    st.caption("De seneste indlæsninger med filerne, som de blev indlæst. En tidligere "
               "database kan tages i brug igen; alle brugere ser den ved deres næste klik.")
    ui.dataframe(_table(kept), key="historik_tabel")
    if data.stale():
        _reload_offer(kept[0])
    older = [entry for entry in kept if not entry.live]
    if not older:
        return
    chosen = st.selectbox("Tag en tidligere indlæsning i brug igen", older, format_func=_label,
                          key="historik_valg")
    if chosen is not None and st.button("Tag den i brug igen", key="historik_tilbage"):
        try:
            entry = rollback_and_record(db, chosen.id, who=current_viewer().name,
                                        via="dashboard")
        except (history.HistoryError, ValidationFailed) as error:
            st.error(f"Ikke muligt: {_reason(error)}. Databasen er uændret.")
            return
        st.session_state[_DONE] = f"Databasen fra {_label(entry)} er taget i brug igen."
        st.rerun()


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationFailed):
        return "; ".join(p.message for p in error.problems)
    return str(error)


def _reload_offer(newest: history.Entry) -> None:
    """After an upgrade: build the database again from the newest kept files."""
    st.warning("Databasen er indlæst med en anden version af sosu-overblik. Byg den igen fra "
               f"de gemte filer fra {_label(newest)}.", icon="🔁")
    if not st.button("Genindlæs de gemte filer", type="primary", key="historik_genindlaes"):
        return
    bar = st.progress(0.0, text="Indlæser …")

    def show(step: str, fraction: float) -> None:
        bar.progress(fraction, text=step)

    try:
        summary = reload_and_record(database_path(), newest, who=current_viewer().name,
                                    via="genindlaesning", progress=show)
    except ValidationFailed as error:
        st.error(f"Genindlæsningen blev afvist: {_reason(error)}. Databasen er uændret.")
        return
    st.session_state[_DONE] = f"Genindlæst fra {newest.id}. {summary.one_line()}"
    st.rerun()
