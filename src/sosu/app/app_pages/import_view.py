"""The Data page's import step: the uploaded files read as the contract's, by the
contract's own names, by a saved import profile, or by a new one made here.

For a new profile the education team sees each file's headers and the distinct values
of its coded columns, chooses the contract column and code from drop-downs (the
suggestions of etl.suggest preselected, each with its reason), sees 20 rows of each file
as they will be loaded, saves the profile, checks and loads. A saved profile is offered
again at the next upload of files it names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from sosu.app import ui
from sosu.domain.contract import FILES, FILES_BY_NAME, FileSpec
from sosu.etl.problems import Problem
from sosu.etl.profile import (
    DATE_FORMAT_EXAMPLES,
    REDUCTIONS,
    RESUME_MONTHS,
    FileProfile,
    Profile,
    ProfileError,
    parse_profile,
    profile_file_name,
    profile_folder,
    reductions_for,
    render_profile,
    saved_profiles,
)
from sosu.etl.profiled import preview
from sosu.etl.read import find_sources
from sosu.etl.suggest import (
    IGNORE,
    REDUCTION_SUGGESTED,
    FileSurvey,
    ValueCount,
    match_headers,
    survey,
    values_of,
)
from sosu.store.db import database_path
from sosu.store.private import write_private

CONTRACT = "kontrakt"
NEW = "ny"
PREVIEW_ROWS = 20


def choose_reading(folder: Path) -> tuple[str, Profile | None]:
    """How the uploaded files are read: (CONTRACT, None), (NEW, None) or a saved profile.

    A saved profile whose files are all among the uploads is preselected; otherwise the
    contract's own names if they fit, else a new profile."""
    profiles, broken = saved_profiles(profile_folder(database_path()))
    for message in broken:
        st.warning(f"En gemt importprofil kan ikke bruges: {message}")
    uploaded = {p.name for p in folder.iterdir()}
    by_key = {str(p.path): p for p in profiles}
    options = [CONTRACT, *by_key, NEW]
    offered = next((key for key, p in by_key.items() if p.claims() <= uploaded), None)
    canonical = not find_sources(folder)[1]
    default = offered or (CONTRACT if canonical else NEW)
    labels = {CONTRACT: "Filerne følger datakontrakten (samme filnavne og overskrifter)",
              NEW: "Ny importprofil: vælg selv, hvad jeres kolonner og værdier betyder",
              **{key: f"Gemt importprofil: {p.name}" for key, p in by_key.items()}}
    choice = st.radio("Hvordan skal filerne læses?", options, index=options.index(default),
                      format_func=labels.__getitem__, key="import_reading")
    return (choice, by_key.get(choice)) if choice in by_key else (choice, None)


# --- the mapping step ------------------------------------------------------------------

def _fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _surveys(folder: Path) -> list[FileSurvey]:
    """The draft's reading of the uploads, once per set of files (not on every click)."""
    key = f"import_survey_{_fingerprint(folder)}"
    if key not in st.session_state:
        st.session_state[key] = survey(folder)
    return list(st.session_state[key])


def _key(item: FileSurvey, *parts: str) -> str:
    digest = hashlib.sha256("\0".join((item.display, *parts)).encode()).hexdigest()[:16]
    return f"import_{digest}"


def _spec_choice(item: FileSurvey) -> FileSpec | None:
    options = ["", *(spec.name for spec in FILES)]
    chosen = st.selectbox(
        "Hvilken af datakontraktens filer er det?", options,
        index=options.index(item.spec_name or ""), key=_key(item, "fil"),
        format_func=lambda n: f"{n} – {FILES_BY_NAME[n].title}" if n else "(bruges ikke)",
        help=item.reason or None)
    return FILES_BY_NAME[chosen] if chosen else None


def _columns(item: FileSurvey, spec: FileSpec) -> dict[str, str]:
    """Their header → contract column (IGNORE for none), from one drop-down each."""
    suggested = (item.matches if item.spec_name == spec.name
                 else match_headers(item.headers, spec))
    options = [IGNORE, *spec.column_names]
    chosen = {}
    grid = st.columns(3)
    for index, match in enumerate(suggested):
        with grid[index % 3]:
            chosen[match.header] = st.selectbox(
                f"»{match.header}«", options, index=options.index(match.column),
                key=_key(item, spec.name, "kolonne", match.header),
                format_func=lambda n: n or "(ignorer)",
                help=f"Forslag: {match.column or '(ignorer)'} – {match.reason}")
    return chosen


def _values(item: FileSurvey, spec: FileSpec, columns: dict[str, str]
            ) -> dict[str, dict[str, str]]:
    """Per coded column: each of their values the contract does not read → a code."""
    mapped: dict[str, dict[str, str]] = {}
    for header, column_name in columns.items():
        column = spec.column(column_name) if column_name else None
        if column is None or not column.codes:
            continue
        same = item.spec_name == spec.name and any(
            m.header == header and m.column == column_name for m in item.matches)
        values: list[ValueCount] = (item.values.get(column_name, []) if same
                                    else values_of(item.source, header, column))
        if not values:
            continue
        st.markdown(f"**Værdier i »{header}«**, som ikke er {column_name}-koder:")
        options = ["", *column.codes]
        grid = st.columns(2)
        choices: dict[str, str] = {}
        label = _code_label(column.codes)
        for index, value in enumerate(values):
            rows = "række" if value.count == 1 else "rækker"
            with grid[index % 2]:
                choices[value.value] = st.selectbox(
                    f"»{value.value}« ({value.count} {rows}, første i linje {value.first_line})",
                    options, index=options.index(value.code),
                    key=_key(item, spec.name, "vaerdi", header, value.value),
                    format_func=label,
                    help=f"Forslag: {value.reason}")
        mapped[column_name] = choices
    return mapped


