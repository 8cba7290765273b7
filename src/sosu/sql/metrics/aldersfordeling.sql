-- depends: valgte_forloeb_pr_sted
-- Age at hire in the strategy's bands, per calendar year of hire.
CREATE OR REPLACE MACRO aldersfordeling(
    steder, uddannelser, pr_sted := FALSE,
    hver_for_sig := NULL) AS TABLE
    SELECT
        oplaeringssted,
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
    FROM valgte_forloeb_pr_sted(steder, uddannelser, pr_sted, hver_for_sig)
    GROUP BY ALL
    ORDER BY oplaeringssted, aar, uddannelse, aldersgruppe;
