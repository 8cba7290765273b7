"""The Data page: loaded files, the contract with templates, and the upload form."""

from __future__ import annotations

import hashlib
import tempfile
from functools import partial
from pathlib import Path

import pandas as pd
import streamlit as st

from sosu.app import downloads, ui
from sosu.app.app_pages.import_view import (
    NEW,
    choose_reading,
    mapping_step,
    preview_section,
    save_profile,
)
from sosu.app.viewer import current_viewer
from sosu.domain.contract import ALL_FILES, FileSpec
from sosu.domain.cpr import contains_cpr, mask_cpr
from sosu.etl.load import check_folder, load_and_record
from sosu.etl.problems import ValidationFailed
from sosu.etl.profile import Profile
from sosu.etl.templates import KIND_TEXT, TEMPLATE_NAME, template_frame, template_workbook
from sosu.store import audit, export, scratch
from sosu.store.db import database_path
from sosu.store.private import write_private


def _template_csv(spec: FileSpec) -> bytes:
    return export.download(template_frame(spec), "csv")


def contract_panel(name: str) -> str:
    """The session-state key of a file's panel in the data contract (True when open)."""
    return f"kontrakt_{name}"


def contract_frame(spec: FileSpec) -> pd.DataFrame:
    """A file's columns as the data contract lists them."""
    return pd.DataFrame([{
        "kolonne": c.name, "type": KIND_TEXT[c.kind], "påkrævet": "ja" if c.required else "nej",
        "beskrivelse": c.description, "eksempel": c.example,
    } for c in spec.columns])


def contract_section() -> None:
    st.subheader("Datakontrakt")
    st.caption("Fem filer som CSV (komma eller semikolon), Excel (.xlsx) eller regneark (.ods), "
               "eller én projektmappe med fem ark, og en valgfri sjette med strategiens "
               "indsatser. Overskrifter må have store bogstaver, mellemrum og æ/ø/å og må stå "
               "under en titellinje. Datoer som ÅÅÅÅ-MM-DD, DD-MM-ÅÅÅÅ, DD.MM.ÅÅÅÅ, DD/MM/ÅÅÅÅ, "
               "DD-MM-ÅÅ, Excel-datotal eller datoceller, men på samme måde i hele filen.")
    # Made when clicked, not on every run: writing the workbook took 0.36 s of CPU, more
    # than all the rest of the Data page (bench/run.py --viewers).
    downloads.button("Hent Excel-skabelon (alle filer, med rullelister og vejledning)",
                     template_workbook, TEMPLATE_NAME, export.XLSX_MIME,
                     key="template_workbook", guard=False)
    for spec in ALL_FILES:
        # The columns are drawn once the panel is opened, as a chart's table is
        # (ui.chart): collapsed, the six tables through the Styler were still a third of
        # the Data page's CPU on every view.
        with st.expander(f"{spec.name} – {spec.title}", key=contract_panel(spec.name),
                         on_change="rerun") as panel:
            st.write(spec.description)
            if panel.open:
                ui.dataframe(contract_frame(spec))
            downloads.button(f"Hent skabelon {spec.name}.csv",
                             partial(_template_csv, spec), f"{spec.name}.csv",
                             export.CSV_MIME, key=f"template_{spec.name}", guard=False)


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


_NAME_BYTES = 200  # the disk allows 255; write_private adds a prefix and a suffix


def _file_name(name: str) -> str | None:
    """The bare file name a browser sent, or None when no file can carry it. Only the
    bare name is used: no path from the browser reaches the disk."""
    bare = Path(name).name
    if bare in ("", ".", "..") or "\x00" in bare or len(bare.encode("utf-8")) > _NAME_BYTES:
        return None
    return bare


def _shown(name: str) -> str:
    """A refused name as a message may show it: masked, printable, not too long."""
    printable = "".join(c if c.isprintable() else "?" for c in mask_cpr(name))
    return printable if len(printable) <= 60 else printable[:57] + "…"


def _save(uploads: list, folder: Path) -> list[str]:
    """Write the uploads into `folder`; the messages for those that cannot be written
    (a name no file can have, two files with one name). Nothing is written then."""
    names = [_file_name(upload.name) for upload in uploads]
    refused = [f"Filnavnet '{_shown(upload.name)}' kan ikke bruges; giv filen et andet navn."
               for upload, name in zip(uploads, names, strict=True) if name is None]
    # A CPR number is never stored, in a file's name either: no upload is written then.
    refused += [f"Filnavnet '{_shown(name)}' ligner et CPR-nummer; giv filen et andet navn."
                for name in names if name and contains_cpr(name)]
    seen = [name for name in names if name]
    refused += [f"To filer har filnavnet '{_shown(name)}'; upload kun den ene."
                for name in sorted({n for n in seen if seen.count(n) > 1})]
    if refused:
        return refused
    for upload, name in zip(uploads, names, strict=True):
        write_private(folder / str(name), upload.getvalue())
    return []


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
    with tempfile.TemporaryDirectory(prefix=f"{scratch.prefix()}upload-",
                                     dir=scratch.folder()) as tmp:
        folder = Path(tmp)
        refused = _save(uploads, folder)
        if refused:
            st.error("Intet er indlæst. " + " ".join(refused))
            return
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
