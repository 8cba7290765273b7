-- depends: pr_sted_gruppe, valgte_fuldstaendighed
-- How complete each figure's basis is, per measure, year and education (the measures and
-- their years: int_fuldstaendighed): the basis, how much of it is missing, and the share
-- known. The reason figures, for one, can only describe the dropouts with a known reason.
CREATE OR REPLACE MACRO fuldstaendighed(
    steder, uddannelser, pr_sted := FALSE,
    hver_for_sig := NULL) AS TABLE
    WITH
    valgte AS (SELECT * FROM valgte_fuldstaendighed(steder, uddannelser)),

    optalt AS (
        SELECT
            pr_sted_gruppe(oplaeringssted, pr_sted, hver_for_sig) AS oplaeringssted,
            maal,
            aar,
            uddannelse,
            sum(grundlag)::BIGINT AS grundlag,
            sum(mangler)::BIGINT AS mangler
        FROM valgte
        GROUP BY ALL
    ),

    final AS (
        SELECT
            *,
            (grundlag - mangler) / nullif(grundlag, 0) AS andel_kendt
        FROM optalt
    )

    SELECT *
    FROM final
    ORDER BY oplaeringssted ASC, maal ASC, aar ASC, uddannelse ASC;
