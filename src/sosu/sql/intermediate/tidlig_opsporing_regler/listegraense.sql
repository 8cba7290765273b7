-- depends: graense_hoejt, graense_tidligt
-- Early warning (tidlig opsporing): the rules, one macro each in this folder.
-- One threshold `graense` (a share, 0.10 = 10 %) drives every rule:
--   hoejt         the last three months' sick leave is above the threshold;
--   stigende      each of the last three months higher than the one before, the newest
--                 above the threshold (caught before the three-month share gets there);
--   tidligt_tegn  in the early phases, where most dropouts happen, half the bar: the
--                 last three months above half the threshold.
-- Each rule as the threshold below which it lists a student-month (NULL: never), so a
-- sign is "threshold below this" and the back-test can try many thresholds at once.
-- This macro: the highest threshold at which the student-month is on the list by any
-- rule. `stigende` is the month's graense_stigende, stored with every student-month.
CREATE OR REPLACE MACRO listegraense(andel_3_mdr, stigende, tidlig_fase) AS
greatest(
    coalesce(graense_hoejt(andel_3_mdr), -1),
    coalesce(stigende, -1),
    coalesce(graense_tidligt(tidlig_fase, andel_3_mdr), -1)
);
