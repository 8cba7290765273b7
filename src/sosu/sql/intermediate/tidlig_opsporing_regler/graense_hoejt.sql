-- depends:
-- Early warning, rule hoejt: the last three months' sick leave is above the threshold.
-- As every rule, the threshold below which it lists a student-month (listegraense.sql).
CREATE OR REPLACE MACRO graense_hoejt(andel_3_mdr) AS andel_3_mdr;
