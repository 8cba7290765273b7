-- depends:
CREATE OR REPLACE VIEW stg_gennemfoerte AS
SELECT
    elev_id,
    uddannelse,
    afsluttet_dato
FROM gennemfoerte;
