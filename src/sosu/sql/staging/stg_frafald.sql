-- depends:
CREATE OR REPLACE VIEW stg_frafald AS
SELECT
    elev_id,
    uddannelse,
    frafald_dato,
    year(frafald_dato) AS aar,
    aarsag,
    fase
FROM frafald;
