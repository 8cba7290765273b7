-- Restriction shared by every metric: NULL means all sites / both educations.
CREATE OR REPLACE MACRO er_valgt(vaerdi, valgte) AS
    valgte IS NULL OR list_contains(valgte, vaerdi);

-- Students, cohort counts and sick-leave hours within a restriction: every metric starts
-- here, so a site or education restriction is defined once and cannot be forgotten.
CREATE OR REPLACE MACRO valgte_forloeb(steder, uddannelser) AS TABLE
SELECT * FROM int_elevforloeb
WHERE er_valgt(oplaeringssted, steder) AND er_valgt(uddannelse, uddannelser);

CREATE OR REPLACE MACRO valgte_kohorter(steder, uddannelser) AS TABLE
SELECT * FROM int_kohorter
WHERE er_valgt(oplaeringssted, steder) AND er_valgt(uddannelse, uddannelser);

CREATE OR REPLACE MACRO valgte_sygefravaer_maaned(steder, uddannelser) AS TABLE
SELECT * FROM int_sygefravaer_maaned
WHERE er_valgt(oplaeringssted, steder) AND er_valgt(uddannelse, uddannelser);

CREATE OR REPLACE MACRO valgte_sygefravaer_aar(steder, uddannelser) AS TABLE
SELECT * FROM int_sygefravaer_aar
WHERE er_valgt(oplaeringssted, steder) AND er_valgt(uddannelse, uddannelser);
