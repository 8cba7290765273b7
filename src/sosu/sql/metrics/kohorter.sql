-- depends: pr_sted_gruppe, valgte_kohorter, wilson
-- Per cohort (årgang = year hired) and education: the strategy's cohort figures.
-- Dropout = dropped / hired; completion = completed / hired;
-- hired after graduation = hired-after / hired (the strategy's 41.4 % = 34 of 82).
CREATE OR REPLACE MACRO kohorter(
    steder, uddannelser, pr_sted := FALSE,
    hver_for_sig := NULL) AS TABLE
    WITH
    kohorter AS (SELECT * FROM valgte_kohorter(steder, uddannelser)),

    -- The counts of the chosen sites added up (the counts are defined in int_kohorter.sql).
    optalt AS (
        SELECT
            pr_sted_gruppe(oplaeringssted, pr_sted, hver_for_sig) AS oplaeringssted,
            uddannelse,
            aargang,
            sum(ansatte)::BIGINT AS ansatte,
            sum(gennemfoert)::BIGINT AS gennemfoert,
            sum(frafald)::BIGINT AS frafald,
            sum(frafald_hovedforloeb)::BIGINT AS frafald_hovedforloeb,
            sum(omvalg)::BIGINT AS omvalg,
            sum(frafald_uden_omvalg)::BIGINT AS frafald_uden_omvalg,
            sum(frafald_hovedforloeb_uden_omvalg)::BIGINT AS frafald_hovedforloeb_uden_omvalg,
            sum(aktive)::BIGINT AS aktive,
            sum(ansat_efter)::BIGINT AS ansat_efter
        FROM kohorter
        GROUP BY ALL
    ),

    -- 95 % Wilson intervals, [nedre, øvre]: cohorts of 30-60 move 2-4 points per student.
    intervaller AS (
        SELECT
            *,
            wilson(frafald, ansatte) AS frafald_ki,
            wilson(frafald_hovedforloeb, ansatte) AS frafald_hovedforloeb_ki,
            wilson(frafald_hovedforloeb_uden_omvalg, ansatte)
                AS frafald_hovedforloeb_uden_omvalg_ki,
            wilson(gennemfoert, ansatte) AS gennemfoert_ki,
            wilson(ansat_efter, ansatte) AS ansat_efter_ki,
            wilson(ansat_efter, gennemfoert) AS ansat_efter_af_gennemfoerte_ki
        FROM optalt
    ),

    final AS (
        SELECT
            * EXCLUDE (
                frafald_ki, frafald_hovedforloeb_ki, frafald_hovedforloeb_uden_omvalg_ki,
                gennemfoert_ki, ansat_efter_ki, ansat_efter_af_gennemfoerte_ki
            ),
            aktive = 0 AS afsluttet,
            frafald / ansatte AS andel_frafald,
            frafald_hovedforloeb / ansatte AS andel_frafald_hovedforloeb,
            frafald_hovedforloeb_uden_omvalg
            / ansatte AS andel_frafald_hovedforloeb_uden_omvalg,
            gennemfoert / ansatte AS andel_gennemfoert,
            ansat_efter / ansatte AS andel_ansat_efter,
            ansat_efter / nullif(gennemfoert, 0) AS andel_ansat_efter_af_gennemfoerte,
            frafald_ki[1] AS frafald_nedre,
            frafald_ki[2] AS frafald_oevre,
            frafald_hovedforloeb_ki[1] AS frafald_hovedforloeb_nedre,
            frafald_hovedforloeb_ki[2] AS frafald_hovedforloeb_oevre,
            frafald_hovedforloeb_uden_omvalg_ki[1] AS frafald_hovedforloeb_uden_omvalg_nedre,
            frafald_hovedforloeb_uden_omvalg_ki[2] AS frafald_hovedforloeb_uden_omvalg_oevre,
            gennemfoert_ki[1] AS gennemfoert_nedre,
            gennemfoert_ki[2] AS gennemfoert_oevre,
            ansat_efter_ki[1] AS ansat_efter_nedre,
            ansat_efter_ki[2] AS ansat_efter_oevre,
            ansat_efter_af_gennemfoerte_ki[1] AS ansat_efter_af_gennemfoerte_nedre,
            ansat_efter_af_gennemfoerte_ki[2] AS ansat_efter_af_gennemfoerte_oevre
        FROM intervaller
    )

    SELECT * FROM final
    ORDER BY oplaeringssted, uddannelse, aargang;
