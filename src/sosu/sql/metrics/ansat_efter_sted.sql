-- depends: valgte_forloeb_pr_sted
-- Where graduates were hired by the municipality, per education and cohort.
CREATE OR REPLACE MACRO ansat_efter_sted(
    steder, uddannelser, pr_sted := FALSE,
    hver_for_sig := NULL) AS TABLE
    SELECT
        oplaeringssted,
        uddannelse,
        aargang,
        arbejdssted,
        count(*) AS antal
    FROM valgte_forloeb_pr_sted(steder, uddannelser, pr_sted, hver_for_sig)
    WHERE ansat_efter
    GROUP BY ALL
    ORDER BY oplaeringssted ASC, uddannelse ASC, aargang ASC, antal DESC, arbejdssted ASC;
