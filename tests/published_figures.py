"""A municipality built from the strategy's published Frederikssund figures (seed 004).

- SSH 2022: 37 hired, 31 completed, 19 hired after; dropout 6 of 37 in all (the
  strategy's 16 %), 4 of 37 in the main course (10.8 %), 2 in the basic course.
- SSA 2020: 45 hired, 27 completed, 15 hired after; dropout 18 of 45 in all (40 %),
  14 of 45 in the main course, 4 in the basic course.
- Hired after graduation, the two together: 34 of 82 (41.46 %; the strategy says 41.4 %).
- Students' sick leave 2023: 884 of 10,000 planned hours (8.84 %), the only year given.
- Earlier, finished cohorts (SSH 2021, SSA 2019) and running ones (SSH 2024, SSA 2023,
  no student completed yet) for the projection and its back-test; no finished cohort is
  newer than the strategy's baseline cohorts, so nothing newer has been measured.

Every date is fixed, so the figures (and the hand checks in the tests) never move.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

DATA_PR = dt.date(2025, 6, 30)


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


def _cohort(education: str, year: int, hired: int, completed: int, gf: int, main: int,
            hired_after: int, months: int) -> list[dict[str, object]]:
    """`hired` students hired in `year`; the first `completed` complete `months` after
    hire, then `gf` drop out in the basic course (month 2 + i % 3), `main` in the main
    course (months 6, 7, ... one more for each), the rest are still active."""
    rows: list[dict[str, object]] = []
    for i in range(hired):
        hire = dt.date(year, 2 + i % 7, 1)
        row: dict[str, object] = {"elev_id": f"{education}{year}-{i:02d}",
                                  "uddannelse": education, "ansat_dato": hire,
                                  "site": ("Døgnplejen", "Omsorgscenter Syd")[i % 2]}
        if i < completed:
            row["afsluttet"] = _add_months(hire, months)
            row["ansat_efter"] = i < hired_after
        elif i < completed + gf:
            row["frafald"] = (_add_months(hire, 2 + (i - completed) % 3), "GF")
        elif i < completed + gf + main:
            k = i - completed - gf
            row["frafald"] = (_add_months(hire, 6 + k), "O1" if k < 6 else "O2")
        rows.append(row)
    return rows


def students() -> list[dict[str, object]]:
    return [
        *_cohort("SSH", 2021, 30, 24, 2, 4, 14, 19),
        *_cohort("SSH", 2022, 37, 31, 2, 4, 19, 19),
        *_cohort("SSH", 2024, 30, 0, 3, 2, 0, 19),
        *_cohort("SSA", 2019, 40, 26, 3, 11, 14, 38),
        *_cohort("SSA", 2020, 45, 27, 4, 14, 15, 38),
        *_cohort("SSA", 2023, 40, 0, 3, 6, 0, 38),
    ]


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def write(folder: Path) -> Path:
    """The five contract files in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    every = students()
    _write(folder / "elever.csv",
           ["elev_id", "uddannelse", "ansat_dato", "alder", "oplaeringssted", "rekruttering"],
           [[s["elev_id"], s["uddannelse"], s["ansat_dato"], 30, s["site"], "ekstern"]
            for s in every])
    _write(folder / "gennemfoerte.csv", ["elev_id", "uddannelse", "afsluttet_dato"],
           [[s["elev_id"], s["uddannelse"], s["afsluttet"]] for s in every if "afsluttet" in s])
    _write(folder / "frafald.csv",
           ["elev_id", "uddannelse", "frafald_dato", "aarsag", "fase", "oplaeringssted"],
           [[s["elev_id"], s["uddannelse"], s["frafald"][0], "andet",  # type: ignore[index]
             s["frafald"][1], ""] for s in every if "frafald" in s])  # type: ignore[index]
    _write(folder / "efter_uddannelse.csv",
           ["elev_id", "uddannelse", "ansat_i_kommunen", "arbejdssted", "dato"],
           [[s["elev_id"], s["uddannelse"], "ja" if s["ansat_efter"] else "nej",
             "Døgnplejen" if s["ansat_efter"] else "", ""] for s in every if "afsluttet" in s])
    # Sick leave 2023: ten SSH 2022 students, January to August, 125 planned hours a
    # month: 10,000 hours, 884 of them sick (8.84 %). The newest date is DATA_PR.
    sick: list[list[object]] = []
    for i in range(10):
        for month in range(1, 9):
            hours = 11 + (1 if i * 8 + month <= 4 else 0)
            sick.append([f"SSH2022-{i:02d}", "SSH", f"2023-{month:02d}", 125, hours, ""])
    sick.append([f"SSH2024-{29:02d}", "SSH", DATA_PR.strftime("%Y-%m"), 100, 0, ""])
    _write(folder / "sygefravaer.csv",
           ["elev_id", "uddannelse", "maaned", "planlagte_timer", "syge_timer",
            "oplaeringssted"], sick)
    return folder
