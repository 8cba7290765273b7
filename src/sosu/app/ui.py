"""Building blocks every page uses: freshness note, empty states, tables with downloads."""

from __future__ import annotations

import html
import re
from functools import partial
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from sosu.app import charts, data, downloads
from sosu.app.viewer import current_viewer
from sosu.domain import fmt, labels, palette
from sosu.domain.roles import Viewer
from sosu.metrics.protect import flag_columns, is_protected, marks
from sosu.store import audit, export
from sosu.store.db import database_path
from sosu.store.schema import STALE

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$])")


# Streamlit writes <html lang="en"> and offers no setting: a screen reader would read the
# Danish pages with an English voice (WCAG 3.1.1). This sets the language on each run,
# and again whenever Streamlit's own code sets it back.
_DOCUMENT = """<script>
(() => {
  const root = window.document.documentElement;
  const danish = () => { if (root.lang !== "da") root.lang = "da"; };
  danish();
  if (!window.sosuLang) {
    window.sosuLang = new MutationObserver(danish);
    window.sosuLang.observe(root, {attributes: true, attributeFilter: ["lang"]});
  }
})();
</script>"""


def document_setup() -> None:
    """Once per run, from main.py: the page's language (see _DOCUMENT)."""
    st.html(_DOCUMENT, unsafe_allow_javascript=True)


def fulfilment_bar(share: float, status: str) -> None:
    """The share of the way to a target as a bar in the status's colour (not the theme's
    accent), with the figure and status in words beside it and for screen readers."""
    colour = palette.STATUS.get(status, palette.STATUS["usikker"])
    value = max(0.0, min(1.0, share))
    text = f"Målopfyldelse {fmt.pct(share, 0)}"
    st.html(
        f'<div style="font-size:0.875rem;margin-bottom:0.25rem">{html.escape(text)}</div>'
        f'<div role="progressbar" aria-label="Målopfyldelse, status {html.escape(status)}" '
        f'aria-valuemin="0" aria-valuemax="100" aria-valuenow="{round(100 * value)}" '
        f'aria-valuetext="{html.escape(fmt.pct(share, 0))}" '
        'style="height:0.5rem;border-radius:0.25rem;background:#e6e6e6;overflow:hidden">'
        f'<div style="height:100%;width:{100 * value:.1f}%;background:{colour}"></div></div>')


def plain(text: object) -> str:
    """Data (site names, file names) shown as text, never read as Markdown or HTML."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def page_header(title: str, intro: str) -> bool:
    """Title, role, demo/freshness note. False when there is nothing to show."""
    st.title(title)
    st.caption(intro)
    viewer = current_viewer()
    if viewer.demo:
        st.warning(f"**Demo** · syntetiske data, ingen rigtige personer · vist som "
                   f"{viewer.role_label}. Vælg en anden rolle i sidepanelet.", icon="🧪")
    if data.stale():
        st.error(STALE, icon="🔁")
        return False
    info = data.load_info()
    if not info:
        st.info("Der er endnu ingen data. Indlæs elevdata på siden **Data**, "
                "eller kør `make run`, som bygger demodata.")
        return False
    loaded = info.get("indlaest_tid")
    stamp = loaded.strftime("%d-%m-%Y %H:%M") if loaded else "ukendt"
    data_pr = info.get("data_pr")
    note = (f" · tal på {viewer.threshold} elever eller færre vises som 'skjult', og det "
            "samme gør tal, der er skjult for at beskytte dem"
            if not viewer.may_see_individuals else "")
    st.caption(f"Data pr. {data_pr.strftime('%d-%m-%Y') if data_pr else 'ukendt'} · "
               f"indlæst {stamp} · vist som {viewer.role_label}{note}")
    return True


def nothing_selected(frame: pd.DataFrame, what: str = "det valgte") -> bool:
    if frame.empty:
        st.info(f"Ingen data for {what}. Prøv at ændre filtrene i sidepanelet.")
        return True
    return False


def table_panel(key: str) -> str:
    """The session-state key of a chart's "Vis som tabel" panel (True when open)."""
    return f"tabel_{key}"


def chart(fig: go.Figure, frame: pd.DataFrame, name: str, key: str) -> None:
    """A chart with its table and CSV/Excel downloads one click away.

    The table is drawn only once its panel is opened: collapsed, the five tables of
    Frafald still took half a second of the page's drawing in the browser.
    """
    charts.danish_percent_ticks(fig)
    # An accessible name and description: the title and each series' latest value.
    st.plotly_chart(fig, width="stretch", key=f"chart_{key}", alt=charts.describe(fig))
    with st.expander("Vis som tabel", key=table_panel(key), on_change="rerun") as panel:
        if panel.open:
            table(frame, name, key)


