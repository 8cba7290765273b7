-- One row per student and month of sick-leave data, seen from the end of that month:
-- the sick-leave share of the last three months, the two months before one by one, and
-- the phase the student is probably in. The early-warning list reads the newest months;
-- its back-test reads every month.
-- A table, built once per load: a window over every sick-leave row is seconds at
-- national scale, too slow to repeat on every page view. It is millions of rows, so it
-- holds only what changes from month to month, keyed by the student's `forloeb_nr`;
-- the student's site, status and outcome are joined from int_elevforloeb when read
-- (writing them into every row doubled the build).
CREATE OR REPLACE TABLE int_sygevinduer AS
WITH
timer AS (SELECT * FROM stg_sygefravaer),
forloeb AS (SELECT forloeb_nr, elev_id, uddannelse, ansat_dato FROM int_elevforloeb),
skema AS (SELECT * FROM standardforloeb),

-- Months since hire counts month boundaries: the month of hire is month 0. As a whole
-- number it also places the rows before this one (below) without date arithmetic.
maaneder AS (
    SELECT
        f.forloeb_nr,
        f.uddannelse,
        t.maaned,
        date_diff('month', date_trunc('month', f.ansat_dato), t.maaned)::INTEGER
            AS maaneder_siden_ansaettelse,
        t.syge_timer,
        t.planlagte_timer
    FROM timer AS t
    JOIN forloeb AS f USING (elev_id, uddannelse)
),

-- The contract allows one row per student and month, so the two months before a row
-- are among the two rows before it; how many months back each lies says whether it is
-- in the window.
forskudt AS (
    SELECT
        forloeb_nr,
        uddannelse,
        maaned,
        maaneder_siden_ansaettelse,
        syge_timer AS s0,
        planlagte_timer AS p0,
        maaneder_siden_ansaettelse - lag(maaneder_siden_ansaettelse, 1) OVER w AS tilbage1,
        lag(syge_timer, 1) OVER w AS s1,
        lag(planlagte_timer, 1) OVER w AS p1,
        maaneder_siden_ansaettelse - lag(maaneder_siden_ansaettelse, 2) OVER w AS tilbage2,
        lag(syge_timer, 2) OVER w AS s2,
        lag(planlagte_timer, 2) OVER w AS p2
    FROM maaneder
    WINDOW w AS (PARTITION BY forloeb_nr ORDER BY maaned)
),

vinduer AS (
    SELECT
        forloeb_nr,
        uddannelse,
        maaned,
        maaneder_siden_ansaettelse,
        s0 / nullif(p0, 0) AS andel_maaned,
        (s0 + CASE WHEN tilbage1 <= 2 THEN s1 ELSE 0 END
            + CASE WHEN tilbage2 <= 2 THEN s2 ELSE 0 END)
            / nullif(p0 + CASE WHEN tilbage1 <= 2 THEN p1 ELSE 0 END
                        + CASE WHEN tilbage2 <= 2 THEN p2 ELSE 0 END, 0)
            AS andel_3_mdr,
        -- the month before and the one before that, only when they are in the data
        CASE WHEN tilbage1 = 1 THEN s1 / nullif(p1, 0) END AS andel_maaned_1,
        CASE WHEN tilbage1 = 1 AND tilbage2 = 2 THEN s2 / nullif(p2, 0) END
            AS andel_maaned_2
    FROM forskudt
),

-- The standard schedule month by month, so the phase is an equality join. Its last
-- phase is open-ended (a student behind schedule is still in it): months past its
-- start are looked up as its first month.
sidste_fase AS (
    SELECT uddannelse, max(fra_maaned) AS fra_maaned FROM skema GROUP BY uddannelse
),

skema_maaneder AS (
    SELECT s.uddannelse, m.maaned_nr, s.fase, s.tidlig
    FROM skema AS s
    JOIN sidste_fase AS l USING (uddannelse),
    LATERAL (
        SELECT unnest(range(s.fra_maaned, least(s.til_maaned, l.fra_maaned + 1))) AS maaned_nr
    ) AS m
),

final AS (
    SELECT
        v.forloeb_nr,
        v.maaned,
        v.andel_maaned,
        v.andel_3_mdr,
        v.andel_maaned_1,
        v.andel_maaned_2,
        v.maaneder_siden_ansaettelse,
        s.fase AS anslaaet_fase,
        s.tidlig AS tidlig_fase
    FROM vinduer AS v
    LEFT JOIN sidste_fase AS l USING (uddannelse)
    LEFT JOIN skema_maaneder AS s
        ON s.uddannelse = v.uddannelse
        AND s.maaned_nr = least(v.maaneder_siden_ansaettelse, l.fra_maaned)
)

SELECT * FROM final;
