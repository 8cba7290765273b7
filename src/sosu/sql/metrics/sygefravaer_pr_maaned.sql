-- depends: sygefravaer_pr_periode
-- Sick leave = Σ sick hours / Σ planned hours, per month (sygefravaer_pr_periode).
CREATE OR REPLACE MACRO sygefravaer_pr_maaned(
    steder, uddannelser, pr_sted := FALSE, hver_for_sig := NULL, pr_uddannelse := FALSE
) AS TABLE
    SELECT * EXCLUDE (aar)
    FROM sygefravaer_pr_periode(
            steder, uddannelser, FALSE, pr_sted, hver_for_sig, pr_uddannelse
        )
    ORDER BY oplaeringssted, uddannelse NULLS LAST, maaned;
