"""The Data page: loaded files, the contract with templates, and the upload form."""

from __future__ import annotations

import hashlib
import json
import tempfile
from functools import partial
from pathlib import Path

import pandas as pd
import streamlit as st

from sosu.app import data, ui
from sosu.app.app_pages.import_view import (
    NEW,
    choose_reading,
    mapping_step,
    preview_section,
    save_profile,
)
from sosu.app.viewer import current_viewer
from sosu.domain.contract import ALL_FILES, FileSpec
from sosu.domain.cpr import mask_cpr
from sosu.etl.load import check_folder, load_and_record
from sosu.etl.problems import ValidationFailed
from sosu.etl.profile import Profile
from sosu.etl.templates import KIND_TEXT, TEMPLATE_NAME, template_frame, template_workbook
from sosu.store import audit, export
from sosu.store.db import database_path
from sosu.store.private import write_private


def loaded_files() -> pd.DataFrame:
    info = data.load_info()
    if not info:
        return pd.DataFrame()
    files = json.loads(str(info["filer"]))
    return pd.DataFrame([{"fil": name, "kilde": f["kilde"], "rækker": f["raekker"]}
                         for name, f in files.items()])


def _template_csv(spec: FileSpec) -> bytes:
    return export.download(template_frame(spec), "csv")


def contract_section() -> None:
    st.subheader("Datakontrakt")
    st.caption("Fem filer som CSV (komma eller semikolon), Excel (.xlsx) eller regneark (.ods), "
               "eller én projektmappe med fem ark, og en valgfri sjette med strategiens "
               "indsatser. Overskrifter må have store bogstaver, mellemrum og æ/ø/å og må stå "
               "under en titellinje. Datoer som ÅÅÅÅ-MM-DD, DD-MM-ÅÅÅÅ, DD.MM.ÅÅÅÅ, DD/MM/ÅÅÅÅ, "
               "DD-MM-ÅÅ, Excel-datotal eller datoceller, men på samme måde i hele filen.")
    # Made when clicked, not on every run: writing the workbook took 0.36 s of CPU, more
    # than all the rest of the Data page (bench/run.py --viewers).
    st.download_button("Hent Excel-skabelon (alle filer, med rullelister og vejledning)",
                       template_workbook, TEMPLATE_NAME, export.XLSX_MIME,
                       key="template_workbook", on_click="ignore")
    for spec in ALL_FILES:
        with st.expander(f"{spec.name} – {spec.title}"):
            st.write(spec.description)
            ui.dataframe(pd.DataFrame([{
                "kolonne": c.name, "type": KIND_TEXT[c.kind],
                "påkrævet": "ja" if c.required else "nej",
                "beskrivelse": c.description, "eksempel": c.example,
            } for c in spec.columns]))
            st.download_button(f"Hent skabelon {spec.name}.csv",
                               partial(_template_csv, spec), f"{spec.name}.csv",
                               export.CSV_MIME, key=f"template_{spec.name}", on_click="ignore")


def audit_section() -> None:
    """Logins, loads and exports, newest first: the education team's view of who did what."""
    entries = audit.latest(audit.log_path(database_path()))
    st.subheader("Logbog")
    if not entries:
        st.caption("Logbogen er tom.")
        return
    frame = pd.DataFrame([{
        "tid": e.get("tid"), "hændelse": audit.EVENTS.get(e.get("haendelse", ""), "?"),
        "bruger": e.get("bruger"),
        "detaljer": ", ".join(f"{k}: {v}" for k, v in e.items()
                              if k not in ("tid", "haendelse", "bruger")),
    } for e in entries])
    ui.table(frame, "logbog", "audit")


def _save(uploads: list, folder: Path) -> None:
    for upload in uploads:
        # Only the bare file name is used: no path from the browser reaches the disk.
        write_private(folder / Path(upload.name).name, upload.getvalue())


def _problem_table(error: ValidationFailed) -> pd.DataFrame:
    return pd.DataFrame([{"fil": p.file, "linje": p.line or "", "kolonne": p.column,
                          "problem": mask_cpr(p.message)}
                         for p in sorted(error.problems)])


def upload_section() -> None:
    st.subheader("Indlæs nye data")
    uploads = st.file_uploader("Vælg de fem filer (eller én projektmappe, .xlsx eller .ods)",
                               type=["csv", "xlsx", "ods"], accept_multiple_files=True,
                               key="upload")
    if not uploads:
        return
    with tempfile.TemporaryDirectory(prefix="sosu-upload-") as tmp:
        folder = Path(tmp)
        _save(uploads, folder)
        import_step(folder)


def import_step(folder: Path) -> None:
    """Read the files in `folder` by the contract, a saved profile or a new one; check;
    load. The folder holds the uploads (or, in tests, any files)."""
    reading, profile = choose_reading(folder)
    if reading != NEW:
        _check_and_load(folder, profile)
        return
    profile = mapping_step(folder)
    if profile is None or not preview_section(folder, profile):
        return
    checked = f"import_checked_{hashlib.sha256(profile.text.encode()).hexdigest()}"
    if st.button("Gem profilen og kontrollér filerne", key="import_save_check"):
        path = save_profile(profile)
        st.session_state[checked] = True
        st.success(f"Profilen »{profile.name}« er gemt ({path.name}); den tilbydes igen, "
                   "når I uploader de samme filer.")
    if st.session_state.get(checked):
        _check_and_load(folder, profile)


def _check_and_load(folder: Path, profile: Profile | None) -> None:
    try:
        counts = check_folder(folder, profile=profile)
    except ValidationFailed as error:
        st.error(f"Filerne har {error.total} fejl. Intet er indlæst; ret fejlene og prøv "
                 "igen.")
        ui.dataframe(_problem_table(error))
        return
    st.success("Ingen fejl: " + ", ".join(f"{n} {c}" for n, c in counts.items()))
    if st.button("Indlæs data", type="primary", key="load_button"):
        bar = st.progress(0.0, text="Indlæser …")

        def show(step: str, fraction: float) -> None:
            bar.progress(fraction, text=step)

        try:
            summary = load_and_record(folder, database_path(), who=current_viewer().name,
                                      via="dashboard", progress=show, profile=profile)
        except ValidationFailed as error:
            st.error("Indlæsningen blev afvist; den gamle database er uændret.")
            ui.dataframe(_problem_table(error))
            return
        st.success("Indlæst. " + summary.one_line())
