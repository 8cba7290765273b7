-- depends: int_sygevinduer, listegraense
-- Early warning (tidlig opsporing): what it keeps of the student-months, and the parts
-- that are the same for every view (int_tidlig_baand, int_seneste_maaned), built once per
-- load. The list and its back-test (sql/metrics/tidlig_opsporing.sql,
-- tidlig_opsporing_test.sql) read them; the rules are in tidlig_opsporing_regler/.
-- Each student-month once, with the highest threshold that lists it. Whether the student
-- dropped out soon after is the student's (faldt_fra_inden_3_mdr, faldt_fra_om_3_mdr):
-- asked where it is counted, not written with each of the millions of months.
-- Kept: the back-test for a choice of sites, or at a threshold off the offered ones,
-- counts these when asked. With the newest month's rows below, this is what the
-- database keeps of each student's months; their hours stay in the load
-- (int_elevmaaneder).
CREATE OR REPLACE TABLE int_tidlig_elevmaaneder AS
WITH
vinduer AS (SELECT * FROM int_sygevinduer),

final AS (
    SELECT
        forloeb_nr,
        maaned,
        listegraense(andel_3_mdr, graense_stigende, tidlig_fase) AS listegraense
    FROM vinduer
)

SELECT * FROM final;
