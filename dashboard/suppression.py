"""Small-number suppression: counts of `threshold` or fewer students become "≤3"."""

from __future__ import annotations

import pandas as pd


def suppress(frame: pd.DataFrame, group_size: str, columns: list[str],
             threshold: int) -> pd.DataFrame:
    """Blank `columns` (and mark them) on rows whose `group_size` or own value is small.

    Both the group and the count inside it are checked: "2 of 40 dropped out" is as
    revealing as a group of 2.
    """
    result = frame.copy()
    small_group = result[group_size] <= threshold
    for column in columns:
        small = small_group | ((result[column] > 0) & (result[column] <= threshold))
        result[column] = result[column].astype("object").where(~small, f"≤{threshold}")
    return result


def hidden_rows(frame: pd.DataFrame, group_size: str, threshold: int) -> pd.Series:
    return frame[group_size] <= threshold
