CREATE OR REPLACE VIEW stg_sygefravaer AS
SELECT
    elev_id,
    uddannelse,
    maaned,
    year(maaned) AS aar,
    planlagte_timer,
    syge_timer
FROM sygefravaer;
