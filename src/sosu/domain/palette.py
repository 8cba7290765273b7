"""Colours, in one place for the dashboard and the PDF: colour-blind safe (Okabe–Ito and
Paul Tol's colour sets) and, on white, at least 3:1 for chart marks and 4.5:1 where a
colour carries text (WCAG 2.1 AA, 1.4.3 and 1.4.11; docs/tilgaengelighed.md). A colour
never carries meaning alone: statuses have a word and a sign, hollow markers a legend.
Contrast on white is in the comment after each colour."""

from __future__ import annotations

EDUCATION = {
    "SSH": "#0072B2",   # Okabe–Ito blue, 5.2:1
    "SSA": "#D55E00",   # Okabe–Ito vermillion, 3.9:1 (its orange #E69F00 is 2.3:1)
    "I alt": "#000000",
}
# Series without a colour of their own (reasons, sites, phases), in this order.
SEQUENCE = ["#0072B2", "#D55E00", "#117733", "#AA4499", "#332288", "#882255", "#000000",
            "#6B7280", "#CC6677", "#999933"]   # all ≥ 3:1 on white
SITE = "#117733"           # a site beside the municipality in the PDF, 5.7:1
TARGET = "#000000"         # target lines (dashed)
INITIATIVE = "#555555"     # initiative start lines and their labels, 7.5:1
# The scorecard's fulfilment bar, by the target's status (text beside it says the status).
STATUS = {
    "nået": "#117733",         # green, 5.7:1
    "på vej": "#0072B2",       # blue, 5.2:1
    "ikke på vej": "#B8312F",  # red, 6.0:1
    "usikker": "#6B7280",      # grey, 4.8:1
    "afventer data": "#6B7280",
    "for få data": "#6B7280",
}


def contrast(foreground: str, background: str = "#ffffff") -> float:
    """WCAG 2.1 contrast ratio of two #rrggbb colours (1–21)."""

    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
                  for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)
