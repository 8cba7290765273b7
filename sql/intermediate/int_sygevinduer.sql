-- One row per student and month of sick-leave data, seen from the end of that month:
-- the sick-leave share of the last three months and of the three months before them,
-- and the phase the student is probably in. The early-warning list reads the newest
-- month; its back-test reads every month, so both use the same windows.
CREATE OR REPLACE VIEW int_sygevinduer AS
WITH
timer AS (SELECT * FROM stg_sygefravaer),
elever AS (SELECT elev_id, uddannelse, ansat_dato FROM stg_elever),
skema AS (SELECT * FROM standardforloeb),

vinduer AS (
    SELECT
        elev_id,
        uddannelse,
        maaned,
        syge_timer / nullif(planlagte_timer, 0) AS andel_maaned,
        sum(syge_timer) OVER seneste / nullif(sum(planlagte_timer) OVER seneste, 0)
            AS andel_3_mdr,
        sum(syge_timer) OVER forrige / nullif(sum(planlagte_timer) OVER forrige, 0)
            AS andel_forrige_3_mdr,
        -- each of the last three months, oldest first (fewer just after hire)
        list(syge_timer / nullif(planlagte_timer, 0)) OVER seneste AS seneste_3_maaneder
    FROM timer
    WINDOW
        seneste AS (PARTITION BY elev_id, uddannelse ORDER BY maaned
                    RANGE BETWEEN INTERVAL 2 MONTH PRECEDING AND CURRENT ROW),
        forrige AS (PARTITION BY elev_id, uddannelse ORDER BY maaned
                    RANGE BETWEEN INTERVAL 5 MONTH PRECEDING AND INTERVAL 3 MONTH PRECEDING)
),

-- Months since hire counts month boundaries: the month of hire is month 0.
alder AS (
    SELECT
        v.*,
        date_diff('month', date_trunc('month', e.ansat_dato), v.maaned)
            AS maaneder_siden_ansaettelse
    FROM vinduer AS v
    JOIN elever AS e USING (elev_id, uddannelse)
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
