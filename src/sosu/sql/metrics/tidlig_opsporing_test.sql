-- depends: er_valgt, faldt_fra_inden_3_mdr, faldt_fra_om_3_mdr, frafaldsmaaned,
-- depends: int_tidlig_baand, int_tidlig_elevmaaneder, tidlig_graenser, valgte_forloeb, wilson
-- Back-test: had the list been used every month of the loaded history, with each of
-- the thresholds in `graenser`, how many of the students who later dropped out would
-- it have shown three months before, and how long would the list have been? Only
-- months with five months of data before them count (a history, not a start-up), and switches
-- SSA -> SSH (omvalg) are not dropouts here, as in the ministry's statistics.
CREATE OR REPLACE MACRO tidlig_opsporing_test(graenser, steder, uddannelser) AS TABLE
    WITH
    forloeb AS (
        SELECT
            forloeb_nr,
            frafaldsmaaned(status, omvalg, frafald_dato) AS frafaldsmaaned
        FROM valgte_forloeb(steder, uddannelser)
    ),

    graense AS (SELECT unnest(list_distinct(graenser)) AS graense),

    periode AS (
        SELECT
            (min(maaned) + INTERVAL 5 MONTH)::DATE AS fra,
            max(maaned) AS til
        FROM int_tidlig_elevmaaneder
    ),

    -- Every site and only offered thresholds: the counts made at load answer it. (No list
    -- at all is not "only offered thresholds": it fails in the histogram, as before.)
    fra_indlaesningen AS (
        SELECT
            graenser IS NOT NULL AND steder IS NULL
            AND list_has_all(tidlig_graenser(), graenser) AS ja
    ),

    -- A student-month listed at one threshold is listed at every lower one, so the tried
    -- thresholds cut the student-months into bands: those whose listing threshold lies
    -- above the tried threshold before and at most `op_til` (infinity above the highest)
    -- are listed at every tried threshold below `op_til`. Counted per month and band, in
    -- one pass over the millions of student-months, every threshold is answered from a few
    -- hundred counts. (DuckDB's histogram puts a value equal to a bound in that bound's
    -- bucket: exactly "not listed at that threshold".) The bands made at load between
    -- every two offered thresholds serve any offered threshold the same way.
    histogrammer AS (
        SELECT
            l.maaned,
            faldt_fra_inden_3_mdr(l.maaned, f.frafaldsmaaned) AS faldt_fra,
            faldt_fra_om_3_mdr(l.maaned, f.frafaldsmaaned) AS faldt_fra_om_3_mdr,
            map_entries(histogram(l.listegraense, list_sort(list_distinct(graenser)))) AS baand
        FROM int_tidlig_elevmaaneder AS l
        INNER JOIN forloeb AS f USING (forloeb_nr)
        -- A join, not a filter on subqueries: DuckDB guessed such a filter to leave a few
        -- thousand student-months and built its hash table on them (twice the time).
        INNER JOIN periode AS p ON l.maaned BETWEEN p.fra AND p.til
        WHERE NOT (SELECT ja FROM fra_indlaesningen)
        GROUP BY ALL
        UNION ALL
        SELECT
            b.maaned,
            b.faldt_fra,
            b.faldt_fra_om_3_mdr,
            b.baand
        FROM int_tidlig_baand AS b
        INNER JOIN periode AS p ON b.maaned BETWEEN p.fra AND p.til
        WHERE er_valgt(b.uddannelse, uddannelser)
            AND (SELECT ja FROM fra_indlaesningen)
    ),

    udfoldet AS (
        SELECT
            *,
            unnest(baand) AS b
        FROM histogrammer
    ),

    -- `b` is a band: its upper threshold (key) and its count of student-months (value).
    optalt AS (
        SELECT
            maaned,
            faldt_fra,
            faldt_fra_om_3_mdr,
            b['key'] AS op_til,
            b['value'] AS elevmaaneder
        FROM udfoldet
    ),

    -- A dropout counts when three months before it falls in the tested months, whether or
    -- not the student was on the list, or even hired yet, by then ...
    frafaldne AS (
        SELECT count(*) AS frafaldne
        FROM forloeb, periode AS p
        WHERE (frafaldsmaaned - INTERVAL 3 MONTH)::DATE BETWEEN p.fra AND p.til
    ),

    -- ... and is caught at a threshold when their student-month three months before is
    -- listed at it. (LEFT JOIN: a threshold keeps its row when no month was tested.)
    fanget AS (
        SELECT
            g.graense,
            any_value(d.frafaldne) AS frafaldne,
            coalesce(sum(o.elevmaaneder) FILTER (
                WHERE o.faldt_fra_om_3_mdr AND o.op_til > g.graense
            ), 0)::BIGINT AS fanget
        FROM graense AS g
        CROSS JOIN frafaldne AS d
        LEFT JOIN optalt AS o ON TRUE
        GROUP BY g.graense
    ),

    pr_maaned AS (
        SELECT
            g.graense,
            o.maaned,
            sum(o.elevmaaneder) FILTER (WHERE o.op_til > g.graense) AS paa_listen,
            sum(o.elevmaaneder) FILTER (WHERE o.op_til > g.graense AND o.faldt_fra)
                AS listede_faldt_fra,
            sum(o.elevmaaneder) AS aktive,
            coalesce(sum(o.elevmaaneder) FILTER (WHERE o.faldt_fra), 0) AS faldt_fra
        FROM graense AS g
        CROSS JOIN optalt AS o
        GROUP BY g.graense, o.maaned
    ),

    laengde AS (
        SELECT
            graense,
            count(*) AS testede_maaneder,
            median(coalesce(paa_listen, 0)) AS typisk_liste,
            median(coalesce(paa_listen, 0) / aktive) AS typisk_andel_af_aktive
        FROM pr_maaned
        GROUP BY graense
    ),

    -- Of the students on the list, how many dropped out within the next three months, and
    -- of all active students, for comparison: only months whose next three months are in
    -- the data.
    traeffere AS (
        SELECT
            graense,
            coalesce(sum(paa_listen), 0) AS listede,
            coalesce(sum(listede_faldt_fra), 0) AS faldt_fra,
            sum(faldt_fra) / sum(aktive) AS andel_alle_faldt_fra
        FROM pr_maaned
        WHERE maaned + INTERVAL 3 MONTH <= (SELECT til FROM periode)
        GROUP BY graense
    ),

    final AS (
        SELECT
            g.graense,
            coalesce(fa.frafaldne, 0) AS frafaldne,
            coalesce(fa.fanget, 0) AS fanget,
            fa.fanget / nullif(fa.frafaldne, 0) AS andel_fanget,
            wilson(fa.fanget, fa.frafaldne)[1] AS fanget_nedre,
            wilson(fa.fanget, fa.frafaldne)[2] AS fanget_oevre,
            l.testede_maaneder,
            l.typisk_liste,
            l.typisk_andel_af_aktive,
            coalesce(t.listede, 0) AS listede,
            coalesce(t.faldt_fra, 0) AS listede_faldt_fra,
            t.faldt_fra / nullif(t.listede, 0) AS andel_listede_faldt_fra,
            t.andel_alle_faldt_fra
        FROM graense AS g
        LEFT JOIN fanget AS fa USING (graense)
        LEFT JOIN laengde AS l USING (graense)
        LEFT JOIN traeffere AS t USING (graense)
    )

    SELECT * FROM final
    ORDER BY graense;
