-- Sick-leave hours added up per site, education and month, per site, education and year,
-- and per student. The sick-leave metrics add these up instead of joining millions of
-- student-months to elever on every query. Materialised: tables built once per load
-- (every load builds a new database file, so they cannot go stale).
-- A student's site is the one in elever, as everywhere else. `elever` counts students:
-- each (elev_id, uddannelse) has one site and one education, so the counts of different
-- sites and educations add up to the count of distinct students over all of them.
-- All three read the student-months of int_elevmaaneder, keyed by an integer, rather
-- than joining the sick-leave rows to elever on two texts again. Its rows come in no fixed
-- order, so hours are added up exactly (as decimals), not as floating-point numbers
-- whose last digit depends on the order: the same data give the same figures each load.
-- DECIMAL(18, 6) holds any month's hours: the contract refuses more than 744.
CREATE OR REPLACE MACRO eksakt_sum(timer) AS sum(timer::DECIMAL(18, 6))::DOUBLE;

CREATE OR REPLACE TABLE int_sygefravaer_maaned AS
WITH
maaneder AS (
    SELECT forloeb_nr, maaned, tilbage_1, planlagte_timer, syge_timer FROM int_elevmaaneder
),
forloeb AS (SELECT forloeb_nr, oplaeringssted, uddannelse FROM int_elevforloeb),

-- Each site and education numbered: millions of months add up faster under one integer
-- than under two texts.
grupper AS (
    SELECT
        forloeb_nr,
        dense_rank() OVER (ORDER BY oplaeringssted, uddannelse) AS gruppe_nr,
        oplaeringssted,
        uddannelse
    FROM forloeb
),

summer AS (
    SELECT
        g.gruppe_nr,
        m.maaned,
        -- One row per student and month (the contract refuses duplicates): count(*) is
        -- the number of distinct students, without the cost of count(DISTINCT).
        count(*) AS elever,
        -- The students whose first month of sick-leave data this is within its year:
        -- added up over a year's months they count each student of that year once.
        count(*) FILTER (WHERE m.tilbage_1 IS NULL OR m.tilbage_1 >= month(m.maaned))
            AS nye_i_aaret,
        eksakt_sum(m.planlagte_timer) AS planlagte_timer,
        eksakt_sum(m.syge_timer) AS syge_timer
    FROM maaneder AS m
    JOIN grupper AS g USING (forloeb_nr)
    GROUP BY g.gruppe_nr, m.maaned
),

final AS (
    SELECT
        k.oplaeringssted,
        k.uddannelse,
        s.maaned,
        year(s.maaned) AS aar,
        s.elever,
        s.nye_i_aaret,
        s.planlagte_timer,
        s.syge_timer
    FROM summer AS s
    JOIN (SELECT DISTINCT gruppe_nr, oplaeringssted, uddannelse FROM grupper) AS k
        USING (gruppe_nr)
)

SELECT * FROM final ORDER BY oplaeringssted, uddannelse, maaned;

CREATE OR REPLACE TABLE int_sygefravaer_aar AS
WITH
maaneder AS (SELECT * FROM int_sygefravaer_maaned),

final AS (
    SELECT
        oplaeringssted,
        uddannelse,
        aar,
        sum(nye_i_aaret)::BIGINT AS elever,
        eksakt_sum(planlagte_timer) AS planlagte_timer,
        eksakt_sum(syge_timer) AS syge_timer
    FROM maaneder
    GROUP BY oplaeringssted, uddannelse, aar
)

SELECT * FROM final ORDER BY oplaeringssted, uddannelse, aar;

-- Per student: overall and in the last three months of data (for the student list).
CREATE OR REPLACE TABLE int_sygefravaer_elev AS
WITH
stand AS (SELECT data_pr FROM indlaesning),
maaneder AS (
    SELECT
        forloeb_nr,
        planlagte_timer,
        syge_timer,
        maaned > (SELECT data_pr FROM stand) - INTERVAL 3 MONTH AS seneste_3_mdr
    FROM int_elevmaaneder
),
forloeb AS (SELECT forloeb_nr, elev_id, uddannelse FROM int_elevforloeb),

pr_forloeb AS (
    SELECT
        forloeb_nr,
        eksakt_sum(syge_timer) / eksakt_sum(planlagte_timer) AS sygefravaer_i_alt,
        eksakt_sum(CASE WHEN seneste_3_mdr THEN syge_timer END)
            / eksakt_sum(CASE WHEN seneste_3_mdr THEN planlagte_timer END)
            AS sygefravaer_3_mdr
    FROM maaneder
    GROUP BY forloeb_nr
),

final AS (
    SELECT f.elev_id, f.uddannelse, p.sygefravaer_i_alt, p.sygefravaer_3_mdr
    FROM pr_forloeb AS p
    JOIN forloeb AS f USING (forloeb_nr)
)

SELECT * FROM final ORDER BY elev_id, uddannelse;
