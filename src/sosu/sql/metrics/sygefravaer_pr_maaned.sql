-- depends: pr_sted_gruppe, valgte_sygefravaer_maaned
-- Sick leave = Σ sick hours / Σ planned hours, per month.
CREATE OR REPLACE MACRO sygefravaer_pr_maaned(steder, uddannelser, pr_sted := false,
                                             hver_for_sig := NULL, pr_uddannelse := false) AS TABLE
WITH
timer AS (
    SELECT
        pr_sted_gruppe(oplaeringssted, pr_sted, hver_for_sig) AS gruppe,
        uddannelse,
        maaned,
        elever,
        planlagte_timer,
        syge_timer
    FROM valgte_sygefravaer_maaned(steder, uddannelser)
),

-- All chosen educations together (uddannelse NULL) and, with pr_uddannelse, each on
-- its own as well: one pass instead of one query per education.
final AS (
    SELECT
        gruppe AS oplaeringssted,
        uddannelse,
        maaned,
        -- Distinct students per site and education add up (int_sygefravaer_maaned.sql).
        sum(elever)::BIGINT AS elever,
        sum(planlagte_timer) AS planlagte_timer,
        sum(syge_timer) AS syge_timer,
        sum(syge_timer) / sum(planlagte_timer) AS andel
    FROM timer
    GROUP BY GROUPING SETS ((gruppe, uddannelse, maaned), (gruppe, maaned))
    HAVING pr_uddannelse OR grouping(uddannelse) = 1
)

SELECT * FROM final ORDER BY oplaeringssted, uddannelse NULLS LAST, maaned;
