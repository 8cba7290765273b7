-- depends: int_sygefravaer_elev, valgte_forloeb
-- One row per student for the education team (never shown to other roles): status,
-- months since hire, and sick leave overall and in the last three months of data.
CREATE OR REPLACE MACRO elevliste(steder, uddannelser) AS TABLE
    WITH
    forloeb AS (SELECT * FROM valgte_forloeb(steder, uddannelser)),

    stand AS (SELECT data_pr FROM indlaesning),

    -- Each student's own sick leave: the same whatever the restriction, which the left join
    -- from forloeb applies.
    sygefravaer_elev AS (SELECT * FROM int_sygefravaer_elev),

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
            date_diff(
                'month', f.ansat_dato,
                coalesce(f.afsluttet_dato, f.frafald_dato, (SELECT data_pr FROM stand)))
                AS maaneder,
            s.sygefravaer_i_alt,
            s.sygefravaer_3_mdr
        FROM forloeb AS f
        LEFT JOIN sygefravaer_elev AS s USING (forloeb_nr)
    )

    SELECT * FROM final
    ORDER BY oplaeringssted, uddannelse, ansat_dato, elev_id;
