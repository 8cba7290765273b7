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


Risk = tuple[np.ndarray, np.ndarray, np.ndarray]  # months, at risk, leavers per cause


def _risk(months: np.ndarray, number: np.ndarray, kinds: np.ndarray,
          causes: tuple[str, ...]) -> Risk:
    every, place = np.unique(months, return_inverse=True)
    leaving = np.bincount(place, weights=number, minlength=len(every))
    at_risk = leaving[::-1].cumsum()[::-1]
    leavers = np.column_stack([
        np.bincount(place, weights=np.where(kinds == cause, number, 0.0),
                    minlength=len(every)) for cause in causes]) if len(every) else \
        np.zeros((0, len(causes)))
    return every, at_risk, leavers


def _frame_risk(counts: pd.DataFrame, causes: tuple[str, ...]) -> Risk:
    return _risk(counts.maaneder.to_numpy(dtype=np.int64), counts.antal.to_numpy(dtype=float),
                 counts.udfald.to_numpy(), causes)


def risk_table(counts: pd.DataFrame, causes: tuple[str, ...] = CAUSES) -> pd.DataFrame:
    """Per month since hire: still in training at its start (`i_risiko`) and how many
    left by each cause, from rows (maaneder, udfald, antal). A student censored in a
    month is at risk in that month (events come before censoring, as in Kaplan–Meier)."""
    months, at_risk, leavers = _frame_risk(counts, causes)
    return _table((months, at_risk, leavers), causes)


def _table(risk: Risk, causes: tuple[str, ...]) -> pd.DataFrame:
    months, at_risk, leavers = risk
    columns: dict[str, np.ndarray] = {"maaneder": months, "i_risiko": at_risk}
    for k, cause in enumerate(causes):
        columns[cause] = leavers[:, k]
    return pd.DataFrame(columns)


