-- depends: er_valgt, int_sygefravaer_aar
-- Sick-leave hours per year within a restriction (see valgte_forloeb).
CREATE OR REPLACE MACRO valgte_sygefravaer_aar(steder, uddannelser) AS TABLE
    SELECT * FROM int_sygefravaer_aar
    WHERE er_valgt(oplaeringssted, steder) AND er_valgt(uddannelse, uddannelser);
