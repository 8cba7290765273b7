-- depends: valgte_forloeb_pr_sted
-- Dropouts per calendar year of frafald_dato, by reason (by phase: frafaldsfaser).
CREATE OR REPLACE MACRO frafaldsaarsager(
    steder, uddannelser, pr_sted := FALSE,
    hver_for_sig := NULL) AS TABLE
    SELECT
        oplaeringssted,
        year(frafald_dato) AS aar,
        uddannelse,
        aarsag,
        count(*) AS antal
    FROM valgte_forloeb_pr_sted(steder, uddannelser, pr_sted, hver_for_sig)
    WHERE status = 'frafaldet'
    GROUP BY ALL
    ORDER BY oplaeringssted ASC, aar ASC, uddannelse ASC, antal DESC, aarsag ASC;
