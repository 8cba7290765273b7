-- Sick-leave hours added up per site, education and month, per site, education and year,
-- and per student. The sick-leave metrics add these up instead of joining millions of
-- student-months to elever on every query. Materialised: tables built once per load
-- (every load builds a new database file, so they cannot go stale).
-- A student's site is the one in elever, as everywhere else. `elever` counts students:
-- each (elev_id, uddannelse) has one site and one education, so the counts of different
-- sites and educations add up to the count of distinct students over all of them.
CREATE OR REPLACE TABLE int_sygefravaer_maaned AS
WITH
timer AS (
    SELECT e.oplaeringssted, s.uddannelse, s.elev_id, s.maaned, s.aar,
           s.planlagte_timer, s.syge_timer
    FROM stg_sygefravaer AS s
    JOIN stg_elever AS e USING (elev_id, uddannelse)
),

final AS (
    SELECT
        oplaeringssted,
        uddannelse,
        maaned,
        aar,
        -- One row per student and month (the contract refuses duplicates): count(*) is
        -- the number of distinct students, without the cost of count(DISTINCT).
        count(*) AS elever,
        sum(planlagte_timer) AS planlagte_timer,
        sum(syge_timer) AS syge_timer
    FROM timer
    GROUP BY oplaeringssted, uddannelse, maaned, aar
)

SELECT * FROM final ORDER BY oplaeringssted, uddannelse, maaned;

CREATE OR REPLACE TABLE int_sygefravaer_aar AS
WITH
timer AS (
    SELECT e.oplaeringssted, s.uddannelse, s.elev_id, s.aar, s.planlagte_timer, s.syge_timer
    FROM stg_sygefravaer AS s
    JOIN stg_elever AS e USING (elev_id, uddannelse)
),

final AS (
    SELECT
        oplaeringssted,
        uddannelse,
        aar,
        count(DISTINCT elev_id) AS elever,
        sum(planlagte_timer) AS planlagte_timer,
        sum(syge_timer) AS syge_timer
    FROM timer
    GROUP BY oplaeringssted, uddannelse, aar
)

SELECT * FROM final ORDER BY oplaeringssted, uddannelse, aar;

-- Per student: overall and in the last three months of data (for the student list).
CREATE OR REPLACE TABLE int_sygefravaer_elev AS
WITH
timer AS (SELECT * FROM stg_sygefravaer),
stand AS (SELECT data_pr FROM indlaesning),

final AS (
    SELECT
        elev_id,
        uddannelse,
        sum(syge_timer) / sum(planlagte_timer) AS sygefravaer_i_alt,
        sum(syge_timer) FILTER (WHERE maaned > (SELECT data_pr FROM stand) - INTERVAL 3 MONTH)
            / sum(planlagte_timer)
                FILTER (WHERE maaned > (SELECT data_pr FROM stand) - INTERVAL 3 MONTH)
            AS sygefravaer_3_mdr
    FROM timer
    GROUP BY elev_id, uddannelse
)

SELECT * FROM final ORDER BY elev_id, uddannelse;
