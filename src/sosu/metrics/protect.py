"""How suppressed cells travel and are shown: the flags beside each protected column.

Which cells are hidden is decided for every output a viewer can obtain together
(metrics.release, metrics.linked). A protected frame keeps its columns: hidden cells are
NA, and every protected column `c` gets a boolean `c_skjult` beside it, and `c_lille`
telling whether the cell (or a count it is built on) is itself small. The UI prints
"≤3" for those and "skjult" for the complementary ones, which are hidden although they
are larger.
"""

from __future__ import annotations

import pandas as pd

SUFFIX = "_skjult"
SMALL = "_lille"
REST = "\x00resten"  # the sites a viewer may not see, as one member nobody is shown

COMPLEMENTARY_MARK = "skjult"


def marks(frame: pd.DataFrame, column: str, threshold: int) -> pd.Series:
    """What to print in each cell instead of the value: "≤3" where the figure is about
    that few students, "skjult" where it is not (0 or more) but hidden so a small one
    cannot be recomputed, "" where the value is shown."""
    if column + SUFFIX not in frame:
        return pd.Series("", index=frame.index)
    small = frame.get(column + SMALL, frame[column + SUFFIX])
    return pd.Series([(f"≤{threshold}" if s else COMPLEMENTARY_MARK) if h else ""
                      for h, s in zip(frame[column + SUFFIX], small, strict=True)],
                     index=frame.index)


def flag_columns(frame: pd.DataFrame) -> list[str]:
    return [str(c) for c in frame if str(c).endswith((SUFFIX, SMALL))]


def is_protected(frame: pd.DataFrame) -> bool:
    return any(str(c).endswith(SUFFIX) for c in frame.columns)
