-- depends:
-- A view of the load only (TEMP), like the sick-leave rows it reads: they are read,
-- checked and built on in memory, and never written to the database file (kept=False
-- in etl/contract.py; see int_elevmaaneder).
CREATE OR REPLACE TEMP VIEW stg_sygefravaer AS
SELECT
    elev_id,
    uddannelse,
    maaned,
    year(maaned) AS aar,
    planlagte_timer,
    syge_timer
FROM sygefravaer;
