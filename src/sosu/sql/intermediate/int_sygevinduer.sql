-- depends: int_elevmaaneder
-- Each student-month seen from the end of that month: the sick-leave share of the month
-- and of the last three months, and the rising rule's threshold. The early warning's
-- tables are built from it (int_tidlig_elevmaaneder, int_seneste_maaned).
-- A view of the load only (TEMP), over int_elevmaaneder: the month's own share is
-- computed as it is read, from the hours the sick-leave sums also use.
CREATE OR REPLACE TEMP VIEW int_sygevinduer AS
WITH
maaneder AS (SELECT * FROM int_elevmaaneder),

final AS (
    SELECT
        forloeb_nr,
        maaned,
        syge_timer / nullif(planlagte_timer, 0) AS andel_maaned,
        andel_3_mdr,
        graense_stigende,
        maaneder_siden_ansaettelse,
        -- the phase's name is looked up by fase_id (standardforloeb) where it is shown
        fase_id,
        tidlig_fase
    FROM maaneder
)

SELECT * FROM final;
