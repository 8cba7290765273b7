"""Building blocks every page uses: freshness note, empty states, tables with downloads."""

from __future__ import annotations

import io
from functools import partial
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import data, fmt
from dashboard.viewer import ROLES, current_viewer


def page_header(title: str, intro: str) -> bool:
    """Title, role, demo/freshness note. False when there is nothing to show."""
    st.title(title)
    st.caption(intro)
    info = data.load_info()
    if not info:
        st.info("Der er endnu ingen data. Indlæs elevdata på siden **Data**, "
                "eller kør `make run`, som bygger demodata.")
        return False
    loaded = info.get("indlaest_tid")
    stamp = loaded.strftime("%d-%m-%Y %H:%M") if loaded else "ukendt"
    data_pr = info.get("data_pr")
    st.caption(f"Data pr. {data_pr.strftime('%d-%m-%Y') if data_pr else 'ukendt'} · "
               f"indlæst {stamp} · vist som {ROLES[current_viewer().role]}")
    return True


def nothing_selected(frame: pd.DataFrame, what: str = "det valgte") -> bool:
    if frame.empty:
        st.info(f"Ingen data for {what}. Prøv at ændre filtrene i sidepanelet.")
        return True
    return False


def chart(fig: go.Figure, frame: pd.DataFrame, name: str, key: str) -> None:
    """A chart with its table and CSV/Excel downloads one click away."""
    st.plotly_chart(fig, width="stretch", key=f"chart_{key}")
    with st.expander("Vis som tabel"):
        table(frame, name, key)


def table(frame: pd.DataFrame, name: str, key: str) -> None:
    st.dataframe(frame, hide_index=True, width="stretch", key=f"table_{key}")
    left, right = st.columns(2)
    # The files are made when clicked, not on every run: writing an Excel file for each
    # of Frafald's five charts took 0.3 s of every rerun.
    left.download_button("Hent CSV", partial(_csv, frame), f"{name}.csv", "text/csv",
                         key=f"csv_{key}")
    right.download_button("Hent Excel", partial(_excel, frame), f"{name}.xlsx",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          key=f"xlsx_{key}")


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, sep=";", decimal=",").encode("utf-8-sig")


def _excel(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    return buffer.getvalue()


def metric_card(label: str, value: str, help_text: str = "", delta: Any = None) -> None:
    st.metric(label, value, delta=delta, help=help_text or None, delta_color="off")


def rate_text(k: float, n: float) -> str:
    return f"{fmt.pct(k / n if n else None)} ({fmt.count_of(k, n)})"


def page_filters(with_site: bool = True) -> Any:
    """The shared sidebar filters, bounded by the years present in the data."""
    from dashboard.filters import shared_filters

    hires = data.metric("hires")
    first, last = (int(hires.aar.min()), int(hires.aar.max())) if len(hires) else (2019, 2019)
    return shared_filters(data.sites(), first, last, with_site=with_site)
