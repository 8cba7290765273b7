-- Early warning (tidlig opsporing): which students show signs of sick leave that the
-- personal supervisors should follow up, with one threshold `graense` (a share, 0.10 =
-- 10 %) driving every rule:
--   hoejt         the last three months' sick leave is above the threshold;
--   stigende      each of the last three months higher than the one before, the newest
--                 above the threshold (caught before the three-month share gets there);
--   tidligt_tegn  in the early phases, where most dropouts happen, half the bar: the
--                 last three months above half the threshold.
CREATE OR REPLACE MACRO varselstegn(graense) AS TABLE
WITH
vinduer AS (SELECT * FROM int_sygevinduer),

tegn AS (
    SELECT
        *,
        coalesce(andel_3_mdr > graense, false) AS hoejt,
        coalesce(len(seneste_3_maaneder) = 3
                 AND seneste_3_maaneder[1] < seneste_3_maaneder[2]
                 AND seneste_3_maaneder[2] < seneste_3_maaneder[3]
                 AND seneste_3_maaneder[3] > graense, false) AS stigende,
        coalesce(tidlig_fase AND andel_3_mdr > graense / 2, false) AS tidligt_tegn
    FROM vinduer
),

final AS (
    SELECT *, hoejt OR stigende OR tidligt_tegn AS paa_listen
    FROM tegn
)

SELECT * FROM final;

-- The list as of the newest month of sick-leave data: active students with a sign,
-- and their monthly sick leave over the last twelve months for a small trend line.
CREATE OR REPLACE MACRO tidlig_opsporing(graense, steder, uddannelser) AS TABLE
WITH
forloeb AS (SELECT * FROM valgte_forloeb(steder, uddannelser)),
tegn AS (SELECT * FROM varselstegn(graense)),
seneste AS (SELECT max(maaned) AS maaned FROM stg_sygefravaer),

aktive AS (
    SELECT t.*, f.oplaeringssted
    FROM tegn AS t
    JOIN forloeb AS f USING (elev_id, uddannelse)
    WHERE f.status = 'aktiv'
),

udvikling AS (
    SELECT
        elev_id,
        uddannelse,
        list(andel_maaned ORDER BY maaned) AS udvikling
    FROM aktive
    WHERE maaned > (SELECT maaned FROM seneste) - INTERVAL 12 MONTH
    GROUP BY elev_id, uddannelse
),

final AS (
    SELECT
        a.elev_id,
        a.uddannelse,
        a.oplaeringssted,
        a.maaneder_siden_ansaettelse,
        a.anslaaet_fase,
        a.tidlig_fase,
        a.andel_3_mdr,
        a.andel_forrige_3_mdr,
        a.hoejt,
        a.stigende,
        a.tidligt_tegn,
        u.udvikling,
        a.maaned
    FROM aktive AS a
    JOIN udvikling AS u USING (elev_id, uddannelse)
    WHERE a.maaned = (SELECT maaned FROM seneste) AND a.paa_listen
)

SELECT * FROM final ORDER BY andel_3_mdr DESC, elev_id;

-- Active students as of the newest month of sick-leave data: what the list is a share of.
CREATE OR REPLACE MACRO aktive_elever(steder, uddannelser) AS TABLE
SELECT
    (SELECT max(maaned) FROM stg_sygefravaer) AS maaned,
    count(*) AS aktive
FROM valgte_forloeb(steder, uddannelser)
WHERE status = 'aktiv';

-- Back-test: had the list been used every month of the loaded history, with each of
-- the thresholds in `graenser`, how many of the students who later dropped out would
-- it have shown three months before, and how long would the list have been? Only
-- months with six months of data before them count (both windows full), and switches
-- SSA -> SSH (omvalg) are not dropouts here, as in the ministry's statistics.
CREATE OR REPLACE MACRO tidlig_opsporing_test(graenser, steder, uddannelser) AS TABLE
WITH
forloeb AS (SELECT * FROM valgte_forloeb(steder, uddannelser)),
graense AS (SELECT unnest(graenser) AS graense),
periode AS (
    SELECT min(maaned) + INTERVAL 5 MONTH AS fra, max(maaned) AS til FROM stg_sygefravaer
),

maaneder AS (
    SELECT g.graense, t.*
    FROM graense AS g
    CROSS JOIN LATERAL (SELECT * FROM varselstegn(g.graense)) AS t
    JOIN forloeb AS f USING (elev_id, uddannelse)
    WHERE t.maaned BETWEEN (SELECT fra FROM periode) AND (SELECT til FROM periode)
),

frafaldne AS (
    SELECT
        elev_id,
        uddannelse,
        date_trunc('month', frafald_dato) - INTERVAL 3 MONTH AS tre_mdr_foer
    FROM forloeb
    WHERE status = 'frafaldet' AND NOT omvalg
),

-- A dropout counts when three months before it falls in the tested months, whether or
-- not the student was on the list, or even hired yet, by then.
fanget AS (
    SELECT
        g.graense,
        count(*) AS frafaldne,
        count(*) FILTER (WHERE m.paa_listen) AS fanget
    FROM graense AS g
    CROSS JOIN frafaldne AS d
    LEFT JOIN maaneder AS m
        ON m.graense = g.graense AND m.elev_id = d.elev_id
        AND m.uddannelse = d.uddannelse AND m.maaned = d.tre_mdr_foer
    WHERE d.tre_mdr_foer BETWEEN (SELECT fra FROM periode) AND (SELECT til FROM periode)
    GROUP BY g.graense
),

pr_maaned AS (
    SELECT
        graense,
        maaned,
        count(*) FILTER (WHERE paa_listen) AS paa_listen,
        count(*) AS aktive
    FROM maaneder
    GROUP BY graense, maaned
),

laengde AS (
    SELECT
        graense,
        count(*) AS testede_maaneder,
        median(paa_listen) AS typisk_liste,
        median(paa_listen / aktive) AS typisk_andel_af_aktive
    FROM pr_maaned
    GROUP BY graense
),

-- Of the students on the list, how many dropped out within the next three months, and
-- of all active students, for comparison: only months whose next three months are in
-- the data.
udfald AS (
    SELECT
        m.graense,
        m.paa_listen,
        coalesce(date_trunc('month', f.frafald_dato) > m.maaned
                 AND date_trunc('month', f.frafald_dato) <= m.maaned + INTERVAL 3 MONTH
                 AND NOT f.omvalg, false) AS faldt_fra
    FROM maaneder AS m
    JOIN forloeb AS f USING (elev_id, uddannelse)
    WHERE m.maaned + INTERVAL 3 MONTH <= (SELECT til FROM periode)
),

traeffere AS (
    SELECT
        graense,
        count(*) FILTER (WHERE paa_listen) AS listede,
        count(*) FILTER (WHERE paa_listen AND faldt_fra) AS faldt_fra,
        avg(faldt_fra::INTEGER) AS andel_alle_faldt_fra
    FROM udfald
    GROUP BY graense
),

final AS (
    SELECT
        g.graense,
        coalesce(fa.frafaldne, 0) AS frafaldne,
        coalesce(fa.fanget, 0) AS fanget,
        fa.fanget / nullif(fa.frafaldne, 0) AS andel_fanget,
        wilson_nedre(fa.fanget, fa.frafaldne) AS fanget_nedre,
        wilson_oevre(fa.fanget, fa.frafaldne) AS fanget_oevre,
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

SELECT * FROM final ORDER BY graense;
