-- depends: pr_sted_gruppe, valgte_forloeb
-- Dropouts per calendar year of frafald_dato, by reason (by phase: frafaldsfaser).
CREATE OR REPLACE MACRO frafaldsaarsager(
    steder, uddannelser, pr_sted := FALSE,
    hver_for_sig := NULL) AS TABLE
    WITH
    frafald AS (
        SELECT * FROM valgte_forloeb(steder, uddannelser)
        WHERE status = 'frafaldet'
    ),

    final AS (
        SELECT
            pr_sted_gruppe(oplaeringssted, pr_sted, hver_for_sig) AS oplaeringssted,
            year(frafald_dato) AS aar,
            uddannelse,
            aarsag,
            count(*) AS antal
        FROM frafald
        GROUP BY ALL
    )

    SELECT *
    FROM final
    ORDER BY oplaeringssted ASC, aar ASC, uddannelse ASC, antal DESC, aarsag ASC;
