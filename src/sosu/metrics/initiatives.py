"""The strategy's initiatives shaped for people: status with a sign (never colour
alone), one row per initiative with the targets it serves, grouped by focus area.
Shared by the dashboard and the PDF report, so both show the same table."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from sosu.domain import fmt

SIGNS = {
    "implementeret": "●",
    "delvist_implementeret": "◐",
    "paa_vej": "→",
    "afventer": "‖",
    "ikke_implementeret": "○",
}
COLUMNS = ["Indsats", "Start", "Status", "Mål"]


def status_text(code: str, label: str) -> str:
    return f"{SIGNS.get(code, '')} {label}".strip()


def legend(frame: pd.DataFrame) -> str:
    """The signs of the statuses present, in the strategy's order."""
    labels = dict(zip(frame.status, frame.status_tekst, strict=True))
    return " · ".join(status_text(code, labels[code]) for code in SIGNS if code in labels)


def started_for(frame: pd.DataFrame, target_ids: list[str],
                until: dt.date | None = None) -> pd.DataFrame:
    """Initiatives serving any of the targets that had started (by `until`), once each,
    in order of start, with their status as text: what a chart marks."""
    if frame.empty:
        return frame
    rows = frame[frame.maal_id.isin(target_ids) & frame.start_dato.notna()]
    if until is not None:
        rows = rows[pd.to_datetime(rows.start_dato) <= pd.Timestamp(until)]
    rows = rows.drop_duplicates("navn").sort_values(["start_dato", "navn"])
    return rows.assign(status_tekst=[status_text(c, t) for c, t in
                                     zip(rows.status, rows.status_tekst, strict=True)])


def status_tables(frame: pd.DataFrame, target_labels: dict[str, str]
                  ) -> list[tuple[str, str, pd.DataFrame]]:
    """(focus area code, its label, table) for each focus area with initiatives."""
    tables = []
    for code, rows in frame.groupby("fokusomraade", sort=False):
        served = rows.groupby("navn", sort=False).maal_id.agg(
            lambda ids: ", ".join(target_labels.get(i, i) for i in ids.dropna()) or "–")
        first = rows.drop_duplicates("navn").set_index("navn")
        tables.append((str(code), str(first.fokus_tekst.iloc[0]), pd.DataFrame({
            "Indsats": first.index,
            "Start": [fmt.month(d) if pd.notna(d) else "ikke startet"
                      for d in first.start_dato],
            "Status": [status_text(c, t) for c, t in
                       zip(first.status, first.status_tekst, strict=True)],
            "Mål": served.reindex(first.index).to_list(),
        })))
    return tables
