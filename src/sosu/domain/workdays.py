"""Danish working days: weekdays that are no public holiday (helligdag).

Used by the report timer: it fires on weekdays in the first week of each quarter and
`sosu report --mail --foerste-arbejdsdag` sends only on the first working day, so New
Year's Day or an Easter holiday on the 1st of April moves the mail to the next working day.
"""

from __future__ import annotations

import datetime as dt


def easter(year: int) -> dt.date:
    """Easter Sunday (the Gregorian computus, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def holidays(year: int) -> set[dt.date]:
    """Denmark's public holidays; Store bededag was abolished from 2024."""
    sunday = easter(year)
    offsets = [-3, -2, 0, 1, 39, 49, 50]  # skærtorsdag … 2. pinsedag
    if year < 2024:
        offsets.append(26)  # store bededag
    days = {sunday + dt.timedelta(days=n) for n in offsets}
    return days | {dt.date(year, 1, 1), dt.date(year, 12, 25), dt.date(year, 12, 26)}


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in holidays(day.year)


def first_working_day(year: int, month: int) -> dt.date:
    day = dt.date(year, month, 1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def is_first_working_day_of_quarter(day: dt.date) -> bool:
    return day.month % 3 == 1 and day == first_working_day(day.year, day.month)
