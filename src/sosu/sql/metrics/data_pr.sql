-- depends:
-- How fresh the figures are: when the data were loaded and the newest date in them,
-- and whether they are the synthetic demo data (which may be shown without login).
CREATE OR REPLACE VIEW data_pr AS
SELECT
    indlaest_tid,
    data_pr,
    beregnet_dato,
    filer,
    demodata
FROM indlaesning;
