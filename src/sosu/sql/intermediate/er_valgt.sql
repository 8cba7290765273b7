-- depends:
-- Restriction shared by every metric: NULL means all sites / both educations.
CREATE OR REPLACE MACRO er_valgt(vaerdi, valgte) AS
valgte IS NULL OR list_contains(valgte, vaerdi);
