-- depends: pr_sted_gruppe, valgte_forloeb
-- Age at hire in the strategy's bands, per calendar year of hire.
CREATE OR REPLACE MACRO aldersfordeling(
    steder, uddannelser, pr_sted := FALSE,
    hver_for_sig := NULL) AS TABLE
    WITH
    elever AS (SELECT * FROM valgte_forloeb(steder, uddannelser)),

    final AS (
        SELECT
            pr_sted_gruppe(oplaeringssted, pr_sted, hver_for_sig) AS oplaeringssted,
            aargang AS aar,
            uddannelse,
            CASE
                WHEN alder < 25 THEN '16–24'
                WHEN alder < 35 THEN '25–34'
                WHEN alder < 45 THEN '35–44'
                WHEN alder < 55 THEN '45–54'
                ELSE '55+'
            END AS aldersgruppe,
            count(*) AS antal
        FROM elever
        GROUP BY ALL
    )

    SELECT * FROM final
    ORDER BY oplaeringssted, aar, uddannelse, aldersgruppe;
