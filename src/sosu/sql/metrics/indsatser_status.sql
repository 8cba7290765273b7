-- depends: stg_indsatser
-- Initiatives for the status table and the chart markers, with the contract's Danish
-- labels: focus areas in the strategy's order, then by start (not started last).
CREATE OR REPLACE VIEW indsatser_status AS
WITH
indsatser AS (SELECT * FROM stg_indsatser),

fokus AS (
    SELECT
        kode,
        tekst
    FROM koder
    WHERE fil = 'indsatser' AND kolonne = 'fokusomraade'
),

status AS (
    SELECT
        kode,
        tekst
    FROM koder
    WHERE fil = 'indsatser' AND kolonne = 'status'
),

final AS (
    SELECT
        i.navn,
        i.fokusomraade,
        f.tekst AS fokus_tekst,
        CASE i.fokusomraade WHEN 'foer' THEN 1 WHEN 'under' THEN 2 ELSE 3 END AS fokus_nr,
        i.start_dato,
        i.start_aar,
        i.status,
        s.tekst AS status_tekst,
        i.maal_id
    FROM indsatser AS i
    LEFT JOIN fokus AS f ON i.fokusomraade = f.kode
    LEFT JOIN status AS s ON i.status = s.kode
)

SELECT * FROM final
ORDER BY fokus_nr, start_dato NULLS LAST, navn, maal_id;
