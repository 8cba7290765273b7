"""How complete each figure's basis is: a table per year on the Data page and a line beside
the figures it concerns. The education team only (metrics.datasets.completeness); for
anyone else both are left out and the figures are shown as before."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sosu.app import data, ui
from sosu.app.filters import Filters
from sosu.domain import fmt
from sosu.domain.labels import COMPLETENESS
from sosu.metrics.datasets import EDUCATIONS, Request

# The Data page shows the whole municipality, both educations, every year.
EVERYTHING = Request(None, EDUCATIONS, (0, 9999))

_NHS_NOTE = ("Et frafald med årsagen Andet siger ikke, hvorfor eleven stoppede; på landsplan "
             "kendes årsagen ikke for omkring 40 % af dem, der forlader en SOSU-uddannelse.")


def completeness_frame(request: Request = EVERYTHING) -> pd.DataFrame:
    """The measures per year and education with Danish names, the Data page's table."""
    frame = data.completeness(request)
    if frame.empty:
        return frame
    names = {key: f"{name} (pr. {year})" for key, (name, year, _what) in COMPLETENESS.items()}
    frame = frame.assign(maal_tekst=frame.maal.map(names))
    return frame[["maal_tekst", "aar", "uddannelse", "grundlag", "mangler", "andel_kendt"]]


def completeness_section() -> None:
    """The Data page's table: for each figure, year and education, how much is known."""
    frame = completeness_frame()
    if frame.empty:
        return
    st.subheader("Hvor fuldstændige er data?")
    st.caption("For hvert tal: grundlaget, hvor meget af det der mangler, og andelen, der er "
               "kendt. " + " · ".join(f"{name}: {what}"
                                      for name, _year, what in COMPLETENESS.values())
               + ". " + _NHS_NOTE)
    ui.table(frame, "fuldstaendighed", "completeness")


def completeness_note(filters: Filters, *measures: str) -> None:
    """One line beside a figure: how complete its basis is over the chosen years, and the
    year where it is least complete."""
    frame = data.completeness(filters.request())
    if frame.empty:
        return
    for measure in measures:
        rows = frame[frame.maal == measure]
        basis, missing = int(rows.grundlag.sum()), int(rows.mangler.sum())
        if not basis:
            continue
        name, year, what = COMPLETENESS[measure]
        text = (f"Datagrundlag, {name.lower()}: {fmt.pct(1 - missing / basis, 0)} kendt "
                f"({fmt.number(missing)} af {fmt.number(basis)} {what.split(' uden ')[0]} "
                f"mangler).")
        by_year = rows.groupby("aar")[["grundlag", "mangler"]].sum()
        known = {int(y): 1 - float(m) / float(b) for y, b, m in
                 zip(by_year.index, by_year.grundlag, by_year.mangler, strict=True) if m > 0}
        if known:
            worst = min(known, key=lambda y: known[y])
            text += f" Mindst kendt: {year} {worst} med {fmt.pct(known[worst], 0)}."
        st.caption(text)
