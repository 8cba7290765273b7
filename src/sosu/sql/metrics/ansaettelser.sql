-- depends: pr_sted_gruppe, valgte_forloeb
-- Hires per calendar year: the dimensioning and internal recruitment targets.
CREATE OR REPLACE MACRO ansaettelser(
    steder, uddannelser, pr_sted := FALSE,
    hver_for_sig := NULL) AS TABLE
    WITH
    elever AS (SELECT * FROM valgte_forloeb(steder, uddannelser)),

    final AS (
        SELECT
            pr_sted_gruppe(oplaeringssted, pr_sted, hver_for_sig) AS oplaeringssted,
            aargang AS aar,
            uddannelse,
            count(*) AS ansatte,
            count(*) FILTER (rekruttering = 'ufaglaert') AS intern_ufaglaert,
            count(*) FILTER (rekruttering = 'ssh') AS intern_ssh,
            count(*) FILTER (alder >= 25) AS alder_25_plus
        FROM elever
        GROUP BY ALL
    )

    SELECT * FROM final
    ORDER BY oplaeringssted, aar, uddannelse;
