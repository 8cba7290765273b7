-- A view of the load only (TEMP): the sick-leave rows are read, checked and summed, and
-- not kept in the database (etl/load.py, NOT_KEPT; see int_elevmaaneder).
CREATE OR REPLACE TEMP VIEW stg_sygefravaer AS
SELECT
    elev_id,
    uddannelse,
    maaned,
    year(maaned) AS aar,
    planlagte_timer,
    syge_timer
FROM sygefravaer;
