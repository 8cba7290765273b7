-- depends: valgte_forloeb_pr_sted
-- Hires per calendar year: the dimensioning and internal recruitment targets.
CREATE OR REPLACE MACRO ansaettelser(
    steder, uddannelser, pr_sted := FALSE,
    hver_for_sig := NULL) AS TABLE
    SELECT
        oplaeringssted,
        aargang AS aar,
        uddannelse,
        count(*) AS ansatte,
        count(*) FILTER (rekruttering = 'ufaglaert') AS intern_ufaglaert,
        count(*) FILTER (rekruttering = 'ssh') AS intern_ssh,
        count(*) FILTER (alder >= 25) AS alder_25_plus
    FROM valgte_forloeb_pr_sted(steder, uddannelser, pr_sted, hver_for_sig)
    GROUP BY ALL
    ORDER BY oplaeringssted, aar, uddannelse;
