-- Early warning (tidlig opsporing): what the early warning keeps of the student-months,
-- and the parts that are the same for every view, built once per load. The list and its
-- back-test (sql/metrics/tidlig_opsporing.sql) read them; the rules are in
-- 00_tidlig_opsporing_regler.sql.

-- The thresholds the dashboard offers (5 % to 30 % in steps of half a point; its slider
-- is held to this list by a test). The back-test for the whole country is counted for
-- all of them at load; any other threshold, or a choice of sites, is counted when asked.
CREATE OR REPLACE MACRO tidlig_graenser() AS
    [0.05, 0.055, 0.06, 0.065, 0.07, 0.075, 0.08, 0.085, 0.09, 0.095,
     0.1, 0.105, 0.11, 0.115, 0.12, 0.125, 0.13, 0.135, 0.14, 0.145,
     0.15, 0.155, 0.16, 0.165, 0.17, 0.175, 0.18, 0.185, 0.19, 0.195,
     0.2, 0.205, 0.21, 0.215, 0.22, 0.225, 0.23, 0.235, 0.24, 0.245,
     0.25, 0.255, 0.26, 0.265, 0.27, 0.275, 0.28, 0.285, 0.29, 0.295, 0.3]::DOUBLE[];

-- Each student-month once, with the highest threshold that lists it, whether the student
-- dropped out within the next three months, and whether in exactly three: the month in
-- which the list had to show them. Switches SSA -> SSH (omvalg) are not dropouts here
-- (frafald_maaneder_efter is NULL for them), as in the ministry's statistics.
-- Kept: the back-test for a choice of sites, or at a threshold off the offered ones,
-- counts these when asked. With the newest month's rows below, this is what the
-- database keeps of each student's months; their hours stay in the load
-- (int_elevmaaneder).
CREATE OR REPLACE TABLE int_tidlig_elevmaaneder AS
WITH
vinduer AS (SELECT * FROM int_sygevinduer),

final AS (
    SELECT
        forloeb_nr,
        maaned,
        listegraense(andel_3_mdr, graense_stigende, tidlig_fase) AS listegraense,
        coalesce(frafald_maaneder_efter - maaneder_siden_ansaettelse BETWEEN 1 AND 3, false)
            AS faldt_fra,
        coalesce(frafald_maaneder_efter - maaneder_siden_ansaettelse = 3, false)
            AS faldt_fra_om_3_mdr
    FROM vinduer
)

SELECT * FROM final;

-- The back-test's counts for every site at once: per month and education, how many
-- student-months fall between two neighbouring offered thresholds (a histogram; a value
-- equal to a bound is in that bound's bucket, exactly "not listed at that threshold").
-- 700 rows nationally: the whole country's back-test adds these up instead of counting
-- 4.4 million student-months on every first view (0.24 s).
CREATE OR REPLACE TABLE int_tidlig_baand AS
WITH
listet AS (SELECT * FROM int_tidlig_elevmaaneder),
forloeb AS (SELECT forloeb_nr, uddannelse FROM int_elevforloeb),

final AS (
    SELECT
        l.maaned,
        f.uddannelse,
        l.faldt_fra,
        l.faldt_fra_om_3_mdr,
        map_entries(histogram(l.listegraense, tidlig_graenser())) AS baand
    FROM listet AS l
    JOIN forloeb AS f USING (forloeb_nr)
    GROUP BY ALL
)

SELECT * FROM final ORDER BY maaned, uddannelse, faldt_fra, faldt_fra_om_3_mdr;

-- The newest month of sick-leave data, student by student, with each student's monthly
-- share over the last twelve months for the list's trend line: the list for any
-- threshold and filter is read from these 40,000 rows (nationally), not found among
-- millions of student-months on every view.
CREATE OR REPLACE TABLE int_seneste_maaned AS
WITH
seneste AS (
    SELECT max(maaned) AS maaned, (max(maaned) - INTERVAL 12 MONTH)::DATE AS aar_foer
    FROM int_elevmaaneder
),
nu AS (
    SELECT * FROM int_sygevinduer WHERE maaned = (SELECT maaned FROM seneste)
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
    SELECT n.*, u.udvikling
    FROM nu AS n
    JOIN udvikling AS u USING (forloeb_nr)
)

SELECT * FROM final ORDER BY forloeb_nr;
