-- depends: eksakt_sum, int_elevmaaneder
-- Per student: overall and in the last three months of data (for the student list, which
-- joins it to the student by `forloeb_nr`). Stored in student order, which is site order
-- (int_elevforloeb): keyed by the integer, it needs no join to the student's text keys
-- and no sort on them (a third of this table's build).
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

final AS (
    SELECT
        forloeb_nr,
        eksakt_sum(syge_timer) / eksakt_sum(planlagte_timer) AS sygefravaer_i_alt,
        eksakt_sum(CASE WHEN seneste_3_mdr THEN syge_timer END)
        / eksakt_sum(CASE WHEN seneste_3_mdr THEN planlagte_timer END)
            AS sygefravaer_3_mdr
    FROM maaneder
    GROUP BY forloeb_nr
)

SELECT * FROM final
ORDER BY forloeb_nr;
