-- Sick leave = Σ sick hours / Σ planned hours, per month and per calendar year.
CREATE OR REPLACE MACRO sygefravaer_pr_maaned(steder, uddannelser, pr_sted := false) AS TABLE
WITH
timer AS (SELECT * FROM valgte_sygefravaer_maaned(steder, uddannelser)),

final AS (
    SELECT
        pr_sted_gruppe(oplaeringssted, pr_sted) AS oplaeringssted,
        maaned,
        -- Distinct students per site and education add up (int_sygefravaer.sql).
        sum(elever)::BIGINT AS elever,
        sum(planlagte_timer) AS planlagte_timer,
        sum(syge_timer) AS syge_timer,
        sum(syge_timer) / sum(planlagte_timer) AS andel
    FROM timer
    GROUP BY ALL
)

SELECT * FROM final ORDER BY oplaeringssted, maaned;

CREATE OR REPLACE MACRO sygefravaer_pr_aar(steder, uddannelser, pr_sted := false) AS TABLE
WITH
timer AS (SELECT * FROM valgte_sygefravaer_aar(steder, uddannelser)),

final AS (
    SELECT
        pr_sted_gruppe(oplaeringssted, pr_sted) AS oplaeringssted,
        aar,
        -- Distinct students per site and education add up (int_sygefravaer.sql).
        sum(elever)::BIGINT AS elever,
        sum(planlagte_timer) AS planlagte_timer,
        sum(syge_timer) AS syge_timer,
        sum(syge_timer) / sum(planlagte_timer) AS andel
    FROM timer
    GROUP BY ALL
)

SELECT * FROM final ORDER BY oplaeringssted, aar;
