-- depends: int_seneste_maaned, valgte_forloeb, varsel_hoejt, varsel_stigende, varsel_tidligt
-- Early warning (tidlig opsporing): which students show signs of sick leave that the
-- personal supervisors should follow up (how well the list would have done on the loaded
-- history: tidlig_opsporing_test.sql). The rules are in
-- sql/intermediate/tidlig_opsporing_regler/, the parts built once per load in
-- sql/intermediate/int_tidlig_elevmaaneder.sql, int_tidlig_baand.sql and
-- int_seneste_maaned.sql.
-- The list as of the newest month of sick-leave data: active students with a sign,
-- and their monthly sick leave over the last twelve months for a small trend line.
CREATE OR REPLACE MACRO tidlig_opsporing(graense, steder, uddannelser) AS TABLE
    WITH
    aktive AS (
        SELECT
            forloeb_nr,
            elev_id,
            uddannelse,
            oplaeringssted
        FROM valgte_forloeb(steder, uddannelser)
        WHERE status = 'aktiv'
    ),

    tegn AS (
        SELECT
            a.elev_id,
            a.uddannelse,
            a.oplaeringssted,
            v.*,
            varsel_hoejt(v.andel_3_mdr, graense) AS hoejt,
            varsel_stigende(v.graense_stigende, graense) AS stigende,
            varsel_tidligt(v.tidlig_fase, v.andel_3_mdr, graense) AS tidligt_tegn
        FROM int_seneste_maaned AS v
        INNER JOIN aktive AS a USING (forloeb_nr)
    ),

    final AS (
        SELECT
            t.elev_id,
            t.uddannelse,
            t.oplaeringssted,
            t.maaneder_siden_ansaettelse,
            s.fase AS anslaaet_fase,
            t.tidlig_fase,
            t.andel_3_mdr,
            t.hoejt,
            t.stigende,
            t.tidligt_tegn,
            t.udvikling,
            t.maaned
        FROM tegn AS t
        LEFT JOIN standardforloeb AS s USING (fase_id)
        WHERE t.hoejt OR t.stigende OR t.tidligt_tegn
    )

    SELECT * FROM final
    ORDER BY andel_3_mdr DESC, elev_id ASC;
