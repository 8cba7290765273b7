"""Shared filters (education, years, site) kept in the URL so a view can be bookmarked.

A site in the URL that the viewer may not see is ignored here, and refused again by
the query layer if it got through some other way.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from sosu.metrics.datasets import EDUCATIONS, Request

ALL_SITES = "Hele kommunen"


@dataclass(frozen=True)
class Filters:
    educations: list[str]
    years: tuple[int, int]
    site: str | None

    def request(self, site: str | None = None, whole: bool = False) -> Request:
        """The query-layer request; `site` overrides the filter, `whole` asks for all sites."""
        chosen = None if whole else (site or self.site)
        return Request(chosen, tuple(self.educations), self.years)


def untouched(first_year: int, last_year: int) -> Filters:
    """The filters of a page opened with nothing chosen: both educations, every year, the
    whole municipality (what shared_filters gives without query parameters)."""
    return Filters(list(EDUCATIONS), (int(first_year), int(last_year)), None)


def _param_list(name: str, allowed: list[str]) -> list[str]:
    raw = st.query_params.get_all(name)
    chosen = [v for v in dict.fromkeys(raw) if v in allowed]  # a value twice is one choice
    return chosen or list(allowed)


def _param_int(name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(st.query_params.get(name, default))
    except (TypeError, ValueError):
        return default
    return min(max(value, low), high)


def site_from_url(options: list[str]) -> int:
    wanted = st.query_params.get("sted")
    return options.index(wanted) if wanted in options else 0


def shared_filters(visible_sites: list[str], first_year: int, last_year: int,
                   with_site: bool = True, with_years: bool = True) -> Filters:
    """Sidebar widgets seeded from, and written back to, the query string."""
    with st.sidebar:
        st.subheader("Filtre")
        educations = st.multiselect(
            "Uddannelse", list(EDUCATIONS), default=_param_list("uddannelse", list(EDUCATIONS)),
            key="filter_uddannelse")
        low = _param_int("fra", first_year, first_year, last_year)
        high = _param_int("til", last_year, low, last_year)
        years = (first_year, last_year)
        if with_years and first_year < last_year:
            years = st.slider("År", first_year, last_year, (low, high), key="filter_aar")
        site = None
        if with_site:
            options = [ALL_SITES, *visible_sites]
            choice = st.selectbox("Oplæringssted", options, index=site_from_url(options),
                                  key="filter_sted")
            site = None if choice == ALL_SITES else choice
    st.query_params["uddannelse"] = educations
    if with_years:  # a page without years leaves the other pages' choice in the URL
        st.query_params["fra"] = str(years[0])
        st.query_params["til"] = str(years[1])
    if with_site:
        if site:
            st.query_params["sted"] = site
        elif "sted" in st.query_params:
            del st.query_params["sted"]
    return Filters(list(educations), (int(years[0]), int(years[1])), site)
