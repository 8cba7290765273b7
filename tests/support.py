"""Constants and plain helpers shared by every test level.

Not a test module and not a conftest: test modules and conftests import from here (and
from bench/), never from a test module or a conftest. Fixtures live in the conftests.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

DATA = Path(__file__).parent / "data"
MINIMAL = DATA / "minimal"
# The optional sixth file: tests/data/minimal plus this is the initiatives fixture.
INITIATIVES = DATA / "initiatives" / "indsatser.csv"
# A foreign export of the same students (other headers, values, date format, an extra
# column, several rows per student, a resumed spell) and the import profile that reads it.
FOREIGN = DATA / "foreign"
FOREIGN_PROFILE = FOREIGN / "profil.toml"
GOLDEN = Path(__file__).parent / "golden"
ROOT = Path(__file__).resolve().parent.parent
# The day every test (and the golden files) takes as today: the demo and the date checks
# depend on it.
TODAY = dt.date(2026, 11, 22)


def require_chromium() -> None:
    """Skip a browser test without Chromium, except in CI (CI=true), where a missing
    browser fails the run instead of silently skipping."""
    import pytest

    from bench.browser import chromium_missing

    if chromium_missing():
        if os.environ.get("CI"):
            raise RuntimeError("Chromium is required in CI: apt-get install chromium")
        pytest.skip("Chromium not installed (apt-get install chromium)")
