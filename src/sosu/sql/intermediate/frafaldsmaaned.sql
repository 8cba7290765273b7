-- depends: frafaldet_uden_omvalg
-- The month a student dropped out in; NULL when they did not, and for a switch SSA -> SSH
-- (omvalg), which is no dropout in the ministry's statistics. Asked once per student
-- where the early warning's back-test counts its student-months (faldt_fra_inden_3_mdr,
-- faldt_fra_om_3_mdr), rather than written with every one of the millions of months.
CREATE OR REPLACE MACRO frafaldsmaaned(status, omvalg, frafald_dato) AS
CASE WHEN frafaldet_uden_omvalg(status, omvalg) THEN date_trunc('month', frafald_dato)::DATE END;
