-- depends:
-- Did the student drop out exactly three months after this student-month: the month in
-- which the early warning's list had to show them (its back-test's "caught").
CREATE OR REPLACE MACRO faldt_fra_om_3_mdr(maaned, frafaldsmaaned) AS
coalesce(date_diff('month', maaned, frafaldsmaaned) = 3, FALSE);
