-- depends: pr_sted_gruppe, valgte_forloeb
-- Where graduates were hired by the municipality, per education and cohort.
CREATE OR REPLACE MACRO ansat_efter_sted(
    steder, uddannelser, pr_sted := FALSE,
    hver_for_sig := NULL) AS TABLE
    WITH
    ansat AS (
        SELECT * FROM valgte_forloeb(steder, uddannelser)
        WHERE ansat_efter
    ),

    final AS (
        SELECT
            pr_sted_gruppe(oplaeringssted, pr_sted, hver_for_sig) AS oplaeringssted,
            uddannelse,
            aargang,
            arbejdssted,
            count(*) AS antal
        FROM ansat
        GROUP BY ALL
    )

    SELECT *
    FROM final
    ORDER BY oplaeringssted ASC, uddannelse ASC, aargang ASC, antal DESC, arbejdssted ASC;
