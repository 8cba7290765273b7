-- depends: int_elevmaaneder, int_sygevinduer
-- The newest month of sick-leave data, student by student, with each student's monthly
-- share over the last twelve months for the list's trend line: the list for any
-- threshold and filter is read from these 40,000 rows (nationally), not found among
-- millions of student-months on every view.
CREATE OR REPLACE TABLE int_seneste_maaned AS
WITH
seneste AS (
    SELECT
        max(maaned) AS maaned,
        (max(maaned) - INTERVAL 12 MONTH)::DATE AS aar_foer
    FROM int_elevmaaneder
),

nu AS (
    SELECT * FROM int_sygevinduer
    WHERE maaned = (SELECT maaned FROM seneste)
),

udvikling AS (
    SELECT
        forloeb_nr,
        list(andel_maaned ORDER BY maaned) AS udvikling
    FROM int_sygevinduer
    WHERE maaned > (SELECT aar_foer FROM seneste)
        AND forloeb_nr IN (SELECT forloeb_nr FROM nu)
    GROUP BY forloeb_nr
),

final AS (
    SELECT
        n.*,
        u.udvikling
    FROM nu AS n
    INNER JOIN udvikling AS u USING (forloeb_nr)
)

SELECT * FROM final
ORDER BY forloeb_nr;
