"""How suppressed cells travel and are shown: the flag beside each protected column.

Which cells are hidden is decided for every output a viewer can obtain together
(metrics.release, metrics.linked). A protected frame keeps its columns: hidden cells are
NA, and every protected column `c` gets a boolean `c_skjult` beside it. Every hidden cell
is shown with the same mark, "skjult", whether it is small itself or hidden to protect
one: a mark that told the two apart ("≤3" beside "skjult") was a fact about the value
(1..3, or not), and with the sums between cells it gave hidden counts back exactly.
"""

from __future__ import annotations

import pandas as pd

SUFFIX = "_skjult"
REST = "\x00resten"  # the sites a viewer may not see, as one member nobody is shown

MARK = "skjult"


def marks(frame: pd.DataFrame, column: str) -> pd.Series:
    """What to print in each cell instead of the value: MARK where it is hidden, "" where
    the value is shown."""
    if column + SUFFIX not in frame:
        return pd.Series("", index=frame.index)
    return pd.Series([MARK if hidden else "" for hidden in frame[column + SUFFIX]],
                     index=frame.index)


def flag_columns(frame: pd.DataFrame) -> list[str]:
    return [str(c) for c in frame if str(c).endswith(SUFFIX)]


def is_protected(frame: pd.DataFrame) -> bool:
    return any(str(c).endswith(SUFFIX) for c in frame.columns)
