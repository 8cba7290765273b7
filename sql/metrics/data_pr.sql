-- How fresh the figures are: when the data were loaded and the newest date in them.
CREATE OR REPLACE VIEW data_pr AS
SELECT indlaest_tid, data_pr, beregnet_dato, filer
FROM indlaesning;
