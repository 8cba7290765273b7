-- depends: int_elevforloeb, int_elevmaaneder, stg_efter_uddannelse
-- How complete the data behind each figure are, per student and year: one row per
-- student, measure and year with the basis (grundlag) and how much of it is missing
-- (mangler). Measures, each with the year of the figure it concerns:
--   aarsag            a dropout (year of dropout) without a specific reason: 'andet' or
--                     blank; the reason figures cannot say why these students left
--   fase              a dropout (year of dropout) without a phase
--   efter_uddannelse  a completer (cohort = year hired, as the hired-after figure)
--                     without a row in efter_uddannelse: hired after or not is unknown
--   sygefravaer       a month of employment (calendar year) without a sick-leave row,
--                     counted up to the newest month the sick-leave file reaches (later
--                     months are not yet reported, not missing)
-- Materialised at load: the sick-leave months are read during the load only.
CREATE OR REPLACE TABLE int_fuldstaendighed AS
WITH
forloeb AS (SELECT * FROM int_elevforloeb),

-- Read twice below, so DuckDB would copy all its millions of rows first (a fifth of this
-- model): the two columns needed, read in place.
maaneder AS NOT MATERIALIZED (
    SELECT
        forloeb_nr,
        maaned
    FROM int_elevmaaneder
),

stand AS (
    SELECT
        date_trunc('month', (SELECT data_pr FROM indlaesning))::DATE AS data_maaned,
        (SELECT max(maaned) FROM maaneder) AS sidste_syge_maaned
),

frafald AS (
    SELECT
        forloeb_nr,
        year(frafald_dato) AS aar,
        coalesce(aarsag, 'andet') = 'andet' AS uden_aarsag,
        fase IS NULL AS uden_fase
    FROM forloeb
    WHERE status = 'frafaldet'
),

gennemfoerte AS (
    SELECT
        f.forloeb_nr,
        f.aargang AS aar,
        e.elev_id IS NULL AS uden_efter
    FROM forloeb AS f
    LEFT JOIN stg_efter_uddannelse AS e USING (elev_id, uddannelse)
    WHERE f.status = 'gennemfoert'
),

-- Employment months: from the month of hire to the month it ended (or the data's month),
-- no later than the newest month with any sick-leave row.
ansaettelse AS (
    SELECT
        f.forloeb_nr,
        date_trunc('month', f.ansat_dato)::DATE AS fra,
        least(
            date_trunc('month', coalesce(f.afsluttet_dato, f.frafald_dato, s.data_maaned)),
            coalesce(s.sidste_syge_maaned, s.data_maaned)
        )::DATE AS til
    FROM forloeb AS f, stand AS s
),

ansat_pr_aar AS (
    SELECT
        a.forloeb_nr,
        y.aar,
        date_diff(
            'month',
            greatest(a.fra, make_date(y.aar, 1, 1)),
            least(a.til, make_date(y.aar, 12, 1))
        ) + 1 AS maaneder
    FROM ansaettelse AS a,
        LATERAL (SELECT unnest(range(year(a.fra), year(a.til) + 1)) AS aar) AS y
    WHERE a.til >= a.fra
),

med_syge AS (
    SELECT
        forloeb_nr,
        year(maaned) AS aar,
        count(*) AS maaneder
    FROM maaneder
    WHERE maaned <= (SELECT coalesce(sidste_syge_maaned, data_maaned) FROM stand)
    GROUP BY forloeb_nr, year(maaned)
),

final AS (
    SELECT
        forloeb_nr,
        'aarsag' AS maal,
        aar,
        1 AS grundlag,
        uden_aarsag::INTEGER AS mangler
    FROM frafald
    UNION ALL
    SELECT
        forloeb_nr,
        'fase' AS maal,
        aar,
        1 AS grundlag,
        uden_fase::INTEGER AS mangler
    FROM frafald
    UNION ALL
    SELECT
        forloeb_nr,
        'efter_uddannelse' AS maal,
        aar,
        1 AS grundlag,
        uden_efter::INTEGER AS mangler
    FROM gennemfoerte
    UNION ALL
    SELECT
        a.forloeb_nr,
        'sygefravaer' AS maal,
        a.aar,
        a.maaneder AS grundlag,
        greatest(a.maaneder - coalesce(m.maaneder, 0), 0) AS mangler
    FROM ansat_pr_aar AS a
    LEFT JOIN med_syge AS m USING (forloeb_nr, aar)
)

-- Stored in student order, which is site order (int_elevforloeb): a one-site page reads
-- few blocks. Within a student the order is of no use (the metric adds the rows up), and
-- sorting on the measure's text as well took a quarter of this table's build.
SELECT * FROM final
ORDER BY forloeb_nr;
