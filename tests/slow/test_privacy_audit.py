"""The privacy auditor plays the attacker for every protected viewer of the demo
municipality (Kvalitetsforum and the leder of each site) and recomputes nothing: a
linear program per viewer over everything it can obtain, so slow; the auditor's own
rules are tested in tests/sql/test_linked_protection.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sosu.metrics import metrics, privacy_audit
from sosu.store.db import connect_read_only


@pytest.fixture(scope="module")
def demo_con(demo_db: Path):  # noqa: ANN201
    con = connect_read_only(demo_db)
    yield con
    con.close()


def _sites(con) -> list[str]:  # noqa: ANN001
    return metrics.sites(con)


def test_the_auditor_finds_nothing_to_recompute_or_narrow_for_any_protected_viewer(
        demo_con) -> None:  # noqa: ANN001
    """No hidden count can be recomputed, nor narrowed to an interval under 3 wide."""
    results = [privacy_audit.audit(demo_con, viewer)
               for viewer in privacy_audit.protected_viewers(demo_con, 3)]
    assert len(results) == 1 + len(_sites(demo_con))
    for result in results:
        assert result.requests > 100 and result.hidden_small > 0
        assert result.ranges_checked > 100
        assert result.findings == [], (result.summary(), result.findings[:5])
