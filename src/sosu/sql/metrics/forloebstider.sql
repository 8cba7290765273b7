-- depends: valgte_forloeb
-- Competing risks per cohort, as the data stood on a date (pr_dato; NULL: the data's own
-- date): for each month since hire, how many students left training by each outcome.
-- Main-course dropout, basic-course dropout and completion compete; a student still
-- active on the date is censored there (udfald 'aktiv'). `fulgt_alle`: the months every
-- student of the cohort has been followed (from its latest hire, `sidste_ansat`, to the
-- date). Feeds the
-- Aalen–Johansen estimate in metrics/projection.py and its back-test.
CREATE OR REPLACE MACRO forloebstider(pr_dato, steder, uddannelser) AS TABLE
    WITH
    dato AS (SELECT coalesce(pr_dato::DATE, (SELECT max(data_pr) FROM indlaesning)) AS dag),

    forloeb AS (
        SELECT
            f.*,
            dato.dag
        FROM valgte_forloeb(steder, uddannelser) AS f, dato
        WHERE f.ansat_dato <= dato.dag
    ),

    udfald AS (
        SELECT
            uddannelse,
            aargang,
            CASE
                WHEN status = 'frafaldet' AND frafald_dato <= dag AND frafald_hovedforloeb
                    THEN 'frafald_hovedforloeb'
                WHEN status = 'frafaldet' AND frafald_dato <= dag THEN 'frafald_grundforloeb'
                WHEN status = 'gennemfoert' AND afsluttet_dato <= dag THEN 'gennemfoert'
                ELSE 'aktiv'
            END AS udfald,
            date_diff('month', ansat_dato, CASE
                WHEN status = 'frafaldet' AND frafald_dato <= dag THEN frafald_dato
                WHEN status = 'gennemfoert' AND afsluttet_dato <= dag THEN afsluttet_dato
                ELSE dag
            END) AS maaneder,
            date_diff('month', max(ansat_dato) OVER (PARTITION BY uddannelse, aargang), dag)
                AS fulgt_alle,
            max(ansat_dato) OVER (PARTITION BY uddannelse, aargang) AS sidste_ansat
        FROM forloeb
    ),

    final AS (
        SELECT
            uddannelse,
            aargang,
            maaneder,
            udfald,
            count(*) AS antal,
            min(fulgt_alle) AS fulgt_alle,
            min(sidste_ansat) AS sidste_ansat
        FROM udfald
        GROUP BY ALL
    )

    SELECT * FROM final
    ORDER BY uddannelse, aargang, maaneder, udfald;
