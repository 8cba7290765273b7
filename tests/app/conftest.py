"""Fixtures of the AppTest level."""

from __future__ import annotations

import functools
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session", autouse=True)
def components_scanned_once() -> Iterator[None]:
    """Streamlit scans every installed package's metadata for v2 components at the first
    run of each AppTest (streamlit.components.v2.manifest_scanner): about 0.35 s of CPU per
    AppTest, most of this level's time. The installed packages do not change during a test
    run, so the scan's result is the same each time: it is made once per process here and
    every AppTest registers the same components as before."""
    from streamlit.components.v2 import manifest_scanner

    scan = manifest_scanner.scan_component_manifests
    manifest_scanner.scan_component_manifests = functools.cache(scan)
    try:
        yield
    finally:
        manifest_scanner.scan_component_manifests = scan
