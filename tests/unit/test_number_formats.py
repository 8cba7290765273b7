"""A spreadsheet number format that could show a CPR number no cell holds
(etl.number_formats), and the ordinary formats that never do."""

from __future__ import annotations

import pytest

from sosu.etl.number_formats import could_show_cpr

SHOWS_ONE = [
    "ddmmyy-hhmm",  # 1 January 1990 12:34 as 010190-1234
    "DDMMYY HHMM",
    "dd.mm.yy-hhmm",
    "dd-mm-yyyy-hhmm",  # a four-digit year where the serial's first digit allows it
    'ddmmyy"-1234"',  # digits of its own
    '"010"0',  # 1901234 shown as 0101901234
    '0\\1',
    "000000-0000,",  # 101901234000 scaled by 1000
    "0000000000",
]
ORDINARY = [
    "General", "@", "0", "0.00", "#,##0", "#,##0.00", '#,##0.00\\ "kr."', "0.0%", '"Uge "0',
    "_-* #,##0_-;-* #,##0_-", "[<=9999999]###-####;(###) ###-####", "00 00 00 00",
    "#,###,###,##0", "dd-mm-yyyy", "dd-mm-yyyy hh:mm", "yyyy-mm-dd hh:mm:ss", "d/m/yy h:mm",
    "dd/mm/yy hh:mm AM/PM", "ddmmyyyy", "yyyymmddhhmm", "h:mm:ss", "[h]:mm:ss", "mm:ss.0",
    "[$-406]d. mmmm yyyy", "dddd d. mmmm yyyy",
]


@pytest.mark.parametrize("code", SHOWS_ONE)
def test_a_format_that_draws_a_value_as_a_cpr_number(code: str) -> None:
    assert could_show_cpr(code)


@pytest.mark.parametrize("code", ORDINARY)
def test_ordinary_formats_show_none(code: str) -> None:
    assert not could_show_cpr(code)
