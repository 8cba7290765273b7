-- Per cohort (årgang = year hired) and education: the strategy's cohort figures.
-- Dropout = dropped / hired; completion = completed / hired;
-- hired after graduation = hired-after / hired (the strategy's 41.4 % = 34 of 82).
CREATE OR REPLACE MACRO kohorter(steder, uddannelser) AS TABLE
WITH
forloeb AS (SELECT * FROM valgte_forloeb(steder, uddannelser)),

optalt AS (
    SELECT
        uddannelse,
        aargang,
        count(*) AS ansatte,
        count(*) FILTER (status = 'gennemfoert') AS gennemfoert,
        count(*) FILTER (status = 'frafaldet') AS frafald,
        count(*) FILTER (status = 'frafaldet' AND frafald_hovedforloeb) AS frafald_hovedforloeb,
        count(*) FILTER (omvalg) AS omvalg,
        count(*) FILTER (status = 'frafaldet' AND NOT omvalg) AS frafald_uden_omvalg,
        count(*) FILTER (status = 'frafaldet' AND frafald_hovedforloeb AND NOT omvalg)
            AS frafald_hovedforloeb_uden_omvalg,
        count(*) FILTER (status = 'aktiv') AS aktive,
        count(*) FILTER (ansat_efter) AS ansat_efter
    FROM forloeb
    GROUP BY uddannelse, aargang
),

final AS (
    SELECT
        *,
        aktive = 0 AS afsluttet,
        frafald / ansatte AS andel_frafald,
        frafald_hovedforloeb / ansatte AS andel_frafald_hovedforloeb,
        frafald_hovedforloeb_uden_omvalg / ansatte AS andel_frafald_hovedforloeb_uden_omvalg,
        gennemfoert / ansatte AS andel_gennemfoert,
        ansat_efter / ansatte AS andel_ansat_efter,
        ansat_efter / nullif(gennemfoert, 0) AS andel_ansat_efter_af_gennemfoerte,
        -- 95 % Wilson intervals: cohorts of 30-60 move 2-4 points per student.
        wilson_nedre(frafald, ansatte) AS frafald_nedre,
        wilson_oevre(frafald, ansatte) AS frafald_oevre,
        wilson_nedre(frafald_hovedforloeb, ansatte) AS frafald_hovedforloeb_nedre,
        wilson_oevre(frafald_hovedforloeb, ansatte) AS frafald_hovedforloeb_oevre,
        wilson_nedre(frafald_hovedforloeb_uden_omvalg, ansatte)
            AS frafald_hovedforloeb_uden_omvalg_nedre,
        wilson_oevre(frafald_hovedforloeb_uden_omvalg, ansatte)
            AS frafald_hovedforloeb_uden_omvalg_oevre,
        wilson_nedre(gennemfoert, ansatte) AS gennemfoert_nedre,
        wilson_oevre(gennemfoert, ansatte) AS gennemfoert_oevre,
        wilson_nedre(ansat_efter, ansatte) AS ansat_efter_nedre,
        wilson_oevre(ansat_efter, ansatte) AS ansat_efter_oevre,
        wilson_nedre(ansat_efter, gennemfoert) AS ansat_efter_af_gennemfoerte_nedre,
        wilson_oevre(ansat_efter, gennemfoert) AS ansat_efter_af_gennemfoerte_oevre
    FROM optalt
)

SELECT * FROM final ORDER BY uddannelse, aargang;
