"""Running cohorts projected: cumulative incidence with competing risks (Aalen–Johansen).

A cohort's students leave training by main-course dropout, basic-course dropout or
completion; those still active are censored at the data's date. Kaplan–Meier with
completion as censoring treats a graduate as if she might still drop out, and overstates
dropout once students start completing. The Aalen–Johansen estimator gives each outcome's
cumulative incidence instead:

    h_kj = d_kj / n_j            (outcome k's hazard in month j; n_j still in training)
    S_j  = S_(j-1) · (1 − Σ_k h_kj)
    F_k(t) = Σ_(j ≤ t) S_(j-1) · h_kj

Its variance is the delta method over the monthly hazards (independent multinomials):
with a_j = S_(j-1), b_j = (F_k(t) − F_k(t_j)) / (1 − H_j) and H_j = Σ_k h_kj,

    Var F_k(t) = Σ_j [(a_j − b_j)² h_kj + b_j² (H_j − h_kj) − (a_j h_kj − b_j H_j)²] / n_j

which is k/n·(1 − k/n)/n for a finished cohort. The 95 % interval is Wilson's on the
effective number of students F(1 − F)/Var, so a finished cohort gets exactly the Wilson
interval the cohort table shows.

A running cohort's final main-course dropout is projected with its own months while every
student is followed (`fulgt_alle`); after that its remaining students are pooled with the
earlier cohorts of the same education, as the data stood on the same date.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Callable

import numpy as np
import pandas as pd

MAIN = "frafald_hovedforloeb"
BASIC = "frafald_grundforloeb"
DONE = "gennemfoert"
ACTIVE = "aktiv"
CAUSES = (MAIN, BASIC, DONE)
Z = 1.96


def risk_table(counts: pd.DataFrame, causes: tuple[str, ...] = CAUSES) -> pd.DataFrame:
    """Per month since hire: still in training at its start (`i_risiko`) and how many
    left by each cause, from rows (maaneder, udfald, antal). A student censored in a
    month is at risk in that month (events come before censoring, as in Kaplan–Meier)."""
    if counts.empty:
        return pd.DataFrame(columns=["maaneder", "i_risiko", *causes])
    wide = counts.pivot_table(index="maaneder", columns="udfald", values="antal",
                              aggfunc="sum", fill_value=0)
    for column in (*causes, ACTIVE):
        if column not in wide:
            wide[column] = 0
    wide = wide.sort_index()
    leaving = wide[[*causes, ACTIVE]].sum(axis=1)
    table = pd.DataFrame({"maaneder": wide.index.astype(int),
                          "i_risiko": leaving[::-1].cumsum()[::-1].to_numpy()})
    for cause in causes:
        table[cause] = wide[cause].to_numpy()
    return table.reset_index(drop=True)


def aalen_johansen(table: pd.DataFrame, causes: tuple[str, ...] = CAUSES) -> pd.DataFrame:
    """Each cause's cumulative incidence after every month of `table`, its delta-method
    variance and 95 % interval, and the share still in training (`i_forloeb`)."""
    n = table.i_risiko.to_numpy(dtype=float)
    d = table[list(causes)].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = np.where(n[:, None] > 0, d / n[:, None], 0.0)
    total = h.sum(axis=1)
    survival = np.cumprod(1 - total)
    before = np.concatenate([[1.0], survival[:-1]])
    incidence = np.cumsum(before[:, None] * h, axis=0)
    result = table[["maaneder", "i_risiko"]].copy()
    result["i_forloeb"] = survival
    first = float(n[0]) if len(n) else 0.0
    for k, cause in enumerate(causes):
        variance = np.array([_variance(n, h, total, before, incidence[:, k], k, j)
                             for j in range(len(n))])
        result[cause] = d[:, k]
        result[f"andel_{cause}"] = incidence[:, k]
        result[f"var_{cause}"] = variance
        bounds = [interval(f, v, first) for f, v in zip(incidence[:, k], variance,
                                                          strict=True)]
        result[f"{cause}_nedre"] = [b[0] for b in bounds]
        result[f"{cause}_oevre"] = [b[1] for b in bounds]
    return result


def _variance(n: np.ndarray, h: np.ndarray, total: np.ndarray, before: np.ndarray,
              incidence: np.ndarray, k: int, last: int) -> float:
    """Var F_k(t_last) by the delta method (see the module's docstring)."""
    value = 0.0
    for j in range(last + 1):
        if n[j] <= 0:
            continue
        a = before[j]
        rest = incidence[last] - incidence[j]
        b = rest / (1 - total[j]) if total[j] < 1 else 0.0
        hk, big = h[j, k], total[j]
        value += ((a - b) ** 2 * hk + b ** 2 * (big - hk) - (a * hk - b * big) ** 2) / n[j]
    return max(value, 0.0)


def interval(share: float, variance: float, students: float) -> tuple[float, float]:
    """Wilson's 95 % interval on the effective number of students share(1 − share)/Var;
    `students` (the cohort) when that is undefined (a share of 0 or 1)."""
    size = share * (1 - share) / variance if 0 < share < 1 and variance > 0 else students
    if size <= 0:
        return (math.nan, math.nan)
    centre = share + Z ** 2 / (2 * size)
    spread = Z * math.sqrt(max(share * (1 - share), 0.0) / size + Z ** 2 / (4 * size ** 2))
    return (max((centre - spread) / (1 + Z ** 2 / size), 0.0),
            min((centre + spread) / (1 + Z ** 2 / size), 1.0))


def _cohort(counts: pd.DataFrame, education: str, year: int) -> pd.DataFrame:
    return counts[(counts.uddannelse == education) & (counts.aargang == year)]


def _groups(counts: pd.DataFrame) -> list[tuple[str, int, pd.DataFrame]]:
    """Each cohort's rows, in order of education and year."""
    keys = counts[["uddannelse", "aargang"]].drop_duplicates().sort_values(
        ["uddannelse", "aargang"])
    return [(str(u), int(a), _cohort(counts, str(u), int(a)))
            for u, a in zip(keys.uddannelse.tolist(), keys.aargang.tolist(), strict=True)]


def projected_table(counts: pd.DataFrame, education: str, year: int) -> pd.DataFrame:
    """The risk table a cohort's projection is estimated on: its own months while every
    student is followed, then its remaining students with the earlier cohorts of the
    same education (their months from the same point on)."""
    own = _cohort(counts, education, year)
    mine = risk_table(own)
    if own.empty or not (own.udfald == ACTIVE).any():
        return mine  # finished: its own outcomes are final
    followed = int(own.fulgt_alle.min())
    earlier = counts[(counts.uddannelse == education) & (counts.aargang < year)]
    if earlier.empty:
        return mine
    # At risk from `followed` on: exactly the students whose time is `followed` or more.
    tail = risk_table(pd.concat([own[own.maaneder >= followed],
                                 earlier[earlier.maaneder >= followed]]))
    head = mine[mine.maaneder < followed]
    return pd.concat([head, tail], ignore_index=True)


def projections(counts: pd.DataFrame) -> pd.DataFrame:
    """Per cohort: hired, whether it is finished, the months every student is followed,
    and the projected final share of each outcome with its 95 % interval; `i_forloeb` is
    the share the projection still leaves in training (0 when the earlier cohorts
    finished)."""
    rows = []
    for education, year, own in _groups(counts):
        table = projected_table(counts, education, year)
        estimate = aalen_johansen(table)
        last = estimate.iloc[-1]
        row: dict[str, object] = {
            "uddannelse": education, "aargang": year,
            "ansatte": int(own.antal.sum()),
            "afsluttet": not bool((own.udfald == ACTIVE).any()),
            "fulgt_alle": int(own.fulgt_alle.min()),
            "i_forloeb": float(last.i_forloeb)}
        for cause in CAUSES:
            row[f"andel_{cause}"] = float(last[f"andel_{cause}"])
            row[f"{cause}_nedre"] = float(last[f"{cause}_nedre"])
            row[f"{cause}_oevre"] = float(last[f"{cause}_oevre"])
        rows.append(row)
    return pd.DataFrame(rows)


def curves(counts: pd.DataFrame) -> pd.DataFrame:
    """Each cohort's own cumulative incidence of dropout (both phases) and completion by
    month since hire, with 95 % intervals: the curves that replace Kaplan–Meier."""
    frames = []
    for education, year, own in _groups(counts):
        merged = own.assign(udfald=own.udfald.replace({MAIN: "frafald", BASIC: "frafald"}))
        table = risk_table(merged, ("frafald", DONE))
        estimate = aalen_johansen(table, ("frafald", DONE))
        frames.append(estimate.assign(uddannelse=education, aargang=year))
    if not frames:
        return pd.DataFrame()
    columns = ["uddannelse", "aargang", "maaneder", "i_risiko", "frafald", DONE,
               "andel_frafald", "frafald_nedre", "frafald_oevre", f"andel_{DONE}",
               f"{DONE}_nedre", f"{DONE}_oevre", "i_forloeb"]
    return pd.concat(frames, ignore_index=True)[columns]


BACKTEST_MONTHS = (12, 24)


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def backtest(counts_on: Callable[[dt.date | None], pd.DataFrame],
             data_date: dt.date) -> pd.DataFrame:
    """For every finished cohort, the projection made on the data as they stood 12 and 24
    months after its last hire, against its final main-course dropout: projected, the
    95 % interval, actual, and whether the interval covered it. `counts_on(date)` gives
    the outcome counts as the data stood on a date (None: now); a date after `data_date`
    (the newest date in the data) is left out."""
    now = counts_on(None)
    final = projections(now)
    final = final[final.afsluttet]
    if final.empty:
        return pd.DataFrame(columns=BACKTEST_COLUMNS)
    latest = {(education, year): pd.Timestamp(own.sidste_ansat.min()).date()
              for education, year, own in _groups(now)}
    rows = []
    cache: dict[dt.date, pd.DataFrame] = {}
    for education, year, actual in zip(final.uddannelse.tolist(), final.aargang.tolist(),
                                       final[f"andel_{MAIN}"].tolist(), strict=True):
        hired = latest[(education, year)]
        for months in BACKTEST_MONTHS:
            day = add_months(hired, months)
            if day > data_date:
                continue
            if day not in cache:
                cache[day] = counts_on(day)
            then = cache[day]
            estimate = projections(then)
            mine = estimate[(estimate.uddannelse == education)
                            & (estimate.aargang == year)].iloc[0]
            lower, upper = float(mine[f"{MAIN}_nedre"]), float(mine[f"{MAIN}_oevre"])
            earlier = then[(then.uddannelse == education)
                           & (then.aargang < year)].aargang.nunique()
            rows.append({
                "uddannelse": education, "aargang": year,
                "maaneder_efter": months, "pr_dato": day,
                "tidligere_aargange": int(earlier),
                "fremskrevet": float(mine[f"andel_{MAIN}"]), "nedre": lower, "oevre": upper,
                "uafklaret": float(mine.i_forloeb), "faktisk": actual,
                "daekket": bool(lower - 1e-12 <= actual <= upper + 1e-12)})
    return pd.DataFrame(rows, columns=BACKTEST_COLUMNS)


BACKTEST_COLUMNS = ["uddannelse", "aargang", "maaneder_efter", "pr_dato",
                    "tidligere_aargange", "fremskrevet", "nedre", "oevre", "uafklaret",
                    "faktisk", "daekket"]
