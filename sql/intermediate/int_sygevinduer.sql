-- Each student-month seen from the end of that month: the sick-leave share of the month,
-- of the last three months, and of the two months before one by one. The early-warning
-- list reads the newest months; its back-test reads every month.
-- A view over int_elevmaaneder: the month's own share is computed as it is read, from
-- the hours the sick-leave sums also use.
CREATE OR REPLACE VIEW int_sygevinduer AS
WITH
maaneder AS (SELECT * FROM int_elevmaaneder),

final AS (
    SELECT
        forloeb_nr,
        maaned,
        syge_timer / nullif(planlagte_timer, 0) AS andel_maaned,
        andel_3_mdr,
        andel_maaned_1,
        andel_maaned_2,
        maaneder_siden_ansaettelse,
        -- the phase's name is looked up by fase_id (standardforloeb) where it is shown
        fase_id,
        tidlig_fase,
        frafald_maaneder_efter
    FROM maaneder
)

SELECT * FROM final;
