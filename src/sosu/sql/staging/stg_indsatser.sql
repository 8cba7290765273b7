-- depends:
-- The strategy's initiatives as loaded (an absent file loads as an empty table).
CREATE OR REPLACE VIEW stg_indsatser AS
SELECT
    navn,
    fokusomraade,
    start_dato,
    year(start_dato) AS start_aar,
    status,
    maal_id
FROM indsatser;
