-- depends: int_tidlig_elevmaaneder, valgte_forloeb
-- Active students as of the newest month of sick-leave data: what the list is a share of.
CREATE OR REPLACE MACRO aktive_elever(steder, uddannelser) AS TABLE
    SELECT
        (SELECT max(maaned) FROM int_tidlig_elevmaaneder) AS maaned,
        count(*) AS aktive
    FROM valgte_forloeb(steder, uddannelser)
    WHERE status = 'aktiv';
