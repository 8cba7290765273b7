-- One row per student and month of sick-leave data, seen from the end of that month:
-- the sick-leave share of the last three months, those months one by one, and the
-- phase the student is probably in. The
-- early-warning list reads the newest month; its back-test reads every month.
-- A table, built once per load: a window over every sick-leave row is seconds at
-- national scale, too slow to repeat on every page view.
CREATE OR REPLACE TABLE int_sygevinduer AS
WITH
timer AS (SELECT * FROM stg_sygefravaer),
-- The student's site and outcome ride along, so the metrics need no join per view.
forloeb AS (
    SELECT
        elev_id,
        uddannelse,
        ansat_dato,
        oplaeringssted,
        status,
        CASE WHEN status = 'frafaldet' AND NOT omvalg
             THEN date_trunc('month', frafald_dato) END AS frafaldsmaaned
    FROM int_elevforloeb
),
skema AS (SELECT * FROM standardforloeb),

-- The contract allows one row per student and month, so the two months before a row
-- are among the two rows before it; each lag's month says whether it is in the window.
forskudt AS (
    SELECT
        elev_id,
        uddannelse,
        maaned,
        syge_timer AS s0,
        planlagte_timer AS p0,
        lag(maaned, 1) OVER w AS m1, lag(syge_timer, 1) OVER w AS s1,
        lag(planlagte_timer, 1) OVER w AS p1,
        lag(maaned, 2) OVER w AS m2, lag(syge_timer, 2) OVER w AS s2,
        lag(planlagte_timer, 2) OVER w AS p2
    FROM timer
    WINDOW w AS (PARTITION BY elev_id, uddannelse ORDER BY maaned)
),

placeret AS (
    SELECT
        *,
        coalesce(m1 = maaned - INTERVAL 1 MONTH, false) AS f1,
        coalesce(m1 >= maaned - INTERVAL 2 MONTH, false) AS n1,
        coalesce(m2 >= maaned - INTERVAL 2 MONTH, false) AS n2,
        coalesce(m2 = maaned - INTERVAL 2 MONTH, false) AS f2
    FROM forskudt
),

vinduer AS (
    SELECT
        elev_id,
        uddannelse,
        maaned,
        s0 / nullif(p0, 0) AS andel_maaned,
        (s0 + CASE WHEN n1 THEN s1 ELSE 0 END + CASE WHEN n2 THEN s2 ELSE 0 END)
            / nullif(p0 + CASE WHEN n1 THEN p1 ELSE 0 END + CASE WHEN n2 THEN p2 ELSE 0 END, 0)
            AS andel_3_mdr,
        -- the month before and the one before that, only when they are in the data
        CASE WHEN f1 THEN s1 / nullif(p1, 0) END AS andel_maaned_1,
        CASE WHEN f1 AND f2 THEN s2 / nullif(p2, 0) END AS andel_maaned_2
    FROM placeret
),

-- Months since hire counts month boundaries: the month of hire is month 0.
alder AS (
    SELECT
        v.*,
        e.oplaeringssted,
        e.status,
        e.frafaldsmaaned,
        date_diff('month', date_trunc('month', e.ansat_dato), v.maaned)
            AS maaneder_siden_ansaettelse
    FROM vinduer AS v
    JOIN forloeb AS e USING (elev_id, uddannelse)
),

-- The standard schedule's last phase is open-ended: a student behind schedule is
-- still in it.
final AS (
    SELECT
        a.*,
        s.fase AS anslaaet_fase,
        s.tidlig AS tidlig_fase
    FROM alder AS a
    LEFT JOIN skema AS s
        ON s.uddannelse = a.uddannelse
        AND a.maaneder_siden_ansaettelse >= s.fra_maaned
        AND (a.maaneder_siden_ansaettelse < s.til_maaned
             OR s.til_maaned = (SELECT max(til_maaned) FROM skema AS m
                                WHERE m.uddannelse = s.uddannelse))
)

SELECT * FROM final;
