-- depends:
CREATE OR REPLACE VIEW stg_efter_uddannelse AS
SELECT
    elev_id,
    uddannelse,
    ansat_i_kommunen = 'ja' AS ansat_i_kommunen,
    arbejdssted,
    dato
FROM efter_uddannelse;
