-- depends: er_valgt, int_fuldstaendighed
-- How complete the data are, per site, within a restriction (see valgte_forloeb).
CREATE OR REPLACE MACRO valgte_fuldstaendighed(steder, uddannelser) AS TABLE
    SELECT * FROM int_fuldstaendighed
    WHERE er_valgt(oplaeringssted, steder) AND er_valgt(uddannelse, uddannelser);
