-- Where graduates were hired by the municipality, per education and cohort.
CREATE OR REPLACE MACRO ansat_efter_sted(steder, uddannelser) AS TABLE
WITH
ansat AS (
    SELECT * FROM int_elevforloeb
    WHERE ansat_efter
      AND er_valgt(oplaeringssted, steder) AND er_valgt(uddannelse, uddannelser)
),

final AS (
    SELECT uddannelse, aargang, arbejdssted, count(*) AS antal
    FROM ansat
    GROUP BY ALL
)

SELECT * FROM final ORDER BY uddannelse, aargang, antal DESC, arbejdssted;
