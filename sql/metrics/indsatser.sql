-- Initiatives for the status table and the chart markers: focus areas in the
-- strategy's order, then by start (not yet started last) and name.
CREATE OR REPLACE VIEW indsatser_status AS
WITH
indsatser AS (SELECT * FROM stg_indsatser),

final AS (
    SELECT
        navn,
        fokusomraade,
        CASE fokusomraade WHEN 'foer' THEN 1 WHEN 'under' THEN 2 ELSE 3 END AS fokus_nr,
        start_dato,
        start_aar,
        status,
        maal_id
    FROM indsatser
)

SELECT * FROM final ORDER BY fokus_nr, start_dato NULLS LAST, navn, maal_id;
