"""Danish number formatting: 8,8 %, 1.234, "6 af 37". Pure: the PDF report uses it too."""

from __future__ import annotations

import datetime as dt
import math


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | None, decimals: int = 0) -> str:
    if _missing(value):
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "§").replace(".", ",").replace("§", ".")


def pct(value: float | None, decimals: int = 1) -> str:
    if value is None or _missing(value):
        return "–"
    return f"{number(100 * value, decimals)} %"


def pp(value: float | None, decimals: int = 1) -> str:
    """Percentage points with sign: +3,0 pp."""
    if value is None or _missing(value):
        return "–"
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{number(abs(100 * value), decimals)} pp"


def count(value: float | None) -> str:
    """A student count; NaN is a suppressed count (counts are never NaN otherwise).

    Every hidden cell reads "skjult" (metrics.protect.MARK), small or not.
    """
    if value is None:
        return "–"
    return "skjult" if _missing(value) else number(value)


def count_of(k: float | None, n: float | None) -> str:
    if k is None or n is None:
        return "–"
    return f"{count(k)} af {count(n)}"


def interval(lower: float | None, upper: float | None) -> str:
    if _missing(lower) or _missing(upper):
        return ""
    return f"95 %-interval {pct(lower, 0)}–{pct(upper, 0)}"


def date(value: dt.date) -> str:
    return value.strftime("%d-%m-%Y")


MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
          "september", "oktober", "november", "december")


def month(value: dt.date) -> str:
    """A month in words: november 2026."""
    return f"{MONTHS[value.month - 1]} {value.year}"
