-- depends: er_valgt, int_kohorter
-- Cohort counts within a restriction (see valgte_forloeb).
CREATE OR REPLACE MACRO valgte_kohorter(steder, uddannelser) AS TABLE
    SELECT * FROM int_kohorter
    WHERE er_valgt(oplaeringssted, steder) AND er_valgt(uddannelse, uddannelser);
