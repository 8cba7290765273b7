"""Roles and the viewer: who is looking, and what they may see.

The query layer takes a Viewer on every call, so what a role may see is decided
where the data are read, not by which widgets a page happens to show.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

ROLES: dict[str, str] = {
    "uddannelse": "Uddannelsesteamet",
    "leder": "Leder af oplæringssted",
    "kvalitetsforum": "Kvalitetsforum",
}


class AccessDenied(Exception):
    """A request for data the viewer's role does not cover (shown in Danish, never raw)."""


@dataclass(frozen=True)
class Viewer:
    name: str
    role: str
    # A leder's own training sites; empty for the other roles, which see all sites.
    sites: tuple[str, ...] = ()
    # The ministry's discretion rule: figures on this many students or fewer are hidden.
    threshold: int = 3
    demo: bool = False

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"ukendt rolle {self.role!r}")

    @property
    def role_label(self) -> str:
        return ROLES[self.role]

    @property
    def may_see_individuals(self) -> bool:
        """Student-level tables, uploads and the audit log are the education team's."""
        return self.role == "uddannelse"

    @property
    def sees_all_sites(self) -> bool:
        return self.role != "leder"

    def may_see_site(self, site: str) -> bool:
        return self.sees_all_sites or site in self.sites

    def visible_sites(self, all_sites: list[str]) -> list[str]:
        return [s for s in all_sites if self.may_see_site(s)]

    def require_site(self, site: str | None) -> None:
        """None is the municipality as a whole, which every role may see in aggregate."""
        if site is not None and not self.may_see_site(site):
            raise AccessDenied("Du har ikke adgang til det oplæringssted.")

    @property
    def scope(self) -> Viewer:
        """What decides the figures this viewer sees, without who they are: viewers with
        the same role, sites and threshold see the same figures, so they share cached
        results."""
        return replace(self, name="", demo=False)

    def require_individuals(self) -> None:
        if not self.may_see_individuals:
            raise AccessDenied("Kun uddannelsesteamet kan se data på elevniveau.")
