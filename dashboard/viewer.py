"""Who is looking, and what they may see. Login and roles arrive with the access issue;
until then the role comes from configuration (SOSU_ROLLE, default the education team)."""

from __future__ import annotations

import os
from dataclasses import dataclass

ROLES = {
    "uddannelse": "Uddannelsesteamet",
    "leder": "Leder af oplæringssted",
    "kvalitetsforum": "Kvalitetsforum",
}


@dataclass(frozen=True)
class Viewer:
    role: str
    # The ministry's discretion rule: figures on 3 or fewer students are hidden.
    threshold: int

    @property
    def may_see_individuals(self) -> bool:
        return self.role == "uddannelse"


def current_viewer() -> Viewer:
    role = os.environ.get("SOSU_ROLLE", "uddannelse")
    if role not in ROLES:
        role = "kvalitetsforum"  # an unknown role gets the most restricted view
    try:
        threshold = int(os.environ.get("SOSU_DISKRETION", "3"))
    except ValueError:
        threshold = 3
    return Viewer(role, threshold)
