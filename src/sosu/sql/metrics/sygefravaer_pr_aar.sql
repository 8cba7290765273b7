-- depends: sygefravaer_pr_periode
-- Sick leave = Σ sick hours / Σ planned hours, per calendar year (sygefravaer_pr_periode).
CREATE OR REPLACE MACRO sygefravaer_pr_aar(
    steder, uddannelser, pr_sted := FALSE, hver_for_sig := NULL, pr_uddannelse := FALSE
) AS TABLE
    SELECT * EXCLUDE (maaned)
    FROM sygefravaer_pr_periode(
            steder, uddannelser, TRUE, pr_sted, hver_for_sig, pr_uddannelse
        )
    ORDER BY oplaeringssted, uddannelse NULLS LAST, aar;
