-- Early warning (tidlig opsporing): the rules. Defined before the student-month table,
-- which holds each month's threshold for the rising rule (int_elevmaaneder).
--
-- One threshold `graense` (a share, 0.10 = 10 %) drives every rule:
--   hoejt         the last three months' sick leave is above the threshold;
--   stigende      each of the last three months higher than the one before, the newest
--                 above the threshold (caught before the three-month share gets there);
--   tidligt_tegn  in the early phases, where most dropouts happen, half the bar: the
--                 last three months above half the threshold.
-- Each rule as the threshold below which it lists a student-month (NULL: never), so a
-- sign is "threshold below this" and the back-test can try many thresholds at once.
CREATE OR REPLACE MACRO graense_hoejt(andel_3_mdr) AS andel_3_mdr;
CREATE OR REPLACE MACRO graense_stigende(foer_2, foer_1, nu) AS
    CASE WHEN foer_2 < foer_1 AND foer_1 < nu THEN nu END;
CREATE OR REPLACE MACRO graense_tidligt(tidlig_fase, andel_3_mdr) AS
    CASE WHEN tidlig_fase THEN 2 * andel_3_mdr END;
-- The highest threshold at which the student-month is on the list by any rule.
-- `stigende` is the month's graense_stigende, stored with every student-month.
CREATE OR REPLACE MACRO listegraense(andel_3_mdr, stigende, tidlig_fase) AS
    greatest(coalesce(graense_hoejt(andel_3_mdr), -1),
             coalesce(stigende, -1),
             coalesce(graense_tidligt(tidlig_fase, andel_3_mdr), -1));
CREATE OR REPLACE MACRO varsel_hoejt(andel_3_mdr, graense) AS
    coalesce(graense_hoejt(andel_3_mdr) > graense, false);
CREATE OR REPLACE MACRO varsel_stigende(stigende, graense) AS
    coalesce(stigende > graense, false);
CREATE OR REPLACE MACRO varsel_tidligt(tidlig_fase, andel_3_mdr, graense) AS
    coalesce(graense_tidligt(tidlig_fase, andel_3_mdr) > graense, false);
