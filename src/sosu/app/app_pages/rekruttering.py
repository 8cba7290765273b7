from sosu.app import charts, ui
from sosu.app.app_pages.initiatives_view import mark_metrics
from sosu.app.app_pages.rekruttering_view import (
    age_frame,
    hires_frame,
    internal_frame,
    per_education,
    target_lines,
)

if ui.page_header("Rekruttering", "Ansatte elever pr. år mod dimensioneringen, intern "
                  "rekruttering og elevernes alder ved start."):
    filters = ui.page_filters()
    hires = hires_frame(filters)
    if not ui.nothing_selected(hires):
        fig = charts.bars(per_education(hires), "aar", "ansatte", "uddannelse",
                          "Ansatte elever pr. år mod dimensioneringen", "Elever")
        target_lines(fig, ["ansatte"], filters.educations)
        mark_metrics(fig, ["ansatte"], filters.educations)
        ui.chart(fig, hires, "ansaettelser", "hires")
        internal = internal_frame(hires)
        fig = charts.bars(internal, "aar", "antal", "gruppe",
                          "Intern rekruttering pr. år", "Elever", hover="hover")
        target_lines(fig, ["intern_ufaglaert", "intern_ssh"], filters.educations)
        mark_metrics(fig, ["intern_ufaglaert", "intern_ssh"], filters.educations)
        ui.chart(fig, internal, "intern_rekruttering", "internal")
        ages = age_frame(filters)
        ui.chart(charts.bars(ages, "aldersgruppe", "antal", "uddannelse",
                             "Alder ved ansættelse", "Elever", hover="hover"),
                 ages, "aldersfordeling", "ages")
