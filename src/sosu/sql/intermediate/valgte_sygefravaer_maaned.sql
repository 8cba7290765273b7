-- depends: er_valgt, int_sygefravaer_maaned
-- Sick-leave hours per month within a restriction (see valgte_forloeb).
CREATE OR REPLACE MACRO valgte_sygefravaer_maaned(steder, uddannelser) AS TABLE
    SELECT * FROM int_sygefravaer_maaned
    WHERE er_valgt(oplaeringssted, steder) AND er_valgt(uddannelse, uddannelser);
