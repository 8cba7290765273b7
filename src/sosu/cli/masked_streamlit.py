"""Streamlit as `sosu serve` runs it: its output, and the server log with it, masked.

The dashboard's server writes tracebacks of failed page runs, library warnings and
Streamlit's own log to standard error, and a service manager keeps them (the journal).
An exception's message may hold a cell's text (openpyxl refused "Døgnplejen\\x0b" with the
text in its message), so every line is masked (domain.cpr.MaskedLines) before it is
written. The streams are wrapped before Streamlit is imported: its log handlers write to
the streams they find then.
"""

from __future__ import annotations

import runpy
import sys

from sosu.domain.cpr import MaskedLines


def install() -> None:
    """Mask this process's standard output and error, line by line."""
    if not isinstance(sys.stderr, MaskedLines):
        sys.stdout = MaskedLines(sys.stdout)  # type: ignore[assignment]
        sys.stderr = MaskedLines(sys.stderr)  # type: ignore[assignment]


def main() -> None:
    install()
    sys.argv = ["streamlit", *sys.argv[1:]]
    runpy.run_module("streamlit", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
