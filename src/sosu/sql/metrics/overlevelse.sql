-- depends: valgte_forloeb
-- Kaplan–Meier: share of a cohort still in training (not dropped out) by months since
-- hire. Completion and still being active censor a student; dropout is the event.
CREATE OR REPLACE MACRO overlevelse(steder, uddannelser) AS TABLE
    WITH
    forloeb AS (SELECT * FROM valgte_forloeb(steder, uddannelser)),

    varighed AS (
        SELECT
            uddannelse,
            aargang,
            date_diff(
                'month', ansat_dato,
                coalesce(frafald_dato, afsluttet_dato, (SELECT data_pr FROM indlaesning)))
                AS maaneder,
            status = 'frafaldet' AS haendelse
        FROM forloeb
    ),

    pr_maaned AS (
        SELECT
            uddannelse,
            aargang,
            maaneder,
            count(*) FILTER (haendelse) AS frafald,
            count(*) AS ud
        FROM varighed
        GROUP BY ALL
    ),

    risiko AS (
        SELECT
            *,
            sum(ud) OVER (PARTITION BY uddannelse, aargang ORDER BY maaneder DESC) AS i_risiko
        FROM pr_maaned
    ),

    final AS (
        SELECT
            uddannelse,
            aargang,
            maaneder,
            i_risiko,
            frafald,
            exp(
                sum(ln(greatest(1 - frafald / i_risiko, 1e-12)))
                    OVER (PARTITION BY uddannelse, aargang ORDER BY maaneder)
            ) AS andel_i_forloeb
        FROM risiko
    )

    SELECT * FROM final
    ORDER BY uddannelse, aargang, maaneder;
