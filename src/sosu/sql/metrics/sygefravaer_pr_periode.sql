-- depends: pr_sted_gruppe, valgte_sygefravaer_aar, valgte_sygefravaer_maaned
-- Sick leave = Σ sick hours / Σ planned hours, per month or, with `aarlig`, per calendar
-- year: the one definition behind sygefravaer_pr_maaned and sygefravaer_pr_aar, which
-- keep their period's column (maaned or aar) and the order. Only the chosen period's
-- hours are read (the other branch's filter is false).
CREATE OR REPLACE MACRO sygefravaer_pr_periode(
    steder, uddannelser, aarlig, pr_sted, hver_for_sig, pr_uddannelse
) AS TABLE
    WITH
    timer AS (
        SELECT
            oplaeringssted,
            uddannelse,
            maaned,
            aar,
            elever,
            planlagte_timer,
            syge_timer
        FROM valgte_sygefravaer_maaned(steder, uddannelser)
        WHERE NOT aarlig
        UNION ALL BY NAME
        SELECT
            oplaeringssted,
            uddannelse,
            aar,
            elever,
            planlagte_timer,
            syge_timer
        FROM valgte_sygefravaer_aar(steder, uddannelser)
        WHERE aarlig
    ),

    grupper AS (
        SELECT
            pr_sted_gruppe(oplaeringssted, pr_sted, hver_for_sig) AS gruppe,
            uddannelse,
            maaned,
            aar,
            elever,
            planlagte_timer,
            syge_timer
        FROM timer
    ),

    -- All chosen educations together (uddannelse NULL) and, with pr_uddannelse, each on
    -- its own as well: one pass instead of one query per education. A month lies in one
    -- year, so grouping by both is grouping by the month (or, by the year, maaned NULL).
    final AS (
        SELECT
            gruppe AS oplaeringssted,
            uddannelse,
            maaned,
            aar,
            -- Distinct students per site and education add up (int_sygefravaer_maaned.sql).
            sum(elever)::BIGINT AS elever,
            sum(planlagte_timer) AS planlagte_timer,
            sum(syge_timer) AS syge_timer,
            sum(syge_timer) / sum(planlagte_timer) AS andel
        FROM grupper
        GROUP BY GROUPING SETS ((gruppe, uddannelse, maaned, aar), (gruppe, maaned, aar))
        HAVING pr_uddannelse OR grouping(uddannelse) = 1
    )

    SELECT * FROM final;
