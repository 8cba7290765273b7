-- depends:
-- Is the student-month listed by rule stigende at threshold `graense`?
CREATE OR REPLACE MACRO varsel_stigende(stigende, graense) AS
coalesce(stigende > graense, FALSE);