def _estimate(at_risk: np.ndarray, leavers: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Hazards, their sum, the share still in training after and before each month, and
    each cause's cumulative incidence (months × causes)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        h = np.where(at_risk[:, None] > 0, leavers / at_risk[:, None], 0.0)
    total = h.sum(axis=1)
    survival = np.cumprod(1 - total)
    before = np.concatenate([[1.0], survival[:-1]])
    return h, total, survival, before, np.cumsum(before[:, None] * h, axis=0)


def aalen_johansen(table: pd.DataFrame, causes: tuple[str, ...] = CAUSES) -> pd.DataFrame:
    """Each cause's cumulative incidence after every month of `table`, its delta-method
    variance and 95 % interval, and the share still in training (`i_forloeb`)."""
    n = table.i_risiko.to_numpy(dtype=float)
    d = table[list(causes)].to_numpy(dtype=float)
    h, total, survival, before, incidence = _estimate(n, d)
    columns: dict[str, object] = {"maaneder": table.maaneder.to_numpy(), "i_risiko": n,
                                  "i_forloeb": survival}
    first = float(n[0]) if len(n) else 0.0
    for k, cause in enumerate(causes):
        variance = _variances(n, h[:, k], total, before, incidence[:, k])
        bounds = [interval(f, v, first) for f, v in zip(incidence[:, k], variance,
                                                          strict=True)]
        columns.update({cause: d[:, k], f"andel_{cause}": incidence[:, k],
                        f"var_{cause}": variance,
                        f"{cause}_nedre": [b[0] for b in bounds],
                        f"{cause}_oevre": [b[1] for b in bounds]})
    return pd.DataFrame(columns)


def _variances(n: np.ndarray, hk: np.ndarray, total: np.ndarray, before: np.ndarray,
               incidence: np.ndarray) -> np.ndarray:
    """Var F_k(t) after every month t by the delta method (see the module's docstring):
    row t of a months × months matrix of the terms of months j ≤ t, summed."""
    size = len(n)
    if not size:
        return np.zeros(0)
    rest = incidence[:, None] - incidence[None, :]  # [t, j] = F_k(t) − F_k(t_j)
    with np.errstate(divide="ignore", invalid="ignore"):
        b = np.where(total[None, :] < 1, rest / (1 - total[None, :]), 0.0)
        a = before[None, :]
        terms = ((a - b) ** 2 * hk[None, :] + b ** 2 * (total - hk)[None, :]
                 - (a * hk[None, :] - b * total[None, :]) ** 2) / n[None, :]
    terms = np.where((n[None, :] > 0) & np.tri(size, dtype=bool), terms, 0.0)
    return np.maximum(terms.sum(axis=1), 0.0)


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


class _Counts:
    """The outcome counts as arrays, for many cohorts' estimates without pandas per step."""

    def __init__(self, counts: pd.DataFrame) -> None:
        self.education = counts.uddannelse.astype(str).to_numpy()
        self.year = counts.aargang.to_numpy(dtype=np.int64)
        self.months = counts.maaneder.to_numpy(dtype=np.int64)
        self.number = counts.antal.to_numpy(dtype=float)
        self.kinds = counts.udfald.astype(str).to_numpy()
        self.followed = counts.fulgt_alle.to_numpy(dtype=np.int64)
        keys = sorted(set(zip(self.education.tolist(), self.year.tolist(), strict=True)))
        self.cohorts: list[tuple[str, int]] = [(str(e), int(y)) for e, y in keys]

    def risk(self, rows: np.ndarray, causes: tuple[str, ...] = CAUSES) -> Risk:
        return _risk(self.months[rows], self.number[rows], self.kinds[rows], causes)

    def own(self, education: str, year: int) -> np.ndarray:
        return (self.education == education) & (self.year == year)

    def projected(self, education: str, year: int) -> Risk:
        """See projected_table."""
        own = self.own(education, year)
        earlier = (self.education == education) & (self.year < year)
        if not (self.kinds[own] == ACTIVE).any() or not earlier.any():
            return self.risk(own)  # finished (its outcomes are final), or nothing to borrow
        followed = int(self.followed[own].min())
        months, at_risk, leavers = self.risk(own)
        head = months < followed
        # At risk from `followed` on: exactly the students whose time is `followed` or more.
        tail = self.risk((own | earlier) & (self.months >= followed))
        return (np.concatenate([months[head], tail[0]]),
                np.concatenate([at_risk[head], tail[1]]),
                np.concatenate([leavers[head], tail[2]]))


def projected_table(counts: pd.DataFrame, education: str, year: int) -> pd.DataFrame:
    """The risk table a cohort's projection is estimated on: its own months while every
    student is followed, then its remaining students with the earlier cohorts of the
    same education (their months from the same point on)."""
    return _table(_Counts(counts).projected(education, year), CAUSES)


def projections(counts: pd.DataFrame) -> pd.DataFrame:
    """Per cohort: hired, whether it is finished, the months every student is followed,
    and the projected final share of each outcome with its 95 % interval; `i_forloeb` is
    the share the projection still leaves in training (0 when the earlier cohorts
    finished)."""
    arrays = _Counts(counts)
    rows = []
    for education, year in arrays.cohorts:
        own = arrays.own(education, year)
        _months, at_risk, leavers = arrays.projected(education, year)
        h, total, survival, before, incidence = _estimate(at_risk, leavers)
        row: dict[str, object] = {
            "uddannelse": education, "aargang": year,
            "ansatte": int(arrays.number[own].sum()),
            "afsluttet": not bool((arrays.kinds[own] == ACTIVE).any()),
            "fulgt_alle": int(arrays.followed[own].min()),
            "i_forloeb": float(survival[-1])}
        for k, cause in enumerate(CAUSES):
            share = float(incidence[-1, k])
            variance = float(_variances(at_risk, h[:, k], total, before,
                                        incidence[:, k])[-1])
            lower, upper = interval(share, variance, float(at_risk[0]))
            row.update({f"andel_{cause}": share, f"{cause}_nedre": lower,
                        f"{cause}_oevre": upper})
        rows.append(row)
    return pd.DataFrame(rows)


def curves(counts: pd.DataFrame) -> pd.DataFrame:
    """Each cohort's own cumulative incidence of dropout (both phases) and completion by
    month since hire, with 95 % intervals: the curves that replace Kaplan–Meier."""
    if counts.empty:
        return pd.DataFrame()
    merged = counts.assign(udfald=counts.udfald.replace({MAIN: "frafald", BASIC: "frafald"}))
    arrays = _Counts(merged)
    causes = ("frafald", DONE)
    frames = []
    for education, year in arrays.cohorts:
        estimate = aalen_johansen(_table(arrays.risk(arrays.own(education, year), causes),
                                         causes), causes)
        frames.append(estimate.assign(uddannelse=education, aargang=year))
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
    last_hire = now.groupby(["uddannelse", "aargang"]).sidste_ansat.min()
    latest = {(str(key[0]), int(key[1])): pd.Timestamp(day).date()  # type: ignore[index]
              for key, day in zip(last_hire.index.tolist(), last_hire.tolist(), strict=True)}
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
