-- depends: frafaldet_uden_omvalg, int_elevforloeb
-- Per-cohort facts per site: the strategy's cohort counts for each training site,
-- education and cohort (årgang = year hired). The cohort metric adds up the sites chosen;
-- a student belongs to one site, so the counts add up. Materialised: a table built once
-- per load (every load builds a new database file, so it cannot go stale), a few
-- thousand rows instead of one per student.
CREATE OR REPLACE TABLE int_kohorter AS
WITH
forloeb AS (SELECT * FROM int_elevforloeb),

final AS (
    SELECT
        oplaeringssted,
        uddannelse,
        aargang,
        count(*) AS ansatte,
        count(*) FILTER (status = 'gennemfoert') AS gennemfoert,
        count(*) FILTER (status = 'frafaldet') AS frafald,
        count(*) FILTER (status = 'frafaldet' AND frafald_hovedforloeb) AS frafald_hovedforloeb,
        count(*) FILTER (omvalg) AS omvalg,
        count(*) FILTER (frafaldet_uden_omvalg(status, omvalg)) AS frafald_uden_omvalg,
        count(*) FILTER (frafaldet_uden_omvalg(status, omvalg) AND frafald_hovedforloeb)
            AS frafald_hovedforloeb_uden_omvalg,
        count(*) FILTER (status = 'aktiv') AS aktive,
        count(*) FILTER (ansat_efter) AS ansat_efter
    FROM forloeb
    GROUP BY oplaeringssted, uddannelse, aargang
)

SELECT * FROM final
ORDER BY oplaeringssted, uddannelse, aargang;
