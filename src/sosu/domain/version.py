"""The version of sosu-overblik, from one source: the installed package's metadata
(pyproject.toml's `version`). `sosu --version`, the dashboard's sidebar and the PDF
report show this."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

DISTRIBUTION = "sosu-overblik"


def _installed() -> str:
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "ukendt version"


VERSION = _installed()
