-- depends: er_valgt, int_elevforloeb
-- Students within a restriction. Every metric starts from one of the valgte_* macros
-- (students, cohort counts, sick-leave hours per month or year), so a site or education
-- restriction is defined once (er_valgt) and cannot be forgotten.
CREATE OR REPLACE MACRO valgte_forloeb(steder, uddannelser) AS TABLE
    SELECT * FROM int_elevforloeb
    WHERE er_valgt(oplaeringssted, steder) AND er_valgt(uddannelse, uddannelser);
