-- depends: eksakt_sum, int_sygefravaer_maaned
-- Sick-leave hours per site, education and year, from the months (int_sygefravaer_maaned):
-- `elever` counts each student once a year (the months' nye_i_aaret).
CREATE OR REPLACE TABLE int_sygefravaer_aar AS
WITH
maaneder AS (SELECT * FROM int_sygefravaer_maaned),

final AS (
    SELECT
        oplaeringssted,
        uddannelse,
        aar,
        sum(nye_i_aaret)::BIGINT AS elever,
        eksakt_sum(planlagte_timer) AS planlagte_timer,
        eksakt_sum(syge_timer) AS syge_timer
    FROM maaneder
    GROUP BY oplaeringssted, uddannelse, aar
)

SELECT * FROM final
ORDER BY oplaeringssted, uddannelse, aar;
