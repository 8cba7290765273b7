"""Early warning (tidlig opsporing): the list of students to follow up and its back-test.

The rules live in sql/intermediate/tidlig_opsporing_regler/, the list and its back-test
in sql/metrics/tidlig_opsporing.sql and tidlig_opsporing_test.sql; here the threshold is
chosen and the figures are put into words and tables the personal supervisors can sort
and download.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import streamlit as st

from sosu.app import data
from sosu.app.filters import Filters
from sosu.domain import fmt, settings
from sosu.domain.contract import FASER, STANDARDFORLOEB, TIDLIGE_FASER
from sosu.domain.settings import SettingsError

SIGNS = {
    "hoejt": "Højt",
    "stigende": "Stigende",
    "tidligt_tegn": "Tidlig fase",
}
RULES = (
    "**Højt**: sygefraværet de seneste tre måneder er over grænsen.  \n"
    "**Stigende**: hver af de seneste tre måneder højere end den før, og den seneste over "
    "grænsen.  \n"
    "**Tidlig fase**: eleven er sandsynligvis i grundforløbet eller frem til og med anden "
    "oplæringsperiode, hvor flest falder fra, og de seneste tre måneder er over den halve "
    "grænse."
)
CHOICES = tuple(round(0.05 + 0.005 * step, 3) for step in range(51))  # 5 % to 30 %
DOWNLOAD = "tidlig_opsporing"
# More than a municipality's list ever holds; a region's or the country's is downloaded.
SHOWN_ROWS = 1000


def default_threshold() -> float:
    """SOSU_VARSEL_GRAENSE, or 10 % with a warning when it cannot be read."""
    try:
        value: float = settings.get("warning_threshold")
    except SettingsError as error:
        st.warning(f"Indstillingen kunne ikke læses ({error}); grænsen er sat til 10 %.")
        return 0.10
    return value


def choose_threshold() -> float:
    default = default_threshold()
    options = sorted({*CHOICES, round(default, 3)})
    return float(st.select_slider(
        "Grænse for sygefravær de seneste tre måneder", options, value=round(default, 3),
        format_func=fmt.pct, key="varsel_graense",
        help="Over 10 % sygefravær i oplæringstiden kan uddannelsesaftalen forlænges. Prøv "
             "andre grænser og se nederst, hvordan listen ville have ramt."))


def _signs(frame: pd.DataFrame) -> list[str]:
    """Each student's signs as words; column by column, as a national list is 20,000 rows."""
    flags = zip(*(frame[column].tolist() for column in SIGNS), strict=True)
    return [", ".join(label for label, on in zip(SIGNS.values(), row, strict=True) if on)
            for row in flags]


def _trend(months: pd.Series) -> list[list[float | None]]:
    """Each student's monthly shares in per cent, one decimal; None where no hours were
    planned (NaN). Rounded a row at a time (numpy's rounding, as the values are numpy's):
    element by element took half a second of every view of the national list."""
    return [[None if v != v else v
             for v in np.round(100 * np.asarray(values, dtype=np.float64), 1).tolist()]
            for values in months]


def _phase(code: str | None) -> str:
    return FASER.get(code, code) if code else "–"


def listing(filters: Filters, threshold: float) -> pd.DataFrame:
    """The list as the supervisors see it: Danish headers, shares in per cent."""
    frame = data.early_warning("list", filters.request(), threshold)
    if frame.empty:
        return frame
    return pd.DataFrame({
        "Pseudonym": frame.elev_id,
        "Tegn": _signs(frame),
        "Sygefravær seneste 3 mdr. (%)": (100 * frame.andel_3_mdr).round(1),
        "Sygefravær pr. måned, seneste 12 mdr. (%)": _trend(frame.udvikling),
        "Uddannelse": frame.uddannelse,
        "Oplæringssted": frame.oplaeringssted,
        "Mdr. siden ansættelse": frame.maaneder_siden_ansaettelse,
        "Sandsynlig fase": frame.anslaaet_fase.map(_phase),
    })


def headline(filters: Filters, threshold: float, listed: int) -> tuple[str, str]:
    """How many are listed of how many active, and as of which month."""
    active = data.early_warning("active", filters.request(), threshold)
    if active.empty or pd.isna(active.maaned.iloc[0]):
        return fmt.number(listed), "–"
    return (fmt.count_of(listed, int(active.aktive.iloc[0])),
            fmt.month(active.maaned.iloc[0]))


COLUMNS = {
    "Sygefravær pr. måned, seneste 12 mdr. (%)": st.column_config.LineChartColumn(
        "Udvikling, 12 mdr.", y_min=0, y_max=100,
        help="Sygefraværet måned for måned, i procent af de planlagte timer"),
}


def backtest(filters: Filters, threshold: float) -> pd.DataFrame:
    """One row per threshold: how the list would have done on the loaded history."""
    frame = data.early_warning("backtest", filters.request(), threshold)
    if frame.empty or not frame.frafaldne.sum():
        return pd.DataFrame()
    chosen = frame.graense.round(4) == round(threshold, 4)
    return pd.DataFrame({
        "Grænse": [fmt.pct(g) + (" (valgt)" if c else "") for g, c in
                   zip(frame.graense, chosen, strict=True)],
        "Frafaldne på listen 3 mdr. før": [
            f"{fmt.count_of(k, n)} ({fmt.pct(a, 0)})" for k, n, a in
            zip(frame.fanget, frame.frafaldne, frame.andel_fanget, strict=True)],
        "Usikkerhed": [fmt.interval(lo, hi) for lo, hi in
                       zip(frame.fanget_nedre, frame.fanget_oevre, strict=True)],
        "Typisk listelængde": [
            f"{fmt.number(n)} elever ({fmt.pct(a, 0)} af de aktive)" for n, a in
            zip(frame.typisk_liste, frame.typisk_andel_af_aktive, strict=True)],
        "Af de listede faldt fra inden 3 mdr.": [
            f"{fmt.pct(p)} (alle aktive: {fmt.pct(b)})" for p, b in
            zip(frame.andel_listede_faldt_fra, frame.andel_alle_faldt_fra, strict=True)],
    })


def backtest_note(filters: Filters, threshold: float) -> str:
    frame = data.early_warning("backtest", filters.request(), threshold)
    if frame.empty:
        return ""
    months = int(frame.testede_maaneder.max() or 0)
    return (f"Listen er prøvet af på {fmt.number(months)} måneder af de indlæste data: hver "
            "måned med mindst fem måneders data før sig. En frafalden elev tæller som ramt, "
            "hvis eleven stod på listen tre måneder før frafaldet. Skift mellem SSA og SSH "
            "(omvalg) tæller ikke som frafald. Typisk listelængde er medianen over "
            "månederne.")


def schedule_note(educations: Sequence[str]) -> str:
    """The standard schedule the phase estimate uses, in words."""
    parts = []
    for education in educations:
        phases = STANDARDFORLOEB.get(education, ())
        parts.append(f"{education}: " + ", ".join(
            f"{code} {fmt.number(months)} mdr." for code, months in phases))
    early = ", ".join(TIDLIGE_FASER)
    return ("Fasen er et skøn ud fra måneder siden ansættelse og uddannelsens "
            "standardforløb (" + "; ".join(parts) + f"). Tidlige faser: {early}. "
            "Skolerne lægger deres egne planer, så fasen er kun sandsynlig.")
