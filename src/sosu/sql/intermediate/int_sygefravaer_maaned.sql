-- depends: eksakt_sum, int_elevforloeb, int_elevmaaneder
-- Sick-leave hours added up per site, education and month (int_sygefravaer_aar per year,
-- int_sygefravaer_elev per student). The sick-leave metrics add these up instead of
-- joining millions of student-months to elever on every query. Materialised: tables
-- built once per load (every load builds a new database file, so they cannot go stale).
-- A student's site is the one in elever, as everywhere else. `elever` counts students:
-- each (elev_id, uddannelse) has one site and one education, so the counts of different
-- sites and educations add up to the count of distinct students over all of them.
-- They read the student-months of int_elevmaaneder, keyed by an integer, rather than
-- joining the sick-leave rows to elever on two texts again.
CREATE OR REPLACE TABLE int_sygefravaer_maaned AS
WITH maaneder AS (
    SELECT
        forloeb_nr,
        maaned,
        tilbage_1,
        planlagte_timer,
        syge_timer
    FROM int_elevmaaneder
),

forloeb AS (
    SELECT
        forloeb_nr,
        oplaeringssted,
        uddannelse
    FROM int_elevforloeb
),

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
    INNER JOIN grupper AS g USING (forloeb_nr)
    GROUP BY g.gruppe_nr, m.maaned
),

k AS (
    SELECT DISTINCT
        gruppe_nr,
        oplaeringssted,
        uddannelse
    FROM grupper
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
    INNER JOIN k
        USING (gruppe_nr)
)

SELECT * FROM final
ORDER BY oplaeringssted, uddannelse, maaned;