def _as_text(column: str, value: float) -> str:
    if column.startswith("andel") or column.endswith(("_nedre", "_oevre")):
        return fmt.pct(value)
    return fmt.number(value, 0 if float(value).is_integer() else 1)


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as the viewer sees and downloads it: "skjult" in hidden cells.

    A column with a hidden cell becomes text throughout (Danish number format), since
    a table column cannot mix numbers and "skjult".
    """
    if not is_protected(frame):
        return frame
    result = frame.drop(columns=flag_columns(frame))
    for column in result.columns:
        shown_as = marks(frame, str(column))
        if shown_as.astype(bool).any():
            result[column] = [mark or _as_text(str(column), value)
                              for mark, value in zip(shown_as, result[column], strict=True)]
    return result


def _export(frame: pd.DataFrame, *, viewer: Viewer, name: str, kind: str) -> bytes:
    """Made when the button is clicked, and only if the session still holds (`guarded`):
    the log records the downloads that were delivered."""
    content = export.download(frame, kind)
    audit.record(audit.log_path(database_path()), "eksport", viewer.name,
                 rolle=viewer.role, tabel=name, format=kind)
    return content


def _lists(frame: pd.DataFrame) -> list[str]:
    return [str(c) for c in frame.columns
            if len(frame) and isinstance(frame[c].iloc[0], (list, tuple))]


def _for_download(frame: pd.DataFrame) -> pd.DataFrame:
    """Danish headers (domain/labels.py); numbers stay numbers. Columns of lists (small
    trend lines) do not fit in a CSV or Excel cell; hover texts only feed the charts."""
    frame = frame.drop(columns=[*_lists(frame), *(labels.INTERNAL & set(frame.columns))])
    return frame.rename(columns=lambda c: labels.header(str(c)))


def _decimals(values: pd.Series) -> int | None:
    """One decimal for a whole column of fractional numbers, none for whole numbers."""
    if not pd.api.types.is_float_dtype(values):
        return None
    shown = values.dropna()
    return 1 if len(shown) and not (shown == shown.round()).all() else 0


def dataframe(frame: pd.DataFrame, key: str | None = None,
              column_config: dict[str, Any] | None = None) -> None:
    """`st.dataframe` as users read it: Danish headers from domain/labels.py, cells in
    Danish formats (46,7 · 5.233 · 8,8 % · 01-02-2024) while sorting still goes by the
    numbers underneath (a pandas Styler gives display values), hover texts left out."""
    frame = frame.drop(columns=list(labels.INTERNAL & set(frame.columns)))
    config: dict[str, Any] = {str(c): labels.header(str(c)) for c in frame.columns}
    config.update(column_config or {})
    lists = set(_lists(frame))
    shown_as = frame.style.format({
        c: partial(labels.cell, str(c), decimals=_decimals(frame[c]))
        for c in frame.columns if str(c) not in lists})
    st.dataframe(shown_as, hide_index=True, width="stretch", key=key, column_config=config)


def table(frame: pd.DataFrame, name: str, key: str,
          column_config: dict[str, Any] | None = None, limit: int | None = None) -> None:
    """A table with CSV/Excel downloads. With `limit`, a longer table shows its first
    rows only (a list of 20,000 students took seconds to draw); the files hold all."""
    visible = shown(frame)
    if limit is not None and len(visible) > limit:
        st.caption(f"Viser de første {fmt.number(limit)} af {fmt.number(len(visible))} "
                   "rækker. Hent hele listen som CSV eller Excel herunder, eller vælg et "
                   "oplæringssted i filteret.")
    dataframe(visible if limit is None else visible.head(limit), f"table_{key}", column_config)
    visible = _for_download(visible)
    left, right = st.columns(2)
    # The files are made when clicked, not on every run: writing an Excel file for each
    # of Frafald's five charts took 0.3 s of every rerun.
    viewer = current_viewer()
    # Made when clicked, only if the session still holds (`guarded`), and through
    # store.export, which keeps text from becoming an Excel formula.
    downloads.button("Hent CSV", partial(_export, visible, viewer=viewer, name=name,
                                         kind="csv"),
                     f"{name}.csv", export.CSV_MIME, key=f"csv_{key}", where=left)
    downloads.button("Hent Excel", partial(_export, visible, viewer=viewer, name=name,
                                           kind="xlsx"),
                     f"{name}.xlsx", export.XLSX_MIME, key=f"xlsx_{key}", where=right)


def page_filters(with_site: bool = True, with_years: bool = True) -> Any:
    """The shared sidebar filters, bounded by the years present in the data."""
    from sosu.app.filters import shared_filters

    first, last = data.year_span() or (2019, 2019)
    return shared_filters(data.sites(), first, last, with_site=with_site,
                          with_years=with_years)
