-- depends:
-- Dropped out, a switch SSA -> SSH (omvalg) not counted: omvalg is no dropout in the
-- ministry's statistics. The one definition for the cohorts (int_kohorter), the early
-- warning's student-months (int_elevmaaneder) and its back-test (tidlig_opsporing_test).
CREATE OR REPLACE MACRO frafaldet_uden_omvalg(status, omvalg) AS
status = 'frafaldet' AND NOT omvalg;
