-- depends: valgte_forloeb_pr_sted
-- Dropouts per calendar year of frafald_dato, by phase (by reason: frafaldsaarsager).
CREATE OR REPLACE MACRO frafaldsfaser(
    steder, uddannelser, pr_sted := FALSE,
    hver_for_sig := NULL) AS TABLE
    SELECT
        oplaeringssted,
        year(frafald_dato) AS aar,
        uddannelse,
        fase,
        frafald_hovedforloeb,
        count(*) AS antal
    FROM valgte_forloeb_pr_sted(steder, uddannelser, pr_sted, hver_for_sig)
    WHERE status = 'frafaldet'
    GROUP BY ALL
    ORDER BY oplaeringssted, aar, uddannelse, fase;
