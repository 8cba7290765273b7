-- depends: graense_stigende, int_elevforloeb, stg_sygefravaer
-- One row per student and month of sick-leave data, seen from the end of that month: its
-- hours, the sick-leave share of the last three months, the early warning's rising rule
-- as a threshold (the month's share when each of the last three months rose, else
-- NULL), and the phase the student is probably in (as its row of standardforloeb). The
-- sick-leave sums (int_sygefravaer) and the early warning's tables (int_sygevinduer,
-- int_tidlig_opsporing) read it.
-- A table of the load only (TEMP), like the sick-leave rows it is made from: what the
-- figures need of it is kept in the tables built from it, and writing its millions of
-- rows into the file was a fifth of a national load. It is keyed by the student's
-- integer `forloeb_nr` and the phase by a small number; the student's site and status,
-- and the phase's name, are joined where needed.
CREATE OR REPLACE TEMP TABLE int_elevmaaneder AS
WITH
timer AS (SELECT * FROM stg_sygefravaer),

forloeb AS (
    SELECT
        forloeb_nr,
        elev_id,
        uddannelse,
        ansat_dato
    FROM int_elevforloeb
),

skema AS (SELECT * FROM standardforloeb),

-- The standard schedule month by month, so the phase is an equality join. Its last
-- phase is open-ended (a student behind schedule is still in it): months past its
-- start are looked up as its first month.
sidste_fase AS (
    SELECT
        uddannelse,
        max(fra_maaned) AS fra_maaned
    FROM skema
    GROUP BY uddannelse
),

skema_maaneder AS (
    SELECT
        s.uddannelse,
        m.maaned_nr,
        s.fase_id,
        s.tidlig
    FROM skema AS s
    INNER JOIN sidste_fase AS l USING (uddannelse),
        LATERAL (
            SELECT unnest(range(s.fra_maaned, least(s.til_maaned, l.fra_maaned + 1))) AS maaned_nr
        ) AS m
),

-- Months since hire counts month boundaries: the month of hire is month 0. As a whole
-- number it also places the rows before this one (below) without date arithmetic.
-- The phase is looked up before the window below, which then carries two small codes
-- instead of the education's text through its sort (a tenth of the build).
-- A month of no known student keeps its row, without a forloeb_nr: on the fast path the
-- load checks the sick-leave months on this table (etl.fast.sick_leave_months_sql) and
-- starts again on the text path, which refuses such a month; no database keeps one.
maaneder AS (
    SELECT
        f.forloeb_nr,
        t.maaned,
        date_diff('month', date_trunc('month', f.ansat_dato), t.maaned)::INTEGER
            AS maaneder_siden_ansaettelse,
        t.syge_timer,
        t.planlagte_timer,
        f.uddannelse
    FROM timer AS t
    LEFT JOIN forloeb AS f USING (elev_id, uddannelse)
),

faser AS (
    SELECT
        m.* EXCLUDE (uddannelse),
        s.fase_id,  -- the phase's row of standardforloeb, for its name
        s.tidlig AS tidlig_fase
    FROM maaneder AS m
    LEFT JOIN sidste_fase AS l USING (uddannelse)
    LEFT JOIN skema_maaneder AS s
        ON m.uddannelse = s.uddannelse
            AND s.maaned_nr = least(m.maaneder_siden_ansaettelse, l.fra_maaned)
),

-- The contract allows one row per student and month, so the two months before a row
-- are among the two rows before it; how many months back each lies says whether it is
-- in the window.
forskudt AS (
    SELECT
        *,
        maaneder_siden_ansaettelse - lag(maaneder_siden_ansaettelse, 1) OVER w AS tilbage_1,
        lag(syge_timer, 1) OVER w AS syge_timer_1,
        lag(planlagte_timer, 1) OVER w AS planlagte_timer_1,
        maaneder_siden_ansaettelse - lag(maaneder_siden_ansaettelse, 2) OVER w AS tilbage_2,
        lag(syge_timer, 2) OVER w AS syge_timer_2,
        lag(planlagte_timer, 2) OVER w AS planlagte_timer_2
    FROM faser
    WINDOW w AS (PARTITION BY forloeb_nr ORDER BY maaned)
),

final AS (
    SELECT
        v.forloeb_nr,
        v.maaned,
        v.maaneder_siden_ansaettelse,
        v.fase_id,
        v.tidlig_fase,
        v.syge_timer,
        v.planlagte_timer,
        -- how many months back the student's row before lies (NULL: the first row)
        v.tilbage_1,
        (
            v.syge_timer
            + CASE WHEN v.tilbage_1 <= 2 THEN v.syge_timer_1 ELSE 0 END
            + CASE WHEN v.tilbage_2 <= 2 THEN v.syge_timer_2 ELSE 0 END
        )
        / nullif(
            v.planlagte_timer
            + CASE WHEN v.tilbage_1 <= 2 THEN v.planlagte_timer_1 ELSE 0 END
            + CASE WHEN v.tilbage_2 <= 2 THEN v.planlagte_timer_2 ELSE 0 END, 0)
            AS andel_3_mdr,
        -- The early warning's rising rule (each of the last three months higher than the
        -- one before) as the threshold below which it lists the month: one column,
        -- mostly NULL, instead of the two months' shares (a tenth less to write).
        graense_stigende(
            CASE WHEN v.tilbage_1 = 1 AND v.tilbage_2 = 2
                    THEN v.syge_timer_2 / nullif(v.planlagte_timer_2, 0)
            END,
            CASE WHEN v.tilbage_1 = 1 THEN v.syge_timer_1 / nullif(v.planlagte_timer_1, 0) END,
            v.syge_timer / nullif(v.planlagte_timer, 0)
        ) AS graense_stigende
    FROM forskudt AS v
)

SELECT * FROM final;
