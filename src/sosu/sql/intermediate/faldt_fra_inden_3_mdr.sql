-- depends:
-- Did the student drop out within the three months after this student-month (`maaned`;
-- `frafaldsmaaned` is the student's)? Months count month boundaries, as everywhere. The
-- early warning's back-test: of the students on the list, how many left soon after.
CREATE OR REPLACE MACRO faldt_fra_inden_3_mdr(maaned, frafaldsmaaned) AS
coalesce(date_diff('month', maaned, frafaldsmaaned) BETWEEN 1 AND 3, FALSE);
