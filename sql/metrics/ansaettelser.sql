-- Hires per calendar year: the dimensioning and internal recruitment targets.
CREATE OR REPLACE MACRO ansaettelser(steder, uddannelser) AS TABLE
WITH
elever AS (
    SELECT * FROM stg_elever
    WHERE er_valgt(oplaeringssted, steder) AND er_valgt(uddannelse, uddannelser)
),

final AS (
    SELECT
        aargang AS aar,
        uddannelse,
        count(*) AS ansatte,
        count(*) FILTER (rekruttering = 'ufaglaert') AS intern_ufaglaert,
        count(*) FILTER (rekruttering = 'ssh') AS intern_ssh,
        count(*) FILTER (alder >= 25) AS alder_25_plus
    FROM elever
    GROUP BY ALL
)

SELECT * FROM final ORDER BY aar, uddannelse;
