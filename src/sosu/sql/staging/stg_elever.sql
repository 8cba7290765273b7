-- depends:
-- Hires as loaded: one row per student (elev_id, uddannelse).
CREATE OR REPLACE VIEW stg_elever AS
SELECT
    elev_id,
    uddannelse,
    ansat_dato,
    year(ansat_dato) AS aargang,
    alder,
    oplaeringssted,
    rekruttering
FROM elever;
