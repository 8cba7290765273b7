-- depends: eksakt_sum, int_elevforloeb, int_elevmaaneder
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

forloeb AS (
    SELECT
        forloeb_nr,
        elev_id,
        uddannelse
    FROM int_elevforloeb
),

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
    SELECT
        f.elev_id,
        f.uddannelse,
        p.sygefravaer_i_alt,
        p.sygefravaer_3_mdr
    FROM pr_forloeb AS p
    INNER JOIN forloeb AS f USING (forloeb_nr)
)

SELECT * FROM final
ORDER BY elev_id, uddannelse;