def _code_label(codes: dict[str, str]) -> Callable[[str], str]:
    def label(code: str) -> str:
        return f"{codes[code]} ({code})" if code else "(vælg en kode)"
    return label


def _file_profile(item: FileSurvey, spec: FileSpec) -> FileProfile:
    columns = _columns(item, spec)
    values = _values(item, spec, columns)
    date_format = ""
    if any(spec.column(c).kind == "date" for c in columns.values() if c):
        formats = ["", *DATE_FORMAT_EXAMPLES]
        suggested = item.date_format if item.spec_name == spec.name else None
        date_format = st.selectbox(
            "Datoformat", formats, index=formats.index(suggested or ""),
            key=_key(item, spec.name, "datoformat"),
            format_func=lambda f: f or "læses selv (ÅÅÅÅ-MM-DD, DD-MM-ÅÅÅÅ, DD-MM-ÅÅ)")
    allowed = reductions_for(spec.name)
    suggested_reduction = (REDUCTION_SUGGESTED.get(spec.name, "afvis")
                           if item.several_rows and item.spec_name == spec.name else "afvis")
    reduction = st.selectbox(
        "Flere rækker for samme elev" + (" og måned" if spec.name == "sygefravaer" else ""),
        allowed, index=allowed.index(suggested_reduction), key=_key(item, spec.name, "flere"),
        format_func=lambda r: REDUCTIONS[r],
        help=(f"{item.several_rows} elever har flere rækker i filen." if item.several_rows
              else "Ingen elev har flere rækker i filen."))
    resume = None
    if spec.name == "frafald" and st.checkbox(
            f"Et frafald, som eleven genoptager inden {RESUME_MONTHS} måneder (et nyt forløb "
            "i elever), er ikke et frafald (ministeriets regel)", value=True,
            key=_key(item, spec.name, "genoptaget")):
        resume = RESUME_MONTHS
    return FileProfile(
        name=spec.name, file=item.file, sheet=item.sheet,
        columns={h: c for h, c in columns.items() if c},
        ignored=tuple(h for h, c in columns.items() if not c),
        values=values, date_format=date_format or None, reduction=reduction,
        resume_months=resume)


def mapping_step(folder: Path) -> Profile | None:
    """The drop-downs for every uploaded file; the profile they make, validated, or None."""
    st.markdown("Vælg for hver fil, hvad dens kolonner og værdier svarer til i "
                "datakontrakten. Forslagene er valgt på forhånd; grunden står ved hvert valg "
                "(spørgsmålstegnet).")
    files: dict[str, FileProfile] = {}
    for item in _surveys(folder):
        with st.expander(f"{item.display}", expanded=True):
            for problem in item.problems:
                st.error(str(problem))
            if item.problems:
                continue
            st.caption("Overskrifter: " + ", ".join(f"»{h}«" for h in item.headers))
            spec = _spec_choice(item)
            if spec is None:
                continue
            if spec.name in files:
                st.error(f"{files[spec.name].display} er allerede valgt som {spec.name}; "
                         "vælg kun én fil pr. fil i datakontrakten")
                continue
            files[spec.name] = _file_profile(item, spec)
    name = st.text_input("Profilens navn", value="Importprofil", key="import_profile_name")
    if not files:
        st.info("Vælg mindst én fil.")
        return None
    path = profile_folder(database_path()) / profile_file_name(name)
    try:
        return parse_profile(render_profile(Profile(path, name, files)), path)
    except ProfileError as error:
        st.error(f"Profilen kan ikke bruges endnu: {error}")
        return None


def preview_section(folder: Path, profile: Profile, today: object = None) -> bool:
    """20 rows of each file as they will be loaded; False if the files cannot be read."""
    import datetime as dt

    st.markdown(f"**Forhåndsvisning:** de første {PREVIEW_ROWS} rækker af hver fil, som de "
                "indlæses.")
    frames, problems = preview(folder, profile, today if isinstance(today, dt.date)
                               else dt.date.today(), PREVIEW_ROWS)
    if problems:
        show_problems(problems)
        return False
    for name, frame in frames.items():
        st.caption(f"{name} ({profile.files[name].display})")
        ui.dataframe(frame)
    return True


def show_problems(problems: list[Problem]) -> None:
    import pandas as pd

    from sosu.domain.cpr import mask_cpr

    ui.dataframe(pd.DataFrame([{"fil": p.file, "linje": p.line or "", "kolonne": p.column,
                                "problem": mask_cpr(p.message)} for p in sorted(problems)]))


def save_profile(profile: Profile) -> Path:
    profile.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_private(profile.path, profile.text.encode("utf-8"))
    return profile.path

