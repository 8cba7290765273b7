-- depends: int_elevforloeb, int_sygefravaer_maaned, stg_efter_uddannelse
-- How complete the data behind each figure are: per site, education, measure and year
-- the basis (grundlag) and how much of it is missing (mangler). Measures, each with the
-- year of the figure it concerns:
--   aarsag            a dropout (year of dropout) without a specific reason: 'andet' or
--                     blank; the reason figures cannot say why these students left
--   fase              a dropout (year of dropout) without a phase
--   efter_uddannelse  a completer (cohort = year hired, as the hired-after figure)
--                     without a row in efter_uddannelse: hired after or not is unknown
--   sygefravaer       a month of employment (calendar year) without a sick-leave row,
--                     counted up to the newest month the sick-leave file reaches (later
--                     months are not yet reported, not missing)
-- Per site, like the sick-leave sums: the metric adds up the chosen sites' rows
-- (valgte_fuldstaendighed). The months with a sick-leave row are the sums' student-months
-- (int_sygefravaer_maaned), not the millions of student-months counted again: the rules
-- keep every such month inside its student's employment and the data's months, so a
-- site's months with a row are part of its months of employment, year by year.
CREATE OR REPLACE TABLE int_fuldstaendighed AS
WITH
forloeb AS (SELECT * FROM int_elevforloeb),

syge_maaneder AS (
    SELECT
        oplaeringssted,
        uddannelse,
        aar,
        maaned,
        elever
    FROM int_sygefravaer_maaned
),

stand AS (
    SELECT
        date_trunc('month', (SELECT data_pr FROM indlaesning))::DATE AS data_maaned,
        (SELECT max(maaned) FROM syge_maaneder) AS sidste_syge_maaned
),

frafald AS (
    SELECT
        oplaeringssted,
        uddannelse,
        year(frafald_dato) AS aar,
        coalesce(aarsag, 'andet') = 'andet' AS uden_aarsag,
        fase IS NULL AS uden_fase
    FROM forloeb
    WHERE status = 'frafaldet'
),

gennemfoerte AS (
    SELECT
        f.oplaeringssted,
        f.uddannelse,
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
        f.oplaeringssted,
        f.uddannelse,
        date_trunc('month', f.ansat_dato)::DATE AS fra,
        least(
            date_trunc('month', coalesce(f.afsluttet_dato, f.frafald_dato, s.data_maaned)),
            coalesce(s.sidste_syge_maaned, s.data_maaned)
        )::DATE AS til
    FROM forloeb AS f, stand AS s
),

ansat_pr_aar AS (
    SELECT
        a.oplaeringssted,
        a.uddannelse,
        y.aar,
        sum(date_diff(
            'month',
            greatest(a.fra, make_date(y.aar, 1, 1)),
            least(a.til, make_date(y.aar, 12, 1))
        ) + 1) AS maaneder
    FROM ansaettelse AS a,
        LATERAL (SELECT unnest(range(year(a.fra), year(a.til) + 1)) AS aar) AS y
    WHERE a.til >= a.fra
    GROUP BY a.oplaeringssted, a.uddannelse, y.aar
),

med_syge AS (
    SELECT
        oplaeringssted,
        uddannelse,
        aar,
        sum(elever) AS maaneder
    FROM syge_maaneder
    GROUP BY oplaeringssted, uddannelse, aar
),

pr_elev AS (
    SELECT
        oplaeringssted,
        uddannelse,
        'aarsag' AS maal,
        aar,
        uden_aarsag AS mangler
    FROM frafald
    UNION ALL
    SELECT
        oplaeringssted,
        uddannelse,
        'fase' AS maal,
        aar,
        uden_fase AS mangler
    FROM frafald
    UNION ALL
    SELECT
        oplaeringssted,
        uddannelse,
        'efter_uddannelse' AS maal,
        aar,
        uden_efter AS mangler
    FROM gennemfoerte
),

final AS (
    SELECT
        oplaeringssted,
        uddannelse,
        maal,
        aar,
        count(*) AS grundlag,
        count(*) FILTER (WHERE mangler) AS mangler
    FROM pr_elev
    GROUP BY oplaeringssted, uddannelse, maal, aar
    UNION ALL
    SELECT
        a.oplaeringssted,
        a.uddannelse,
        'sygefravaer' AS maal,
        a.aar,
        a.maaneder::BIGINT AS grundlag,
        (a.maaneder - coalesce(m.maaneder, 0))::BIGINT AS mangler
    FROM ansat_pr_aar AS a
    LEFT JOIN med_syge AS m USING (oplaeringssted, uddannelse, aar)
)

SELECT * FROM final
ORDER BY oplaeringssted, uddannelse, maal, aar;
