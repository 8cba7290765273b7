-- One row per student for the education team (never shown to other roles): status,
-- months since hire, and sick leave overall and in the last three months of data.
CREATE OR REPLACE MACRO elevliste(steder, uddannelser) AS TABLE
WITH
forloeb AS (SELECT * FROM valgte_forloeb(steder, uddannelser)),
timer AS (SELECT * FROM valgte_sygetimer(steder, uddannelser)),
stand AS (SELECT data_pr FROM indlaesning),

sygefravaer AS (
    SELECT
        elev_id,
        uddannelse,
        sum(syge_timer) / sum(planlagte_timer) AS sygefravaer_i_alt,
        sum(syge_timer) FILTER (WHERE maaned > (SELECT data_pr FROM stand) - INTERVAL 3 MONTH)
            / sum(planlagte_timer)
                FILTER (WHERE maaned > (SELECT data_pr FROM stand) - INTERVAL 3 MONTH)
            AS sygefravaer_3_mdr
    FROM timer
    GROUP BY elev_id, uddannelse
),

final AS (
    SELECT
        f.elev_id,
        f.uddannelse,
        f.oplaeringssted,
        f.aargang,
        f.ansat_dato,
        f.status,
        coalesce(f.afsluttet_dato, f.frafald_dato) AS slut_dato,
        f.fase AS frafald_fase,
        date_diff('month', f.ansat_dato,
                  coalesce(f.afsluttet_dato, f.frafald_dato, (SELECT data_pr FROM stand)))
            AS maaneder,
        s.sygefravaer_i_alt,
        s.sygefravaer_3_mdr
    FROM forloeb AS f
    LEFT JOIN sygefravaer AS s USING (elev_id, uddannelse)
)

SELECT * FROM final ORDER BY oplaeringssted, uddannelse, ansat_dato, elev_id;
