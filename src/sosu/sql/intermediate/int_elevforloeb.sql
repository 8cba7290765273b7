-- depends: stg_efter_uddannelse, stg_elever, stg_frafald, stg_gennemfoerte
-- One row per student: where they are in the programme and how it ended.
-- A student's site is the one in elever; every site restriction uses it.
-- Materialised: a table built once per load (every load builds a new database file, so
-- it cannot go stale), not a view that joins four tables again on every query.
-- `forloeb_nr` numbers the rows in their stored order: the early warning's millions of
-- student-months carry this integer instead of the student's text keys and attributes.
CREATE OR REPLACE TABLE int_elevforloeb AS
WITH
elever AS (SELECT * FROM stg_elever),

gennemfoerte AS (SELECT * FROM stg_gennemfoerte),

frafald AS (SELECT * FROM stg_frafald),

efter AS (SELECT * FROM stg_efter_uddannelse),

final AS (
    SELECT
        e.elev_id,
        e.uddannelse,
        e.aargang,
        e.ansat_dato,
        e.alder,
        e.oplaeringssted,
        e.rekruttering,
        g.afsluttet_dato,
        f.frafald_dato,
        f.aarsag,
        f.fase,
        CASE
            WHEN g.elev_id IS NOT NULL THEN 'gennemfoert'
            WHEN f.elev_id IS NOT NULL THEN 'frafaldet'
            ELSE 'aktiv'
        END AS status,
        -- The main course (hovedforløb) is every phase after the basic course.
        coalesce(f.fase <> 'GF', FALSE) AS frafald_hovedforloeb,
        -- A switch SSA -> SSH is omvalg in the ministry's statistics, not dropout.
        coalesce(f.aarsag = 'skift_ssa_ssh', FALSE) AS omvalg,
        coalesce(a.ansat_i_kommunen, FALSE) AS ansat_efter,
        a.arbejdssted
    FROM elever AS e
    LEFT JOIN gennemfoerte AS g USING (elev_id, uddannelse)
    LEFT JOIN frafald AS f USING (elev_id, uddannelse)
    LEFT JOIN efter AS a USING (elev_id, uddannelse)
)

-- Sorted by site: a site's students lie together, so a one-site page reads few blocks.
SELECT
    row_number() OVER (ORDER BY oplaeringssted, uddannelse, aargang, elev_id)::INTEGER
        AS forloeb_nr,
    *
FROM final
ORDER BY forloeb_nr;
